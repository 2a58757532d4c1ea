using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>Counts, through forward hooks on a model's activation layers, how often each unit is positive over the
/// batches that pass. Each batch is reduced at once to one count per unit (a compare and a sum over the batch, on
/// the tensors' device), so no activation outlives its forward pass and the state is one long per unit. Made by
/// <see cref="DeadNeurons.Track"/>. A module shared by several places in the model counts once per call.</summary>
public sealed class DeadNeuronTracker : IDisposable
{
    private readonly LayerCounter[] layers;
    private readonly List<IDisposable> hooks = [];

    internal DeadNeuronTracker(Module model, Func<Module, bool>? isCodeLayer, bool trainingOnly)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = ActivationLayers.Find(model, isCodeLayer);
        if (found.Count == 0)
            throw new ArgumentException($"DeadNeurons: {model.TypeName} has no activation layer to watch (the default finds Relu and LeakyRelu modules; pass isCodeLayer for others)");
        layers = [.. found.Select(f => new LayerCounter(f.Name))];
        for (var i = 0; i < found.Count; i++)
        {
            var counter = layers[i];
            hooks.Add(found[i].Module.RegisterForwardHook((module, _, output) =>
            {
                if (trainingOnly && !module.IsTraining) return;
                counter.Add((Tensor)output!);
            }));
        }
    }

    /// <summary>The statistics of every batch seen since creation or the last <see cref="Reset"/>.</summary>
    public DeadNeuronReport Snapshot() => DeadNeuronReport.FromLayers([.. layers.Select(l => l.ToStats())]);

    /// <summary>Forgets the batches seen so far (call it at the start of each epoch).</summary>
    public void Reset()
    {
        foreach (var l in layers) l.Reset();
    }

    /// <summary>Removes the hooks (the counts stay readable).</summary>
    public void Dispose()
    {
        foreach (var h in hooks) h.Dispose();
        hooks.Clear();
    }

    private sealed class LayerCounter(string name)
    {
        private int[] unitShape = [];
        private long[] active = [];
        private long samples;

        public void Add(Tensor output)
        {
            if (output.Rank < 2)
                throw new InvalidOperationException($"DeadNeurons: layer '{name}' produced shape {Shape.Format(output.Shape)}; expected a batch [N, ...]");
            var shape = output.Shape[1..].ToArray();
            if (unitShape.Length == 0) // first batch: the layer's shape is known from here on
            {
                unitShape = shape;
                active = new long[Shape.Numel(shape)];
            }
            else if (!shape.AsSpan().SequenceEqual(unitShape))
            {
                throw new InvalidOperationException(
                    $"DeadNeurons: layer '{name}' produced samples of shape {Shape.Format(shape)} after {Shape.Format(unitShape)}; one tracker needs one shape per layer");
            }
            long[] counts;
            using (TensorScope.Enter())
            using (Autograd.NoGrad())
                counts = output.Detach().Gt(0).Sum(0).ToArray<long>();
            for (var u = 0; u < counts.Length; u++) active[u] += counts[u];
            samples += output.Size(0);
        }

        public void Reset()
        {
            Array.Clear(active);
            samples = 0;
        }

        public LayerDeadStats ToStats()
        {
            var units = active.Length;
            var zeros = (double)samples * units - active.Sum(c => (double)c);
            var dead = samples == 0 ? 0 : active.Count(c => c == 0);
            return new LayerDeadStats(name, units, samples * (double)units == 0 ? double.NaN : zeros / (samples * (double)units), dead, samples,
                (int[])unitShape.Clone(), (long[])active.Clone());
        }
    }
}
