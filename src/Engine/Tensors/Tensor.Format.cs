using System.Globalization;
using System.Text;

namespace Engine;

/// <summary>PyTorch-style printing: <c>tensor([[1.0000, 2.5000], ...], dtype=float64)</c>, elided with "..." when
/// the tensor has more than 1000 elements (3 items kept at each edge), with the shape appended when elided.</summary>
public sealed partial class Tensor
{
    private const int PrintThreshold = 1000;
    private const int EdgeItems = 3;

    public override string ToString()
    {
        var host = Numel == 0 ? this : To(Device.Cpu).Contiguous();
        var values = Numel == 0 ? [] : host.ToArray<double>();
        var elide = Numel > PrintThreshold;
        var format = ChooseFormat(values, DType, elide);
        var sb = new StringBuilder("tensor(");
        if (Numel == 0) sb.Append(Rank <= 1 ? "[]" : new string('[', 1) + "]");
        else Append(sb, values, 0, 0, format, elide, indent: 7);
        var extras = new List<string>();
        if (elide || Numel == 0 && Rank > 1) extras.Add($"size={Engine.Shape.Format(shape, ", ")}");
        if (DType is not (DType.Float32 or DType.Int64 or DType.Bool)) extras.Add($"dtype={DType.TorchName()}");
        if (Device.Type != DeviceType.Cpu) extras.Add($"device='{Device}'");
        if (GradFn is not null) extras.Add($"grad_fn=<{GradFn.Name}Backward>");
        else if (requiresGrad) extras.Add("requires_grad=True");
        foreach (var e in extras) sb.Append(", ").Append(e);
        return sb.Append(')').ToString();
    }

    private void Append(StringBuilder sb, double[] values, int dim, int flatStart, Func<double, string> format, bool elide, int indent)
    {
        if (Rank == 0)
        {
            sb.Append(format(values[0]));
            return;
        }
        var n = shape[dim];
        var block = 1;
        for (var d = dim + 1; d < Rank; d++) block *= shape[d];
        sb.Append('[');
        for (var i = 0; i < n; i++)
        {
            if (elide && n > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(dim == Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + dim + 1));
                if (dim < Rank - 1 && Rank - dim > 2) sb.Append('\n').Append(' ', indent + dim + 1);
                i = n - EdgeItems - 1;
                continue;
            }
            if (dim == Rank - 1) sb.Append(format(values[flatStart + i]));
            else Append(sb, values, dim + 1, flatStart + i * block, format, elide, indent);
            if (i < n - 1)
            {
                if (dim == Rank - 1) sb.Append(", ");
                else
                {
                    sb.Append(',').Append('\n', Rank - dim - 1);
                    sb.Append(' ', indent + dim + 1);
                }
            }
        }
        sb.Append(']');
    }

    /// <summary>One format for all printed values, right-aligned to a common width (PyTorch's _Formatter rules:
    /// integers print as "1.", fixed point with 4 decimals, scientific when magnitudes span too much).</summary>
    private static Func<double, string> ChooseFormat(double[] values, DType dtype, bool elide)
    {
        var ci = CultureInfo.InvariantCulture;
        if (dtype == DType.Bool) return v => v != 0 ? "True" : "False";
        Func<double, string> raw;
        if (dtype.IsInteger())
        {
            raw = v => ((long)v).ToString(ci);
        }
        else
        {
            var finite = values.Where(double.IsFinite).Select(Math.Abs).ToArray();
            var allInts = finite.All(v => v == Math.Floor(v));
            var nonZero = finite.Where(v => v != 0).ToArray();
            var max = nonZero.Length > 0 ? nonZero.Max() : 0;
            var min = nonZero.Length > 0 ? nonZero.Min() : 0;
            if (allInts)
            {
                raw = max > 1e8 ? v => Sci(v) : v => FormatSpecial(v) ?? ((long)v).ToString(ci) + ".";
            }
            else if (max / Math.Max(min, double.Epsilon) > 1000 || max > 1e8 || min < 1e-4 && min > 0)
            {
                raw = Sci;
            }
            else
            {
                raw = v => FormatSpecial(v) ?? v.ToString("0.0000", ci);
            }
        }
        var width = values.Length == 0 ? 0 : values.Max(v => raw(v).Length);
        return v => raw(v).PadLeft(width);

        static string? FormatSpecial(double v) =>
            double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : null;

        static string Sci(double v) => FormatSpecial(v) ?? v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }
}
