using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Engine.Backends.Cpu;

/// <summary>Reductions, arg-reductions and softmax. Each works on rows: the reduced dims are moved last (and the
/// data made contiguous when needed), or, when the kept dims are already the contiguous tail, whole rows are
/// accumulated into the output with vector adds.</summary>
public sealed partial class CpuBackend
{
    public void Reduce(ReduceOp op, Tensor x, int[] dims, Tensor y)
    {
        switch (x.DType)
        {
            case DType.Float32: ReduceImpl<float>(op, x, dims, y); break;
            case DType.Float64: ReduceImpl<double>(op, x, dims, y); break;
            case DType.Int32: ReduceImpl<int>(op, x, dims, y); break;
            case DType.Int64: ReduceImpl<long>(op, x, dims, y); break;
            default: ThrowUnsupported($"Reduce {op}", x.DType); break;
        }
    }

    private void ReduceImpl<T>(ReduceOp op, Tensor x, int[] dims, Tensor y)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var outer = y.Numel;
        var inner = outer == 0 ? 0 : x.Numel / outer;
        var yd = Dense<T>(y);
        if (inner == 0)
        {
            yd.Fill(T.Zero);
            return;
        }

        // Kept dims contiguous at the tail: accumulate rows of x into y. Only for rows long enough to vectorise; a
        // full reduction (outer = 1) would otherwise add one element at a time into a float32 running sum.
        if (x.IsContiguous && IsLeadingPrefix(dims) && outer >= MinAccumulatedRow)
        {
            var xd = Dense<T>(x);
            xd[..outer].CopyTo(yd);
            for (var r = 1; r < inner; r++)
            {
                var row = xd.Slice(r * outer, outer);
                switch (op)
                {
                    case ReduceOp.Sum: TensorPrimitives.Add(yd, row, yd); break;
                    case ReduceOp.Max: TensorPrimitives.Max(yd, row, yd); break;
                    case ReduceOp.Min: TensorPrimitives.Min(yd, row, yd); break;
                }
            }
            return;
        }

        var rows = Densify(MoveDimsLast(x, dims));
        if (outer == 1 && inner >= 2 * RowChunk)
        {
            yd[0] = ReduceLongRow<T>(op, rows, inner);
            return;
        }
        CpuParallel.For(outer, inner, (r0, r1) =>
        {
            var src = Dense<T>(rows);
            var dst = Dense<T>(y);
            for (var r = r0; r < r1; r++)
            {
                var row = src.Slice(r * inner, inner);
                dst[r] = op switch
                {
                    ReduceOp.Sum => SumRow(row),
                    ReduceOp.Max => TensorPrimitives.Max<T>(row),
                    _ => TensorPrimitives.Min<T>(row),
                };
            }
        });
    }

    private const int MinAccumulatedRow = 16;

    private const int SumBlock = 4096;

    /// <summary>The sum of a row. A long float32 row is summed in blocks whose partial sums are accumulated in
    /// float64: float32 accumulators over millions of elements drift by whole percents once the running sums dwarf
    /// the elements.</summary>
    private static T SumRow<T>(ReadOnlySpan<T> row)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) != typeof(float) || row.Length <= SumBlock) return TensorPrimitives.Sum<T>(row);
        return T.CreateChecked((float)BlockSum(MemoryMarshal.Cast<T, float>(row)));
    }

    /// <summary>Float32 values summed in blocks of <see cref="SumBlock"/> whose partial sums add up in float64.</summary>
    private static double BlockSum(ReadOnlySpan<float> values)
    {
        var total = 0.0;
        for (var i = 0; i < values.Length; i += SumBlock)
            total += TensorPrimitives.Sum(values.Slice(i, Math.Min(SumBlock, values.Length - i)));
        return total;
    }

    /// <summary>Elements per piece of a long row reduced on several cores: a multiple of <see cref="SumBlock"/>, and
    /// fixed (not derived from the thread count), so the result is the same on every machine.</summary>
    private const int RowChunk = 16 * SumBlock;

    /// <summary>A full reduction of one long row, in pieces of <see cref="RowChunk"/> reduced in parallel and then
    /// combined in order. Float32 sums keep each piece's total in float64, as <see cref="SumRow{T}"/> does.</summary>
    private static T ReduceLongRow<T>(ReduceOp op, Tensor rows, int inner)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var pieces = (inner + RowChunk - 1) / RowChunk;
        var floatSum = op == ReduceOp.Sum && typeof(T) == typeof(float);
        var totals = floatSum ? new double[pieces] : null;
        var partials = new T[pieces];
        CpuParallel.For(pieces, RowChunk, (p0, p1) =>
        {
            var src = Dense<T>(rows);
            for (var p = p0; p < p1; p++)
            {
                var piece = src.Slice(p * RowChunk, Math.Min(RowChunk, inner - p * RowChunk));
                if (totals is not null)
                {
                    totals[p] = BlockSum(MemoryMarshal.Cast<T, float>(piece));
                    continue;
                }
                partials[p] = op switch
                {
                    ReduceOp.Sum => TensorPrimitives.Sum<T>(piece),
                    ReduceOp.Max => TensorPrimitives.Max<T>(piece),
                    _ => TensorPrimitives.Min<T>(piece),
                };
            }
        });
        if (totals is not null)
        {
            var sum = 0.0;
            foreach (var t in totals) sum += t;
            return T.CreateChecked((float)sum);
        }
        return op switch
        {
            ReduceOp.Sum => TensorPrimitives.Sum<T>(partials),
            ReduceOp.Max => TensorPrimitives.Max<T>(partials),
            _ => TensorPrimitives.Min<T>(partials),
        };
    }

    private static bool IsLeadingPrefix(int[] dims)
    {
        for (var i = 0; i < dims.Length; i++)
            if (dims[i] != i) return false;
        return true;
    }

    /// <summary>A view of x with the given dims moved (in order) after all others.</summary>
    internal static Tensor MoveDimsLast(Tensor x, int[] dims)
    {
        var perm = new int[x.Rank];
        var k = 0;
        for (var d = 0; d < x.Rank; d++)
            if (Array.IndexOf(dims, d) < 0) perm[k++] = d;
        foreach (var d in dims) perm[k++] = d;
        var shape = new int[x.Rank];
        var strides = new int[x.Rank];
        for (var i = 0; i < x.Rank; i++)
        {
            shape[i] = x.ShapeArray[perm[i]];
            strides[i] = x.StrideArray[perm[i]];
        }
        return x.AsStrided(shape, strides, x.Offset);
    }

    public void ArgReduce(bool max, Tensor x, int dim, Tensor indices, Tensor? values)
    {
        switch (x.DType)
        {
            case DType.Float32: ArgReduceImpl<float>(max, x, dim, indices, values); break;
            case DType.Float64: ArgReduceImpl<double>(max, x, dim, indices, values); break;
            case DType.Int32: ArgReduceImpl<int>(max, x, dim, indices, values); break;
            case DType.Int64: ArgReduceImpl<long>(max, x, dim, indices, values); break;
            default: ThrowUnsupported(max ? "Argmax" : "Argmin", x.DType); break;
        }
    }

    private void ArgReduceImpl<T>(bool max, Tensor x, int dim, Tensor indices, Tensor? values)
        where T : unmanaged, INumber<T>
    {
        var rows = Densify(MoveDimsLast(x, [dim]));
        var inner = x.ShapeArray[dim];
        var outer = indices.Numel;
        var src = Dense<T>(rows);
        var idx = Dense<long>(indices);
        var vals = values is null ? default : Dense<T>(values);
        for (var r = 0; r < outer; r++)
        {
            var row = src.Slice(r * inner, inner);
            var best = 0;
            var bestValue = row[0];
            if (!IsNaN(bestValue))
            {
                for (var i = 1; i < inner; i++)
                {
                    var v = row[i];
                    if (IsNaN(v))
                    {
                        best = i;
                        bestValue = v;
                        break;
                    }
                    if (max ? v > bestValue : v < bestValue)
                    {
                        best = i;
                        bestValue = v;
                    }
                }
            }
            idx[r] = best;
            if (values is not null) vals[r] = bestValue;
        }

        static bool IsNaN(T v) => T.IsNaN(v);
    }

    public void Softmax(Tensor x, int dim, Tensor y, bool log)
    {
        switch (x.DType)
        {
            case DType.Float32: SoftmaxImpl<float>(x, dim, y, log); break;
            case DType.Float64: SoftmaxImpl<double>(x, dim, y, log); break;
            default: ThrowUnsupported("Softmax", x.DType); break;
        }
    }

    private void SoftmaxImpl<T>(Tensor x, int dim, Tensor y, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var rows = Densify(MoveDimsLast(x, [dim]));
        var inner = x.ShapeArray[dim];
        var outer = y.Numel / inner;
        var lastDim = dim == x.Rank - 1;
        var target = lastDim ? y : Tensor.Empty(rows.ShapeArray.ToArray(), y.DType, Device.Cpu);
        CpuParallel.For(outer, inner * 4L, (r0, r1) =>
        {
            var src = Dense<T>(rows);
            var dst = Dense<T>(target);
            for (var r = r0; r < r1; r++)
            {
                var xr = src.Slice(r * inner, inner);
                var yr = dst.Slice(r * inner, inner);
                var m = TensorPrimitives.Max<T>(xr);
                if (T.IsInfinity(m) && m < T.Zero) m = T.Zero;
                TensorPrimitives.Subtract(xr, m, yr);
                if (log)
                {
                    // log_softmax = (x - m) - log(sum(exp(x - m))): the exps go through y (vectorised) and x - m is
                    // formed again, so no scratch row is needed and the rounding is that of two subtractions.
                    TensorPrimitives.Exp(yr, yr);
                    var logSum = T.Log(TensorPrimitives.Sum<T>(yr));
                    TensorPrimitives.Subtract(xr, m, yr);
                    TensorPrimitives.Subtract(yr, logSum, yr);
                }
                else
                {
                    TensorPrimitives.Exp(yr, yr);
                    var sum = TensorPrimitives.Sum<T>(yr);
                    TensorPrimitives.Divide(yr, sum, yr);
                }
            }
        });
        if (lastDim) return;
        // Both temporaries are disposed, so y stays its storage's only holder.
        using (var yView = MoveDimsLast(y, [dim])) Copy(target, yView);
        target.Dispose();
    }

    public void SoftmaxBackward(Tensor y, Tensor gy, int dim, Tensor gx, bool log)
    {
        switch (y.DType)
        {
            case DType.Float32: SoftmaxBackwardImpl<float>(y, gy, dim, gx, log); break;
            case DType.Float64: SoftmaxBackwardImpl<double>(y, gy, dim, gx, log); break;
            default: ThrowUnsupported("SoftmaxBackward", y.DType); break;
        }
    }

    private void SoftmaxBackwardImpl<T>(Tensor y, Tensor gy, int dim, Tensor gx, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gx.Numel == 0) return;
        var yr = Densify(MoveDimsLast(y, [dim]));
        var gr = Densify(MoveDimsLast(gy, [dim]));
        var inner = y.ShapeArray[dim];
        var outer = y.Numel / inner;
        var lastDim = dim == y.Rank - 1;
        var target = lastDim ? gx : Tensor.Empty(yr.ShapeArray.ToArray(), gx.DType, Device.Cpu);
        CpuParallel.For(outer, inner * 3L, (r0, r1) =>
        {
            var ys = Dense<T>(yr);
            var gs = Dense<T>(gr);
            var dst = Dense<T>(target);
            for (var r = r0; r < r1; r++)
            {
                var yRow = ys.Slice(r * inner, inner);
                var gRow = gs.Slice(r * inner, inner);
                var dRow = dst.Slice(r * inner, inner);
                if (log)
                {
                    // gx = g - exp(y) * sum(g)
                    var sum = TensorPrimitives.Sum<T>(gRow);
                    TensorPrimitives.Exp(yRow, dRow);
                    TensorPrimitives.MultiplyAdd(dRow, -sum, gRow, dRow);
                }
                else
                {
                    // gx = y * (g - sum(g * y))
                    var dot = TensorPrimitives.Dot<T>(gRow, yRow);
                    for (var i = 0; i < inner; i++) dRow[i] = yRow[i] * (gRow[i] - dot);
                }
            }
        });
        if (!lastDim) Copy(target, MoveDimsLast(gx, [dim]));
    }
}
