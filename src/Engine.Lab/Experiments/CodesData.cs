using System.Collections.Concurrent;
using Engine.Data;

namespace Engine.Lab.Experiments;

/// <summary>The data of one experiment, as the reference prepares it: inputs in [0, 1], flattened; the first 80% of
/// the training split for training (then the first <see cref="CodesOptions.TrainSize"/> of those, then label
/// noise), the last 20% for validation, and the test split.</summary>
internal sealed record CodesData(LabeledTable Train, LabeledTable Validation, LabeledTable Test, int Classes)
{
    // Sweeps run many cells in one process: decoding Fashion-MNIST once per process, not per cell, saves ~2 s each.
    private static readonly ConcurrentDictionary<string, Lazy<TrainTestSplit>> Splits = new();

    public int Features => Train.FeatureCount;

    public static CodesData Load(CodesOptions options)
    {
        var split = Splits.GetOrAdd(options.Data + "|" + (options.DataDir ?? ""), _ => new Lazy<TrainTestSplit>(() => LoadSplit(options))).Value;
        var trainSplit = split.Train.Flattened();
        var trainCount = (int)(trainSplit.Samples * 0.8);
        var train = Slice(trainSplit, 0, trainCount);
        var validation = Slice(trainSplit, trainCount, trainSplit.Samples - trainCount);
        if (options.TrainSize is { } n)
        {
            if (n > train.Samples)
                throw new ArgumentException($"CodesOptions: train size {n} exceeds the {train.Samples} training samples of {options.Data}");
            train = Slice(train, 0, n);
        }
        var classes = trainSplit.ClassCount;
        if (options.LabelNoise > 0)
        {
            var noisy = LabelNoise.Corrupt(train.Labels.ToArray<long>(), options.LabelNoise, classes, options.Seed + 101);
            train = train with { Labels = Tensor.FromArray(noisy) };
        }
        var test = split.Test.Flattened();
        if (options.TestSize is { } t && t < test.Samples) test = Slice(test, 0, t);
        return new CodesData(train, validation, test, classes);
    }

    private static TrainTestSplit LoadSplit(CodesOptions options)
    {
        if (options.Data == "fashion-mnist") return FashionMnist.Load(options.DataDir);
        // Digits ships as one table with values 0..16: scale to [0, 1] like the images, and hold out a fixed
        // stratified 20% as its test split (seed 0 for every experiment seed, so all seeds score the same samples).
        var digits = EmbeddedDataSets.Digits();
        var scaled = digits with { Features = digits.Features / 16.0 };
        var parts = scaled.SplitStratified([0.8, 0.2], seed: 0);
        return new TrainTestSplit(parts[0], parts[1]);
    }

    /// <summary>Samples [start, start + count) as views (no copy of Fashion-MNIST's 188 MB of pixels).</summary>
    private static LabeledTable Slice(LabeledTable table, int start, int count)
        => table with { Features = table.Features.Narrow(0, start, count), Labels = table.Labels.Narrow(0, start, count) };
}
