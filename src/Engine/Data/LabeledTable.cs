using System.Globalization;

namespace Engine.Data;

/// <summary>Samples with integer class labels: the common currency of the embedded sets, CSV files, Fashion-MNIST
/// and the synthetic generators.</summary>
/// <param name="Features">[samples, ...]: [samples, features] for tables, [samples, channels, height, width] for
/// images (Float32 from every loader in this namespace).</param>
/// <param name="Labels">Int64 [samples], values in [0, ClassNames.Length).</param>
public sealed record LabeledTable(string Name, Tensor Features, Tensor Labels, string[] ClassNames)
{
    // A positional record has no constructor body: this initialiser is where its constructor checks the arguments.
    public Tensor Labels { get; init; } = Validate(Name, Features, Labels, ClassNames);

    public int Samples => Features.Size(0);

    /// <summary>Elements per sample (784 for a 1x28x28 image).</summary>
    public int FeatureCount => Samples == 0 ? Engine.Shape.Numel(FeatureShape) : Features.Numel / Samples;

    /// <summary>The shape of one sample: Features' shape without its first dim.</summary>
    public int[] FeatureShape => Features.Shape[1..].ToArray();

    public int ClassCount => ClassNames.Length;

    /// <summary>Class names "0", "1", ... for data that has no names of its own.</summary>
    public static string[] NumberedClasses(int count)
        => Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The samples at the given Int64 indices (a copy), e.g. one part of <see cref="Splits.Stratified"/>.</summary>
    public LabeledTable Take(Tensor indices)
        => this with { Features = Features.IndexSelect(0, indices), Labels = Labels.IndexSelect(0, indices) };

    /// <summary>The same table with each sample flattened to one row: [samples, FeatureCount] (a view when possible).</summary>
    public LabeledTable Flattened() => this with { Features = Features.Reshape(Samples, FeatureCount) };

    /// <summary>Stratified parts of this table (see <see cref="Splits.Stratified"/>): e.g. [0.8, 0.2] gives train
    /// and test with the class proportions of the whole.</summary>
    public LabeledTable[] SplitStratified(double[] fractions, ulong seed)
        => Splits.Stratified(Labels, fractions, seed).Select(Take).ToArray();

    /// <summary>A dataset over all samples (features as inputs, labels as targets), for a <see cref="DataLoader"/>.</summary>
    public TensorDataset ToDataset() => new(Features, Labels);

    /// <summary>A dataset over the samples at the given indices (copied, so batches gather from compact memory).</summary>
    public TensorDataset ToDataset(Tensor indices) => Take(indices).ToDataset();

    private static Tensor Validate(string name, Tensor features, Tensor labels, string[] classNames)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (features.Rank < 1)
            throw new ArgumentException($"LabeledTable {name}: features must have a samples dim; got shape {Engine.Shape.Format(features.Shape)}");
        if (labels.DType != DType.Int64 || labels.Rank != 1)
            throw new ArgumentException($"LabeledTable {name}: labels must be Int64 [samples]; got {labels.DType} {Engine.Shape.Format(labels.Shape)}");
        if (labels.Size(0) != features.Size(0))
            throw new ArgumentException(
                $"LabeledTable {name}: {features.Size(0)} samples of features {Engine.Shape.Format(features.Shape)} but {labels.Size(0)} labels");
        return labels;
    }
}

/// <summary>A train part and a test part, as a data set ships them (Fashion-MNIST's 60,000 / 10,000).</summary>
public sealed record TrainTestSplit(LabeledTable Train, LabeledTable Test);
