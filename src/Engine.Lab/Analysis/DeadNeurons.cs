using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>One activation layer's dead-neuron statistics. A unit is one output element of a sample (for a CNN a
/// (channel, position)); an activation counts as zero when it is not positive, which for ReLU is exactly zero and
/// for LeakyReLU is the negative side: the same binarisation as the activation codes.</summary>
/// <param name="Units">Units per sample (0 while the layer has not run).</param>
/// <param name="ZeroFraction">Fraction of the (sample, unit) activations that are zero; NaN before any sample.</param>
/// <param name="DeadUnits">Units that were zero on every sample seen (0 before any sample).</param>
/// <param name="Samples">Samples seen.</param>
/// <param name="UnitShape">The shape of one sample's output, e.g. [C, H, W] for a convolution.</param>
/// <param name="ActiveCounts">Per unit (flattened in <paramref name="UnitShape"/> order), the samples on which it
/// was positive: the pruning analyses read which units are dead from here.</param>
public sealed record LayerDeadStats(string Name, int Units, double ZeroFraction, int DeadUnits, long Samples, int[] UnitShape, long[] ActiveCounts)
{
    /// <summary>Whether a unit was zero on every sample seen (false before any sample).</summary>
    public bool IsDead(int unit)
    {
        if (unit < 0 || unit >= Units) throw new ArgumentOutOfRangeException(nameof(unit), $"LayerDeadStats: unit {unit} is outside [0, {Units}) of layer '{Name}'");
        return Samples > 0 && ActiveCounts[unit] == 0;
    }

    /// <summary>Dead units per channel, the first dim of <see cref="UnitShape"/>: for a convolution [C, H, W] the
    /// dead positions of each channel (a channel is dead when its count is H * W); for a dense layer [F] each
    /// unit is its own channel (0 or 1).</summary>
    public int[] DeadPerChannel()
    {
        if (UnitShape.Length == 0) return [];
        var dead = new int[UnitShape[0]];
        if (Units == 0) return dead;
        var perChannel = Units / dead.Length;
        for (var u = 0; u < Units; u++)
            if (Samples > 0 && ActiveCounts[u] == 0) dead[u / perChannel]++;
        return dead;
    }
}

/// <summary>Dead-neuron statistics of every activation layer, and over all of them: the zero fraction weighs each
/// layer by its units.</summary>
public sealed record DeadNeuronReport(IReadOnlyList<LayerDeadStats> Layers, double ZeroFraction, int DeadUnits, int Units)
{
    /// <summary>Builds the overall numbers from the layers' counts.</summary>
    internal static DeadNeuronReport FromLayers(IReadOnlyList<LayerDeadStats> layers)
    {
        double zeros = 0, activations = 0;
        foreach (var l in layers)
        {
            activations += (double)l.Samples * l.Units;
            zeros += (double)l.Samples * l.Units - l.ActiveCounts.Sum(c => (double)c);
        }
        return new DeadNeuronReport(layers, activations == 0 ? double.NaN : zeros / activations, layers.Sum(l => l.DeadUnits), layers.Sum(l => l.Units));
    }
}

/// <summary>Dead-neuron statistics: how often the units of a network's ReLU-like layers output zero, on a data set
/// (<see cref="Measure"/>) or over the training batches as training goes (<see cref="Track"/>).</summary>
public static class DeadNeurons
{
    /// <summary>Zero fraction of the (sample, unit) activations per layer and overall, and the units zero on every
    /// sample, with the model in eval mode and without gradients (its mode is restored afterwards).</summary>
    /// <param name="inputs">A batch [N, ...] of N &gt; 0 samples, on the model's device.</param>
    /// <param name="isCodeLayer">Which modules count as activation layers; default ReLU and LeakyReLU.</param>
    public static DeadNeuronReport Measure(Module model, Tensor inputs, int batchSize = 1000, Func<Module, bool>? isCodeLayer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var tracker = new DeadNeuronTracker(model, isCodeLayer, trainingOnly: false);
        EvalBatches.Run("DeadNeurons.Measure", model, inputs, batchSize);
        return tracker.Snapshot();
    }

    /// <summary>Whether the model has an activation layer to watch, i.e. whether <see cref="Track"/> and
    /// <see cref="Measure"/> apply to it.</summary>
    public static bool CanTrack(Module model, Func<Module, bool>? isCodeLayer = null) => ActivationLayers.Find(model, isCodeLayer).Count > 0;

    /// <summary>Attaches a tracker to the model's activation layers that accumulates the dynamic dead-neuron rate of
    /// the forward passes it sees, made in training mode only unless <paramref name="trainingOnly"/> is false (so
    /// evaluation passes between epochs do not count). Read it with Snapshot(), clear it with Reset() (per
    /// epoch); Dispose removes the hooks.</summary>
    public static DeadNeuronTracker Track(Module model, Func<Module, bool>? isCodeLayer = null, bool trainingOnly = true) =>
        new(model, isCodeLayer, trainingOnly);
}
