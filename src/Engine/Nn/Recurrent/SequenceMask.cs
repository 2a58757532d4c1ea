namespace Engine.Nn;

/// <summary>Which sequences of a padded batch are still running at each step, from a lengths tensor [B].</summary>
internal sealed class SequenceMask
{
    private readonly long[]? lengths;
    private readonly Tensor?[] active;
    private readonly Device device;

    private SequenceMask(long[]? lengths, int steps, Device device)
    {
        this.lengths = lengths;
        this.device = device;
        MaxLength = lengths is null ? steps : (int)lengths.Max();
        active = new Tensor?[steps];
    }

    /// <summary>The number of steps any sequence runs (T without lengths).</summary>
    public int MaxLength { get; }

    /// <summary>Checks the lengths (Int64 or Int32, shape [B], each in [1, T]); null lengths mean all run T steps.</summary>
    public static SequenceMask Create(string op, Tensor? lengths, bool batched, int steps, int batch, Device device)
    {
        if (lengths is null) return new SequenceMask(null, steps, device);
        if (!batched)
            throw new ArgumentException($"{op}: lengths need a batched input (lengths give one length per sequence of the batch)");
        if (lengths.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"{op}: lengths must be Int64 or Int32; got {lengths.DType}");
        if (lengths.Rank != 1 || lengths.Size(0) != batch)
            throw new ArgumentException($"{op}: lengths must have shape {Shape.Format([batch])} (one per sequence); got {Shape.Format(lengths.Shape)}");
        var values = lengths.To(DType.Int64).ToArray<long>();
        for (var b = 0; b < values.Length; b++)
            if (values[b] < 1 || values[b] > steps)
                throw new ArgumentException($"{op}: lengths[{b}] = {values[b]} is outside [1, {steps}] (the input has {steps} steps)");
        return new SequenceMask(values.All(v => v == steps) ? null : values, steps, device);
    }

    /// <summary>A Bool [B, 1] mask of the sequences running at step t, or null when all of them are.</summary>
    public Tensor? Active(int t)
    {
        if (lengths is null || lengths.All(v => v > t)) return null;
        return active[t] ??= Tensor.FromArray(lengths.Select(v => v > t).ToArray(), lengths.Length, 1).To(device);
    }
}
