namespace Engine.Data;

/// <summary>What a <see cref="SequenceSet"/>'s targets are, read off their dtype and shape.</summary>
public enum SequenceTargetKind
{
    /// <summary>One class per sequence: Int64 [N].</summary>
    Class,

    /// <summary>One real value per sequence (regression): Float32 [N].</summary>
    Value,

    /// <summary>One class per time step: Int64 [N, T].</summary>
    StepClass,
}

/// <summary>Sequences of feature vectors with their lengths and targets: the common currency of the sequence tasks
/// (Reber strings, sequential digits, the adding problem, the copy task). Batch-first, like the samples-first
/// tables of this namespace; a recurrent model reads them with batchFirst.</summary>
/// <param name="Inputs">Float32 [N, T, F], zero past each sequence's length.</param>
/// <param name="Lengths">Int64 [N], each in [1, T]: steps past a length are padding, not data.</param>
/// <param name="Targets">Int64 [N] (a class per sequence), Float32 [N] (a value per sequence) or Int64 [N, T] (a class
/// per step).</param>
/// <param name="ClassNames">The target classes (empty for values).</param>
public sealed record SequenceSet(string Name, Tensor Inputs, Tensor Lengths, Tensor Targets, string[] ClassNames)
{
    // A positional record has no constructor body: this initialiser is where its constructor checks the arguments.
    public Tensor Targets { get; init; } = Validate(Name, Inputs, Lengths, Targets, ClassNames);

    public int Count => Inputs.Size(0);

    /// <summary>T: the padded length, at least the longest sequence.</summary>
    public int Steps => Inputs.Size(1);

    /// <summary>F: features per step.</summary>
    public int Features => Inputs.Size(2);

    public int ClassCount => ClassNames.Length;

    public SequenceTargetKind TargetKind => TargetKindOf(Targets)!.Value;

    /// <summary>The sequences at the given Int64 indices (a copy).</summary>
    public SequenceSet Take(Tensor indices) => this with
    {
        Inputs = Inputs.IndexSelect(0, indices),
        Lengths = Lengths.IndexSelect(0, indices),
        Targets = Targets.IndexSelect(0, indices),
    };

    /// <summary>Seeded parts of the given fractions (e.g. [0.75, 0.25]): stratified by class for one class per
    /// sequence (<see cref="Splits.Stratified"/>), plain random otherwise (<see cref="Splits.Random"/>).</summary>
    public SequenceSet[] Split(double[] fractions, ulong seed)
    {
        var parts = TargetKind == SequenceTargetKind.Class ? Splits.Stratified(Targets, fractions, seed) : Splits.Random(Count, fractions, seed);
        return parts.Select(Take).ToArray();
    }

    /// <summary>One epoch of batches, in order or in a fresh permutation drawn from <paramref name="generator"/> when
    /// <paramref name="shuffle"/>. Each batch is cut to its longest sequence, so short sequences do not pay for the
    /// longest one in the set.</summary>
    public IEnumerable<SequenceBatch> Batches(int batchSize, bool shuffle = false, Generator? generator = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"SequenceSet.Batches: batchSize must be positive; got {batchSize}");
        var order = shuffle ? Tensor.RandPerm(Count, generator ?? Generator.Default) : Tensor.Arange(Count);
        for (var start = 0; start < Count; start += batchSize)
        {
            var indices = order.Narrow(0, start, Math.Min(batchSize, Count - start));
            var lengths = Lengths.IndexSelect(0, indices);
            var steps = (int)lengths.Max().Item<long>();
            var targets = Targets.IndexSelect(0, indices);
            yield return new SequenceBatch(
                Inputs.IndexSelect(0, indices).Narrow(1, 0, steps),
                lengths,
                TargetKind == SequenceTargetKind.StepClass ? targets.Narrow(1, 0, steps) : targets);
        }
    }

    private static SequenceTargetKind? TargetKindOf(Tensor targets) => (targets.DType, targets.Rank) switch
    {
        (DType.Int64, 1) => SequenceTargetKind.Class,
        (DType.Float32, 1) => SequenceTargetKind.Value,
        (DType.Int64, 2) => SequenceTargetKind.StepClass,
        _ => null,
    };

    private static Tensor Validate(string name, Tensor inputs, Tensor lengths, Tensor targets, string[] classNames)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(classNames);
        if (inputs.DType != DType.Float32 || inputs.Rank != 3)
            throw new ArgumentException($"SequenceSet {name}: inputs must be Float32 [N, T, F]; got {inputs.DType} {Shape.Format(inputs.Shape)}");
        var (n, steps) = (inputs.Size(0), inputs.Size(1));
        if (lengths.DType != DType.Int64 || lengths.Rank != 1 || lengths.Size(0) != n)
            throw new ArgumentException($"SequenceSet {name}: lengths must be Int64 [{n}]; got {lengths.DType} {Shape.Format(lengths.Shape)}");
        if (n > 0 && (lengths.Min().Item<long>() < 1 || lengths.Max().Item<long>() > steps))
            throw new ArgumentException(
                $"SequenceSet {name}: lengths must lie in [1, {steps}]; got {lengths.Min().Item<long>()} to {lengths.Max().Item<long>()}");
        var kind = TargetKindOf(targets);
        if (kind is null || targets.Size(0) != n || (kind == SequenceTargetKind.StepClass && targets.Size(1) != steps))
            throw new ArgumentException(
                $"SequenceSet {name}: targets must be Int64 [{n}], Float32 [{n}] or Int64 [{n}, {steps}]; got {targets.DType} {Shape.Format(targets.Shape)}");
        if (kind != SequenceTargetKind.Value && n > 0
            && (targets.Min().Item<long>() < 0 || targets.Max().Item<long>() >= classNames.Length))
            throw new ArgumentException(
                $"SequenceSet {name}: target classes must lie in [0, {classNames.Length}); got {targets.Min().Item<long>()} to {targets.Max().Item<long>()}");
        return targets;
    }
}

/// <summary>A batch of a <see cref="SequenceSet"/>: inputs [B, T, F] with T the batch's longest length, lengths [B],
/// targets [B] or [B, T].</summary>
public sealed record SequenceBatch(Tensor Inputs, Tensor Lengths, Tensor Targets);
