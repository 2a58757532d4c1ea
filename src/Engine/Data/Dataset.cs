namespace Engine.Data;

/// <summary>An indexable collection of (input, target) samples (PyTorch's map-style Dataset).</summary>
/// <remarks>A <see cref="DataLoader"/> calls <see cref="GetBatch"/> once per batch, strictly in batch order, from one
/// thread at a time (a worker thread when it prefetches): an implementation needs no locking, but must not share a
/// <see cref="Generator"/> with code that runs concurrently on the consumer's thread.</remarks>
public abstract class Dataset
{
    public abstract int Count { get; }

    /// <summary>Sample <paramref name="index"/> in [0, Count).</summary>
    public abstract (Tensor Input, Tensor Target) Get(int index);

    /// <summary>The samples at the given indices (Int64 or Int32, 1-D) stacked along a new first dim. This default
    /// calls <see cref="Get"/> per index; tensor-backed datasets override it with one gather.</summary>
    public virtual (Tensor Input, Tensor Target) GetBatch(Tensor indices)
    {
        var ids = CheckBatchIndices(indices, "GetBatch");
        if (ids.Length == 0)
            throw new ArgumentException($"{GetType().Name}.GetBatch: needs at least one index");
        var inputs = new Tensor[ids.Length];
        var targets = new Tensor[ids.Length];
        for (var i = 0; i < ids.Length; i++)
            (inputs[i], targets[i]) = Get((int)ids[i]);
        return (Tensor.Stack(inputs), Tensor.Stack(targets));
    }

    /// <summary>Throws unless 0 &lt;= index &lt; Count.</summary>
    protected void CheckIndex(long index)
    {
        if (index < 0 || index >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{GetType().Name}: index {index} is out of range for {Count} samples");
    }

    /// <summary>The indices of a batch as host values, each checked against Count.</summary>
    protected long[] CheckBatchIndices(Tensor indices, string op)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank != 1 || !indices.DType.IsInteger())
            throw new ArgumentException(
                $"{GetType().Name}.{op}: indices must be a 1-D Int64 or Int32 tensor; got {indices.DType} {Shape.Format(indices.Shape)}");
        var ids = indices.ToArray<long>();
        foreach (var i in ids) CheckIndex(i);
        return ids;
    }
}
