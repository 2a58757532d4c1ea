namespace Engine;

/// <summary>Index-driven ops: gather/scatter along a dim, index-select/index-add, embedding lookup, one-hot.
/// Indices are Int64 (Int32 is converted).</summary>
public sealed partial class Tensor
{
    /// <summary>y[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims); index has the rank of x and
    /// sizes no larger than x's outside dim.</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Gather");
        var idx = CheckIndexTensor(index, "Gather");
        if (Rank == 0 && idx.Rank == 0) return Reshape(1).Gather(0, idx.Reshape(1)).Reshape();
        if (idx.Rank != Rank)
            throw new ArgumentException($"Gather: index of shape {Engine.Shape.Format(idx.shape)} must have the rank of the input {Engine.Shape.Format(shape)}");
        for (var k = 0; k < Rank; k++)
            if (k != d && idx.shape[k] > shape[k])
                throw new ArgumentException($"Gather: index of shape {Engine.Shape.Format(idx.shape)} is larger than the input {Engine.Shape.Format(shape)} at dim {k}");
        var y = NewEmpty((int[])idx.shape.Clone());
        Backend.Gather(this, d, idx, y);
        if (NeedsGrad(this))
        {
            var x = this;
            y.Record("Gather", [x], g => [ZerosLike(x).ScatterAdd(d, idx, g)]);
        }
        return y;
    }

    /// <summary>A copy of this tensor with src added at the positions index names along dim (out of place).</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, accumulate: true, "ScatterAdd");

    /// <summary>A copy of this tensor with src written at the positions index names along dim (out of place; with
    /// repeated indices the last write wins).</summary>
    public Tensor Scatter(int dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, accumulate: false, "Scatter");

    /// <summary>A copy with <paramref name="value"/> written at the indexed positions.</summary>
    public Tensor Scatter(int dim, Tensor index, double value)
        => ScatterOp(dim, index, Full(index.shape, value, DType, Device), accumulate: false, "Scatter");

    private Tensor ScatterOp(int dim, Tensor index, Tensor src, bool accumulate, string name)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, name);
        var idx = CheckIndexTensor(index, name);
        CheckSameDevice(src, name);
        if (idx.Rank != Rank || src.Rank != Rank)
            throw new ArgumentException($"{name}: index {Engine.Shape.Format(idx.shape)} and src {Engine.Shape.Format(src.shape)} must have the rank of the tensor {Engine.Shape.Format(shape)}");
        for (var k = 0; k < Rank; k++)
        {
            if (idx.shape[k] > src.shape[k])
                throw new ArgumentException($"{name}: index {Engine.Shape.Format(idx.shape)} is larger than src {Engine.Shape.Format(src.shape)} at dim {k}");
            if (k != d && idx.shape[k] > shape[k])
                throw new ArgumentException($"{name}: index {Engine.Shape.Format(idx.shape)} is larger than the tensor {Engine.Shape.Format(shape)} at dim {k}");
        }
        var s = src.To(DType);
        var y = NewEmptyLike();
        Backend.Copy(this, y);
        Backend.Scatter(y, d, idx, s, accumulate);
        if (NeedsGrad(this, s))
        {
            var x = this;
            y.Record(name, [x, s], g =>
            {
                Tensor? gx = null, gs = null;
                if (x.requiresGrad) gx = accumulate ? g : g.Scatter(d, idx, 0.0);
                if (s.requiresGrad)
                {
                    var picked = g.Gather(d, idx);
                    gs = picked.shape.AsSpan().SequenceEqual(s.shape) ? picked : ZerosLike(s).SliceAssignAll(picked);
                }
                return [gx, gs];
            });
        }
        return y;
    }

    /// <summary>A zero tensor with <paramref name="part"/> written at its leading corner (a gradient of a src larger
    /// than its index).</summary>
    private Tensor SliceAssignAll(Tensor part)
    {
        var pads = new int[Rank * 2];
        for (var k = 0; k < Rank; k++) pads[2 * (Rank - 1 - k) + 1] = shape[k] - part.shape[k];
        return part.PadConstant(pads, 0);
    }

    /// <summary>Rows (along dim) picked by a 1-D index.</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "IndexSelect");
        var idx = CheckIndexTensor(index, "IndexSelect");
        if (idx.Rank > 1)
            throw new ArgumentException($"IndexSelect: the index must be 1-D; got shape {Engine.Shape.Format(idx.shape)}");
        idx = idx.Reshape(-1);
        var y = NewEmpty(ReplaceAt(Rank == 0 ? [1] : shape, d, idx.shape[0]));
        Backend.IndexSelect(Rank == 0 ? Reshape(1) : this, d, idx, y);
        if (NeedsGrad(this))
        {
            var x = this;
            y.Record("IndexSelect", [x], g => [ZerosLike(x).IndexAdd(d, idx, g)]);
        }
        return y;
    }

    /// <summary>A copy of this tensor with src's slices added at the 1-D index's positions along dim.</summary>
    public Tensor IndexAdd(int dim, Tensor index, Tensor src)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "IndexAdd");
        var idx = CheckIndexTensor(index, "IndexAdd");
        if (idx.Rank > 1)
            throw new ArgumentException($"IndexAdd: the index must be 1-D; got shape {Engine.Shape.Format(idx.shape)}");
        idx = idx.Reshape(-1);
        var expected = ReplaceAt(shape, d, idx.shape[0]);
        if (!src.shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"IndexAdd: src has shape {Engine.Shape.Format(src.shape)}; expected {Engine.Shape.Format(expected)} for {idx.shape[0]} indices into {Engine.Shape.Format(shape)} along dim {d}");
        CheckSameDevice(src, "IndexAdd");
        var s = src.To(DType);
        var y = NewEmptyLike();
        Backend.Copy(this, y);
        Backend.IndexAdd(y, d, idx, s);
        if (NeedsGrad(this, s))
        {
            var x = this;
            y.Record("IndexAdd", [x, s], g => [x.requiresGrad ? g : null, s.requiresGrad ? g.IndexSelect(d, idx) : null]);
        }
        return y;
    }

    /// <summary>Rows of a [num, dim] weight picked by integer indices of any shape: result shape indices ++ [dim].
    /// Lookups of <paramref name="paddingIdx"/> (negative counts from the end) pass no gradient to the weight, so
    /// that row stays as it is in training (PyTorch's padding_idx).</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Embedding: weight must be 2-D [num_embeddings, embedding_dim]; got {Engine.Shape.Format(weight.shape)}");
        if (paddingIdx is { } p && (p < -weight.shape[0] || p >= weight.shape[0]))
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: padding index {p} is outside [-{weight.shape[0]}, {weight.shape[0]}) for a weight of shape {Engine.Shape.Format(weight.shape)}");
        var idx = CheckIndexTensor(indices, "Embedding");
        Tensor rows;
        try
        {
            rows = weight.IndexSelect(0, idx.Reshape(-1));
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Report the failure as the caller's op: an index that names no row of the table.
            throw new ArgumentOutOfRangeException(
                $"Embedding: indices must lie in [0, {weight.shape[0]}) for a weight of shape {Engine.Shape.Format(weight.shape)} ({e.Message})", e);
        }
        var result = rows.Reshape([.. idx.shape, weight.shape[1]]);
        if (paddingIdx is not { } pad || !NeedsGrad(result)) return result;
        // Same values; the gradient of the padding lookups is dropped before it reaches the weight.
        var isPadding = idx.Eq(pad < 0 ? pad + weight.shape[0] : pad).Unsqueeze(-1);
        return Where(isPadding, result.Detach(), result);
    }

    /// <summary>One-hot encoding (Int64) with a trailing dim of numClasses (-1: max index + 1).</summary>
    public Tensor OneHot(int numClasses = -1)
    {
        var idx = CheckIndexTensor(this, "OneHot");
        if (numClasses < 0) numClasses = idx.Numel == 0 ? 0 : (int)idx.Max().Item<long>() + 1;
        if (idx.Numel > 0)
        {
            var lo = idx.Min().Item<long>();
            var hi = idx.Max().Item<long>();
            if (lo < 0 || hi >= numClasses)
                throw new ArgumentException($"OneHot: class values must lie in [0, {numClasses}); got values from {lo} to {hi}");
        }
        var zeros = Zeros([.. idx.shape, numClasses], DType.Int64, Device);
        return idx.Numel == 0 ? zeros : zeros.Scatter(idx.Rank, idx.Unsqueeze(-1), 1.0);
    }

    private static Tensor CheckIndexTensor(Tensor index, string op)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.DType == DType.Int64) return index;
        if (index.DType == DType.Int32) return index.To(DType.Int64);
        throw new ArgumentException($"{op}: indices must be Int64 (or Int32); got {index.DType} of shape {Engine.Shape.Format(index.shape)}");
    }
}
