using System.Numerics;

namespace Engine.Backends.Cpu;

/// <summary>Scans along one dim: cumulative sum and the linear recurrence h_t = a_t h_{t-1} + b_t. The scanned dim is
/// moved last so each sequence is a contiguous row; rows run in parallel.</summary>
public sealed partial class CpuBackend
{
    public void Cumsum(Tensor x, int dim, Tensor y, bool reverse)
    {
        switch (x.DType)
        {
            case DType.Float32: CumsumImpl<float>(x, dim, y, reverse); break;
            case DType.Float64: CumsumImpl<double>(x, dim, y, reverse); break;
            case DType.Int32: CumsumImpl<int>(x, dim, y, reverse); break;
            case DType.Int64: CumsumImpl<long>(x, dim, y, reverse); break;
            default: ThrowUnsupported("Cumsum", x.DType); break;
        }
    }

    private void CumsumImpl<T>(Tensor x, int dim, Tensor y, bool reverse)
        where T : unmanaged, INumber<T>
    {
        if (y.Numel == 0) return;
        var rows = Densify(MoveDimsLast(x, [dim]));
        var len = x.ShapeArray[dim];
        var count = y.Numel / len;
        var target = dim == x.Rank - 1 ? y : Tensor.Empty(rows.ShapeArray.ToArray(), y.DType, Device.Cpu);
        CpuParallel.For(count, len, (r0, r1) =>
        {
            var src = Dense<T>(rows);
            var dst = Dense<T>(target);
            for (var r = r0; r < r1; r++)
            {
                var acc = T.Zero;
                var baseIdx = r * len;
                for (var t = 0; t < len; t++)
                {
                    var i = baseIdx + (reverse ? len - 1 - t : t);
                    acc += src[i];
                    dst[i] = acc;
                }
            }
        });
        if (!ReferenceEquals(target, y)) Copy(target, MoveDimsLast(y, [dim]));
    }

    public void LinearRecurrence(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse)
    {
        switch (y.DType)
        {
            case DType.Float32: RecurrenceImpl<float>(a, b, h0, dim, y, reverse); break;
            case DType.Float64: RecurrenceImpl<double>(a, b, h0, dim, y, reverse); break;
            default: ThrowUnsupported("LinearRecurrence", y.DType); break;
        }
    }

    private void RecurrenceImpl<T>(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse)
        where T : unmanaged, INumber<T>
    {
        if (y.Numel == 0) return;
        var aRows = Densify(MoveDimsLast(a, [dim]));
        var bRows = Densify(MoveDimsLast(b, [dim]));
        var init = h0 is null ? null : Densify(h0);
        var len = y.ShapeArray[dim];
        var count = y.Numel / len;
        var target = dim == y.Rank - 1 ? y : Tensor.Empty(aRows.ShapeArray.ToArray(), y.DType, Device.Cpu);
        CpuParallel.For(count, len * 2L, (r0, r1) =>
        {
            var aa = Dense<T>(aRows);
            var bb = Dense<T>(bRows);
            var hs = init is null ? default : Dense<T>(init);
            var dst = Dense<T>(target);
            for (var r = r0; r < r1; r++)
            {
                var h = init is null ? T.Zero : hs[r];
                var baseIdx = r * len;
                for (var t = 0; t < len; t++)
                {
                    var i = baseIdx + (reverse ? len - 1 - t : t);
                    h = aa[i] * h + bb[i];
                    dst[i] = h;
                }
            }
        });
        if (!ReferenceEquals(target, y)) Copy(target, MoveDimsLast(y, [dim]));
    }
}
