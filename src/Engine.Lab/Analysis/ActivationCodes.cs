using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>One activation layer's share of the code: <paramref name="Units"/> consecutive bits, named as in
/// <see cref="Module.NamedModules"/>.</summary>
public sealed record LayerCodes(string Name, int Units);

/// <summary>The codes of a data set and which bits come from which layer (in order).</summary>
public sealed record CollectedCodes(CodeMatrix Codes, IReadOnlyList<LayerCodes> Layers);

/// <summary>Neural codes (He et al. 2021, "Neural networks behave as hash encoders"): the on/off pattern of every
/// ReLU-like unit of a trained network for each sample, and the determinism of that hash (redundancy ratio).</summary>
public static class ActivationCodes
{
    /// <summary>Runs <paramref name="inputs"/> (a batch [N, ...]) through <paramref name="model"/> in eval mode, under
    /// NoGrad, in batches of <paramref name="batchSize"/>, with forward hooks on every code layer (default
    /// <see cref="ActivationLayers.IsReluLike"/>, else those <paramref name="isCodeLayer"/> accepts), and binarises
    /// each layer's output (1 where &gt; 0), concatenating the layers in module order; for a CNN every (channel,
    /// position) is a bit. A layer module called several times per forward pass (a shared ReLU) contributes each
    /// call's output in call order. The model's train/eval flags are restored afterwards.</summary>
    /// <remarks>Sequential fuses a Linear+activation pair into one op unless the activation has forward hooks;
    /// the hooks registered here turn that fusion off, so the activation's output exists to be read.</remarks>
    public static CollectedCodes Collect(Module model, Tensor inputs, int batchSize = 1000, Func<Module, bool>? isCodeLayer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = ActivationLayers.Find(model, isCodeLayer);
        if (layers.Count == 0)
            throw new ArgumentException($"ActivationCodes.Collect: {model.TypeName} has no code layers (default: ReLU or LeakyReLU modules)");

        var outputs = layers.Select(_ => new List<Tensor>()).ToArray();
        var hooks = new List<IDisposable>();
        CodeMatrix? codes = null;
        int[]? units = null;
        try
        {
            for (var i = 0; i < layers.Count; i++)
            {
                var calls = outputs[i];
                var name = layers[i].Name;
                hooks.Add(layers[i].Module.RegisterForwardHook((_, _, output) =>
                    calls.Add(output as Tensor ?? throw new InvalidOperationException(
                        $"ActivationCodes.Collect: code layer '{name}' returned {output?.GetType().Name ?? "null"}; expected a Tensor"))));
            }
            EvalBatches.Run("ActivationCodes.Collect", model, inputs, batchSize, (start, count) =>
            {
                var batchUnits = layers.Select((layer, i) => UnitsPerSample(layer.Name, outputs[i], count)).ToArray();
                if (units is null)
                {
                    units = batchUnits;
                    codes = new CodeMatrix(inputs.Shape[0], units.Sum());
                }
                else if (!units.SequenceEqual(batchUnits))
                    throw new InvalidOperationException(
                        $"ActivationCodes.Collect: the code layers produced [{string.Join(", ", batchUnits)}] units per sample at row {start} but [{string.Join(", ", units)}] in the first batch");
                var bit = 0;
                foreach (var calls in outputs)
                {
                    foreach (var output in calls)
                    {
                        codes!.SetPositive(output, start, bit);
                        bit += output.Numel / count;
                    }
                    calls.Clear();
                }
            });
            return new CollectedCodes(codes!, [.. layers.Select((layer, i) => new LayerCodes(layer.Name, units![i]))]);
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
        }
    }

    /// <summary>The reference's post-processing: drops the columns that are constant over the train and test codes
    /// together (units never or always on carry no information about the sample).</summary>
    public static (CodeMatrix Train, CodeMatrix Test) DropConstantColumns(CodeMatrix train, CodeMatrix test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Bits != test.Bits)
            throw new ArgumentException($"ActivationCodes.DropConstantColumns: train codes have {train.Bits} bits but test codes have {test.Bits}; expected the same");
        var constant = CodeMatrix.ConstantColumns(train, test);
        return (train.DropColumns(constant), test.DropColumns(constant));
    }

    /// <summary>(N - number of distinct rows) / N: 0 when every sample has its own code (its own linear region),
    /// near 1 when almost all samples share few codes; 0 for N = 0.</summary>
    public static double RedundancyRatio(CodeMatrix codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return codes.Rows == 0 ? 0 : (codes.Rows - codes.DistinctRows()) / (double)codes.Rows;
    }

    private static int UnitsPerSample(string layer, List<Tensor> calls, int batch)
    {
        if (calls.Count == 0)
            throw new InvalidOperationException($"ActivationCodes.Collect: code layer '{layer}' did not run in the forward pass");
        var units = 0;
        foreach (var output in calls)
        {
            if (output.Rank < 1 || output.Shape[0] != batch)
                throw new InvalidOperationException(
                    $"ActivationCodes.Collect: code layer '{layer}' returned shape {Shape.Format(output.Shape)}; expected [{batch}, ...] (one row per sample)");
            units += output.Numel / batch;
        }
        return units;
    }
}
