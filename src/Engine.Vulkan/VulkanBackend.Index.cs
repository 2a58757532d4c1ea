namespace Engine.Vulkan;

/// <summary>Indexing primitives (shaders/gather.comp, scatter.comp): strided kernels over the index's shape in which
/// one operand stands still along the dim and the index supplies that coordinate. Out-of-range indices read zero and
/// write nothing; unlike the CPU they are not reported yet.</summary>
public sealed partial class VulkanBackend
{
    public void Gather(Tensor x, int dim, Tensor index, Tensor y)
    {
        if (y.Numel == 0) return;
        const string name = "Gather";
        var (xOperand, tail) = AlongIndex(x, dim);
        Run(device.Pipelines.Get("gather", 3, WordsPerElement(y.DType)), y.Shape, [Own(y, name), Own(x, name), Own(index, name)],
            [(y.Offset, y.Strides.ToArray()), xOperand, (index.Offset, index.Strides.ToArray())], tail);
    }

    public void Scatter(Tensor y, int dim, Tensor index, Tensor src, bool accumulate)
    {
        var name = accumulate ? "ScatterAdd" : "Scatter";
        // Accumulation needs an atomic read-modify-write of one 32-bit word: float32 (compare-and-swap) and int32.
        if (accumulate && y.DType is not (DType.Float32 or DType.Int32))
            throw device.Unsupported($"{name} on {y.DType}", "it needs 64-bit atomics, not used yet");
        if (index.Numel == 0) return;
        var (yOperand, tail) = AlongIndex(y, dim);
        var kernel = device.Pipelines.Get("scatter", 3, WordsPerElement(y.DType), accumulate ? 1 : 0, y.DType == DType.Float32 ? 1 : 0);
        Run(kernel, index.Shape, [Own(y, name), Own(src, name), Own(index, name)],
            [yOperand, (src.Offset, src.Strides.ToArray()), (index.Offset, index.Strides.ToArray())], tail);
    }

    /// <summary>t as an operand that stands still along dim, and the tail carrying t's stride and size there.</summary>
    private static unsafe ((int Offset, int[] Strides) Operand, StridedParams Tail) AlongIndex(Tensor t, int dim)
    {
        var strides = t.Strides.ToArray();
        var tail = new StridedParams();
        ((int*)tail.Tail)[0] = strides[dim];
        ((int*)tail.Tail)[1] = t.Shape[dim];
        strides[dim] = 0;
        return ((t.Offset, strides), tail);
    }
}
