using Engine.Data;

namespace Engine.Training;

/// <summary>A classification data set ready for training: train and test splits, the input shape of one sample,
/// class names, and the standardiser fitted on the training split (tabular data only).</summary>
public sealed record TrainingData(string Name, LabeledTable Train, LabeledTable Test, int[] InputShape, string[] ClassNames, Standardizer? Standardizer)
{
    public int Classes => ClassNames.Length;

    /// <summary>True for images [C, H, W]; false for feature vectors.</summary>
    public bool IsImage => InputShape.Length == 3;

    /// <summary>For an image model (cnn, resnet20, vgg): flat samples whose length is a square of at least 16 (digits'
    /// 64 pixels) as one-channel images [1, s, s], standardised first, as loaded; otherwise the data unchanged.</summary>
    public TrainingData AsImagesFor(string model)
    {
        if (model == "mlp" || InputShape.Length != 1) return this;
        var side = (int)Math.Round(Math.Sqrt(InputShape[0]));
        if (side < 4 || side * side != InputShape[0]) return this;
        LabeledTable Images(LabeledTable t) => t with { Features = t.Features.Reshape(t.Samples, 1, side, side) };
        return this with { Train = Images(Train), Test = Images(Test), InputShape = [1, side, side] };
    }

    /// <summary>Loads a data set by name (fashion-mnist, digits, iris, wine, breast-cancer) or from a CSV path
    /// (numeric features, integer class label last, optional header). Tabular sets are split 80/20, stratified by
    /// class with <paramref name="seed"/>, and standardised with statistics of the training split only.
    /// Fashion-MNIST uses its own 60,000/10,000 split and pixel values in [0, 1].</summary>
    public static TrainingData Load(string source, string? dataDir = null, ulong seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source == "fashion-mnist")
        {
            // Pixels in [0, 1], then centred and scaled by the training set's global mean and std (as the usual
            // transforms.Normalize((0.2860,), (0.3530,))): one statistic for all pixels keeps the images images.
            var fm = FashionMnist.Load(dataDir);
            var scaler = GlobalScaler(fm.Train.Features);
            return new TrainingData(source, scaler.Transform(fm.Train), scaler.Transform(fm.Test), fm.Train.FeatureShape, FashionMnist.ClassNames, null);
        }
        LabeledTable table;
        string name;
        if (EmbeddedDataSets.Names.Contains(source))
        {
            table = EmbeddedDataSets.Load(source);
            name = source;
        }
        else if (File.Exists(source))
        {
            table = CsvDataSet.Load(source);
            name = Path.GetFileNameWithoutExtension(source);
        }
        else
        {
            throw new ArgumentException(
                $"TrainingData: unknown data set '{source}'; expected fashion-mnist, {string.Join(", ", EmbeddedDataSets.Names)}, or the path of a CSV file");
        }
        return FromTable(name, table, seed);
    }

    /// <summary>A standardiser with one mean and std for every element of a sample, from all training values.</summary>
    private static Standardizer GlobalScaler(Tensor train)
    {
        using var _ = Autograd.NoGrad();
        var x = train.To(DType.Float64);
        var mean = x.Mean().Item();
        var std = Math.Sqrt((x - mean).Square().Mean().Item());
        var sample = train.Shape[1..].ToArray();
        return new Standardizer(Tensor.Full(sample, mean, train.DType), Tensor.Full(sample, std, train.DType));
    }

    /// <summary>An 80/20 stratified split of a table, standardised on its training part.</summary>
    public static TrainingData FromTable(string name, LabeledTable table, ulong seed, Standardizer? standardizer = null)
    {
        var parts = table.SplitStratified([0.8, 0.2], seed);
        var scaler = standardizer ?? Standardizer.Fit(parts[0]);
        return new TrainingData(name, scaler.Transform(parts[0]), scaler.Transform(parts[1]), parts[0].FeatureShape, table.ClassNames, scaler);
    }
}
