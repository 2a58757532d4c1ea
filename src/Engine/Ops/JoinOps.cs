namespace Engine;

/// <summary>Joining and splitting: Cat, Stack (copies), Split, Chunk (views).</summary>
public sealed partial class Tensor
{
    /// <summary>Concatenates tensors along an existing dim; all other sizes must match.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Cat: needs at least one tensor");
        var first = tensors[0];
        var d = Engine.Shape.NormalizeDim(dim, first.Rank, "Cat");
        if (first.Rank == 0) throw new ArgumentException("Cat: zero-dimensional tensors cannot be concatenated; use Stack");
        var dtype = first.DType;
        var total = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            first.CheckSameDevice(t, "Cat");
            if (t.Rank != first.Rank)
                throw new ArgumentException($"Cat: tensor {i} has rank {t.Rank} (shape {Engine.Shape.Format(t.shape)}) but tensor 0 has rank {first.Rank} (shape {Engine.Shape.Format(first.shape)})");
            for (var k = 0; k < t.Rank; k++)
                if (k != d && t.shape[k] != first.shape[k])
                    throw new ArgumentException(
                        $"Cat: shapes {Engine.Shape.Format(first.shape)} and {Engine.Shape.Format(t.shape)} (tensor {i}) differ at dim {k}: {first.shape[k]} != {t.shape[k]}; only dim {d} may differ");
            dtype = DTypeExtensions.Promote(dtype, t.DType);
            total += t.shape[d];
        }
        var outShape = ReplaceAt(first.shape, d, total);
        var y = Empty(outShape, dtype, first.Device);
        var at = 0;
        var sizes = new int[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            sizes[i] = t.shape[d];
            if (sizes[i] > 0)
            {
                using var target = y.AsStrided(ReplaceAt(outShape, d, sizes[i]), y.strides, at * y.strides[d]);
                y.Backend.Copy(t, target);
            }
            at += sizes[i];
        }
        var inputs = tensors.ToArray();
        if (NeedsGrad(inputs))
        {
            y.Record("Cat", inputs, g =>
            {
                var grads = new Tensor?[inputs.Length];
                var start = 0;
                for (var i = 0; i < inputs.Length; i++)
                {
                    if (inputs[i].requiresGrad) grads[i] = g.Narrow(d, start, sizes[i]).To(inputs[i].DType);
                    start += sizes[i];
                }
                return grads;
            });
        }
        return y;
    }

    /// <summary>Stacks tensors of one shape along a new dim.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor");
        var first = tensors[0];
        for (var i = 1; i < tensors.Count; i++)
            if (!tensors[i].shape.AsSpan().SequenceEqual(first.shape))
                throw new ArgumentException($"Stack: tensor {i} has shape {Engine.Shape.Format(tensors[i].shape)} but tensor 0 has {Engine.Shape.Format(first.shape)}; all must match");
        var d = Engine.Shape.NormalizeDim(dim, first.Rank + 1, "Stack");
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }

    /// <summary>Views of consecutive pieces of <paramref name="splitSize"/> along dim (the last may be smaller).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        if (splitSize <= 0) throw new ArgumentException($"Split: splitSize must be positive; got {splitSize}");
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Split");
        var n = shape[d];
        var count = Math.Max(1, (n + splitSize - 1) / splitSize);
        var sizes = new int[count];
        for (var i = 0; i < count; i++) sizes[i] = Math.Min(splitSize, n - i * splitSize);
        return Split(sizes, d);
    }

    /// <summary>Views of pieces with the given sizes along dim; the sizes must add up to the dim's size.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Split");
        if (sizes.Sum() != shape[d] || sizes.Any(s => s < 0))
            throw new ArgumentException($"Split: sizes ({string.Join(", ", sizes)}) do not add up to {shape[d]}, the size of dim {d} (shape {Engine.Shape.Format(shape)})");
        var result = new Tensor[sizes.Length];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = Narrow(d, start, sizes[i]);
            start += sizes[i];
        }
        return result;
    }

    /// <summary><paramref name="chunks"/> views of (nearly) equal size along dim, as PyTorch's chunk.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"Chunk: chunks must be positive; got {chunks}");
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Chunk");
        var size = (shape[d] + chunks - 1) / chunks;
        return Split(Math.Max(size, 1), d);
    }
}
