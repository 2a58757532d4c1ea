using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>Gather, scatter, index-select and index-add. Indices are Int64; out-of-range indices throw an
/// ArgumentException naming the op, the index and the size, never an IndexOutOfRange from inside the loop.</summary>
public sealed partial class CpuBackend
{
    public void Gather(Tensor x, int dim, Tensor index, Tensor y)
    {
        switch (x.DType)
        {
            case DType.Float32: GatherImpl<float>(x, dim, index, y); break;
            case DType.Float64: GatherImpl<double>(x, dim, index, y); break;
            case DType.Int32: GatherImpl<int>(x, dim, index, y); break;
            case DType.Int64: GatherImpl<long>(x, dim, index, y); break;
            case DType.Bool: GatherImpl<byte>(x, dim, index, y); break;
        }
    }

    private static void GatherImpl<T>(Tensor x, int dim, Tensor index, Tensor y)
        where T : unmanaged
    {
        var xs = Buffer<T>(x);
        var ys = Dense<T>(y);
        var ix = Buffer<long>(index);
        var rank = index.Rank;
        var size = x.ShapeArray[dim];
        Span<int> pos = stackalloc int[Math.Max(rank, 1)];
        for (var e = 0; e < ys.Length; e++)
        {
            int xo = x.Offset, io = index.Offset;
            for (var d = 0; d < rank; d++)
            {
                io += pos[d] * index.StrideArray[d];
                if (d != dim) xo += pos[d] * x.StrideArray[d];
            }
            var i = CheckIndex(ix[io], size, "Gather", dim);
            ys[e] = xs[xo + (int)i * x.StrideArray[dim]];
            Increment(pos, index.ShapeArray);
        }
    }

    public void Scatter(Tensor y, int dim, Tensor index, Tensor src, bool accumulate)
    {
        switch (y.DType)
        {
            case DType.Float32: ScatterImpl<float>(y, dim, index, src, accumulate); break;
            case DType.Float64: ScatterImpl<double>(y, dim, index, src, accumulate); break;
            case DType.Int32: ScatterImpl<int>(y, dim, index, src, accumulate); break;
            case DType.Int64: ScatterImpl<long>(y, dim, index, src, accumulate); break;
            default: ThrowUnsupported("Scatter", y.DType); break;
        }
    }

    private static void ScatterImpl<T>(Tensor y, int dim, Tensor index, Tensor src, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        var ys = Buffer<T>(y);
        var ss = Buffer<T>(src);
        var ix = Buffer<long>(index);
        var rank = index.Rank;
        var size = y.ShapeArray[dim];
        Span<int> pos = stackalloc int[Math.Max(rank, 1)];
        for (var e = 0; e < index.Numel; e++)
        {
            int yo = y.Offset, io = index.Offset, so = src.Offset;
            for (var d = 0; d < rank; d++)
            {
                io += pos[d] * index.StrideArray[d];
                so += pos[d] * src.StrideArray[d];
                if (d != dim) yo += pos[d] * y.StrideArray[d];
            }
            var i = CheckIndex(ix[io], size, accumulate ? "ScatterAdd" : "Scatter", dim);
            yo += (int)i * y.StrideArray[dim];
            ys[yo] = accumulate ? ys[yo] + ss[so] : ss[so];
            Increment(pos, index.ShapeArray);
        }
    }

    public void IndexSelect(Tensor x, int dim, Tensor index, Tensor y)
    {
        switch (x.DType)
        {
            case DType.Float32: IndexSelectImpl<float>(x, dim, index, y); break;
            case DType.Float64: IndexSelectImpl<double>(x, dim, index, y); break;
            case DType.Int32: IndexSelectImpl<int>(x, dim, index, y); break;
            case DType.Int64: IndexSelectImpl<long>(x, dim, index, y); break;
            case DType.Bool: IndexSelectImpl<byte>(x, dim, index, y); break;
        }
    }

    private void IndexSelectImpl<T>(Tensor x, int dim, Tensor index, Tensor y)
        where T : unmanaged
    {
        var src = Densify(x);
        var (outer, size, inner) = Split(src.ShapeArray, dim);
        var ids = Densify(index);
        var ix = Dense<long>(ids);
        var count = ix.Length;
        for (var j = 0; j < count; j++) CheckIndex(ix[j], size, "IndexSelect", dim);
        CpuParallel.For(outer * count, inner, (r0, r1) =>
        {
            var xs = Dense<T>(src);
            var ys = Dense<T>(y);
            var ixs = Dense<long>(ids);
            for (var r = r0; r < r1; r++)
            {
                var o = r / count;
                var j = r % count;
                xs.Slice((o * size + (int)ixs[j]) * inner, inner).CopyTo(ys.Slice(r * inner, inner));
            }
        });
    }

    public void IndexAdd(Tensor y, int dim, Tensor index, Tensor src)
    {
        switch (y.DType)
        {
            case DType.Float32: IndexAddImpl<float>(y, dim, index, src); break;
            case DType.Float64: IndexAddImpl<double>(y, dim, index, src); break;
            case DType.Int32: IndexAddImpl<int>(y, dim, index, src); break;
            case DType.Int64: IndexAddImpl<long>(y, dim, index, src); break;
            default: ThrowUnsupported("IndexAdd", y.DType); break;
        }
    }

    private void IndexAddImpl<T>(Tensor y, int dim, Tensor index, Tensor src)
        where T : unmanaged, INumber<T>
    {
        var s = Densify(src);
        var (outer, size, inner) = Split(y.ShapeArray, dim);
        var ix = Dense<long>(Densify(index));
        var count = ix.Length;
        var ys = Dense<T>(y);
        var ss = Dense<T>(s);
        for (var j = 0; j < count; j++) CheckIndex(ix[j], size, "IndexAdd", dim);
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < count; j++)
            {
                var dst = ys.Slice((o * size + (int)ix[j]) * inner, inner);
                TensorPrimitives.Add(dst, ss.Slice((o * count + j) * inner, inner), dst);
            }
        }
    }

    /// <summary>(product of dims before dim, size of dim, product of dims after dim).</summary>
    internal static (int Outer, int Size, int Inner) Split(int[] shape, int dim)
    {
        int outer = 1, inner = 1;
        for (var d = 0; d < dim; d++) outer *= shape[d];
        for (var d = dim + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, shape.Length == 0 ? 1 : shape[dim], inner);
    }

    private static long CheckIndex(long i, int size, string op, int dim)
    {
        if (i < 0 || i >= size)
            throw new ArgumentOutOfRangeException("index", $"{op}: index {i} is out of bounds for dim {dim} of size {size}; expected 0 <= index < {size}");
        return i;
    }

    private static void Increment(Span<int> pos, int[] shape)
    {
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (++pos[d] < shape[d]) return;
            pos[d] = 0;
        }
    }
}
