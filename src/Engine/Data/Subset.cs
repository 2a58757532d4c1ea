namespace Engine.Data;

/// <summary>A view of some samples of another dataset: sample i is the underlying dataset's sample indices[i].</summary>
public sealed class Subset : Dataset
{
    private readonly long[] map;

    /// <param name="indices">1-D Int64 (or Int32) indices into <paramref name="dataset"/>, e.g. a part returned by
    /// <see cref="Splits"/>.</param>
    public Subset(Dataset dataset, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank != 1 || !indices.DType.IsInteger())
            throw new ArgumentException($"Subset: indices must be a 1-D Int64 or Int32 tensor; got {indices.DType} {Shape.Format(indices.Shape)}");
        map = indices.ToArray<long>();
        foreach (var i in map)
            if (i < 0 || i >= dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Subset: index {i} is out of range for a dataset of {dataset.Count} samples");
        Dataset = dataset;
        Indices = Tensor.FromArray(map);
    }

    public Dataset Dataset { get; }

    /// <summary>Int64 [Count]: the underlying sample behind each of this subset's samples.</summary>
    public Tensor Indices { get; }

    public override int Count => map.Length;

    public override (Tensor Input, Tensor Target) Get(int index)
    {
        CheckIndex(index);
        return Dataset.Get((int)map[index]);
    }

    /// <summary>Maps the indices and defers to the underlying dataset, so a subset of a tensor dataset still
    /// gathers a batch with one IndexSelect.</summary>
    public override (Tensor Input, Tensor Target) GetBatch(Tensor indices)
    {
        CheckBatchIndices(indices, "GetBatch");
        return Dataset.GetBatch(Indices.IndexSelect(0, indices));
    }
}
