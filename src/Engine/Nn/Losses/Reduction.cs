namespace Engine.Nn;

/// <summary>How a loss turns its per-element values into the result (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>No reduction: one loss per element (per sample for the class losses).</summary>
    None,

    /// <summary>The mean (for the class-index losses, weighted by the class weights of the non-ignored targets).</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>The sum divided by the batch size (the input's first dim); only <see cref="Losses.KlDiv"/> takes it,
    /// as it makes the result the true KL divergence per sample.</summary>
    BatchMean,
}
