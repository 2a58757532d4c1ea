using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>Float64 loop implementations of the losses, written from PyTorch's documented formulas, as the
/// independent reference for the loss tests.</summary>
internal static class LossReference
{
    public static double LogSumExp(double[] row)
    {
        var m = row.Max();
        return m + Math.Log(row.Sum(v => Math.Exp(v - m)));
    }

    /// <summary>Class-index cross-entropy of rows [R][C]: per-row losses and the mean's denominator (the total class
    /// weight of the non-ignored targets).</summary>
    public static (double[] PerRow, double Denominator) CrossEntropyRows(
        double[][] rows, long[] target, double[]? weight, long ignoreIndex, double eps)
    {
        var classes = rows[0].Length;
        var perRow = new double[rows.Length];
        var denominator = 0.0;
        for (var n = 0; n < rows.Length; n++)
        {
            if (target[n] == ignoreIndex) continue;
            var lse = LogSumExp(rows[n]);
            var y = (int)target[n];
            var wy = weight?[y] ?? 1;
            var nll = -wy * (rows[n][y] - lse);
            var smooth = 0.0;
            for (var c = 0; c < classes; c++) smooth -= (weight?[c] ?? 1) * (rows[n][c] - lse);
            perRow[n] = (1 - eps) * nll + eps / classes * smooth;
            denominator += wy;
        }
        return (perRow, denominator);
    }

    public static double[] Reduce(double[] perElement, Reduction reduction, double denominator) => reduction switch
    {
        Reduction.None => perElement,
        Reduction.Sum => [perElement.Sum()],
        _ => [perElement.Sum() / denominator],
    };

    public static double[][] Rows(double[] flat, int classes)
        => Enumerable.Range(0, flat.Length / classes).Select(r => flat.Skip(r * classes).Take(classes).ToArray()).ToArray();

    public static double SmoothL1(double d, double beta) => Math.Abs(d) < beta ? 0.5 * d * d / beta : Math.Abs(d) - 0.5 * beta;

    public static double Huber(double d, double delta) => Math.Abs(d) < delta ? 0.5 * d * d : delta * (Math.Abs(d) - 0.5 * delta);

    public static double Bce(double x, double y, double w) => -w * (y * Math.Max(Math.Log(x), -100) + (1 - y) * Math.Max(Math.Log(1 - x), -100));

    /// <summary>-w [p y log σ(x) + (1 - y) log(1 - σ(x))], with log σ(x) = -log(1 + e^-x) evaluated stably.</summary>
    public static double BceWithLogits(double x, double y, double w, double p)
    {
        static double LogSigmoid(double v) => v >= 0 ? -Math.Log(1 + Math.Exp(-v)) : v - Math.Log(1 + Math.Exp(v));
        return -w * (p * y * LogSigmoid(x) + (1 - y) * LogSigmoid(-x));
    }

    /// <summary>Σ_{i≠y} w_y max(0, margin - x_y + x_i)^p / C for one sample.</summary>
    public static double MultiMargin(double[] x, int y, int p, double margin, double wy)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
            if (i != y) sum += Math.Pow(Math.Max(0, margin - x[y] + x[i]), p);
        return wy * sum / x.Length;
    }
}
