namespace Engine.Vulkan;

/// <summary>Indexing primitives (shaders/gather.comp, scatter.comp): strided kernels over the index's shape in which
/// one operand stands still along the dim and the index supplies that coordinate. Out-of-range indices read zero and
/// write nothing, and the kernel records the first one in the device's error buffer (binding 3), which the host
/// raises as <see cref="VulkanIndexOutOfRangeException"/> at its next wait (a read or Synchronize): it cannot be
/// raised by the call itself without waiting for the kernel.</summary>
public sealed partial class VulkanBackend
{
    public void Gather(Tensor x, int dim, Tensor index, Tensor y)
        => GatherKernel(IndexErrorBuffer.Op.Gather, x, dim, index, (index.Offset, index.Strides.ToArray()), y);

    /// <summary>Gather with a 1-D index that every position along dim shares: its stride along dim only.</summary>
    public void IndexSelect(Tensor x, int dim, Tensor index, Tensor y)
        => GatherKernel(IndexErrorBuffer.Op.IndexSelect, x, dim, index, SpreadAlong(index, dim, y.Rank), y);

    public void Scatter(Tensor y, int dim, Tensor index, Tensor src, bool accumulate)
        => ScatterKernel(accumulate ? IndexErrorBuffer.Op.ScatterAdd : IndexErrorBuffer.Op.Scatter, y, dim, index, (index.Offset, index.Strides.ToArray()), src, accumulate);

    /// <summary>ScatterAdd with a 1-D index shared along dim, as <see cref="IndexSelect"/>.</summary>
    public void IndexAdd(Tensor y, int dim, Tensor index, Tensor src)
        => ScatterKernel(IndexErrorBuffer.Op.IndexAdd, y, dim, index, SpreadAlong(index, dim, src.Rank), src, accumulate: true);

    private void GatherKernel(IndexErrorBuffer.Op op, Tensor x, int dim, Tensor index, (int, int[]) indexOperand, Tensor y)
    {
        var name = op.ToString();
        if (y.Numel == 0) return;
        var (xOperand, tail) = AlongIndex(x, dim, op);
        Run(device.Pipelines.Get("gather", 4, WordsPerElement(y.DType)), y.Shape, [Own(y, name), Own(x, name), Own(index, name), device.IndexErrors.Storage],
            [(y.Offset, y.Strides.ToArray()), xOperand, indexOperand], tail);
    }

    private void ScatterKernel(IndexErrorBuffer.Op op, Tensor y, int dim, Tensor index, (int, int[]) indexOperand, Tensor src, bool accumulate)
    {
        var name = op.ToString();
        // Accumulation needs an atomic read-modify-write of one 32-bit word: float32 (compare-and-swap) and int32.
        if (accumulate && y.DType is not (DType.Float32 or DType.Int32))
            throw device.Unsupported($"{name} on {y.DType}", "it needs 64-bit atomics, not used yet");
        if (src.Numel == 0) return;
        var (yOperand, tail) = AlongIndex(y, dim, op);
        var kernel = device.Pipelines.Get("scatter", 4, WordsPerElement(y.DType), accumulate ? 1 : 0, y.DType == DType.Float32 ? 1 : 0);
        Run(kernel, src.Shape, [Own(y, name), Own(src, name), Own(index, name), device.IndexErrors.Storage],
            [yOperand, (src.Offset, src.Strides.ToArray()), indexOperand], tail);
    }

    /// <summary>A 1-D index as an operand over a rank-<paramref name="rank"/> shape: moving along dim only.</summary>
    private static (int, int[]) SpreadAlong(Tensor index, int dim, int rank)
    {
        var strides = new int[rank];
        strides[dim] = index.Strides[0];
        return (index.Offset, strides);
    }

    /// <summary>t as an operand that stands still along dim, and the tail carrying t's stride and size there, and
    /// the op and dim for an error report.</summary>
    private static unsafe ((int Offset, int[] Strides) Operand, StridedParams Tail) AlongIndex(Tensor t, int dim, IndexErrorBuffer.Op op)
    {
        var strides = t.Strides.ToArray();
        var tail = new StridedParams();
        ((int*)tail.Tail)[0] = strides[dim];
        ((int*)tail.Tail)[1] = t.Shape[dim];
        ((uint*)tail.Tail)[2] = (uint)op;
        ((int*)tail.Tail)[3] = dim;
        strides[dim] = 0;
        return ((t.Offset, strides), tail);
    }
}
