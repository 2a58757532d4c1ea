namespace Engine.Data;

/// <summary>Samples held in two tensors whose first dim indexes them: inputs [N, ...] and targets [N, ...].</summary>
public sealed class TensorDataset : Dataset
{
    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank < 1 || targets.Rank < 1 || inputs.Size(0) != targets.Size(0))
            throw new ArgumentException(
                $"TensorDataset: inputs {Shape.Format(inputs.Shape)} and targets {Shape.Format(targets.Shape)} must have the same first dim (the sample count)");
        if (inputs.Device != targets.Device)
            throw new ArgumentException($"TensorDataset: inputs are on {inputs.Device} but targets on {targets.Device}");
        Inputs = inputs;
        Targets = targets;
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public override int Count => Inputs.Size(0);

    /// <summary>Views of row <paramref name="index"/> of the inputs and targets.</summary>
    public override (Tensor Input, Tensor Target) Get(int index)
    {
        CheckIndex(index);
        return (Inputs.Select(0, index), Targets.Select(0, index));
    }

    /// <summary>One IndexSelect per tensor: the batch is a compact copy of the indexed rows.</summary>
    public override (Tensor Input, Tensor Target) GetBatch(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank != 1)
            throw new ArgumentException($"TensorDataset.GetBatch: indices must be 1-D; got {Shape.Format(indices.Shape)}");
        return (Inputs.IndexSelect(0, indices), Targets.IndexSelect(0, indices));
    }
}
