using Engine.Data;

namespace Engine.Training;

/// <summary>A classification data set ready for training: train and test splits, the input shape of one sample,
/// class names, and the standardiser fitted on the training split (tabular data only).</summary>
public sealed record TrainingData(string Name, LabeledTable Train, LabeledTable Test, int[] InputShape, string[] ClassNames, Standardizer? Standardizer)
{
    public int Classes => ClassNames.Length;

    /// <summary>True for images [C, H, W]; false for feature vectors.</summary>
    public bool IsImage => InputShape.Length == 3;

    /// <summary>Loads a data set by name (fashion-mnist, digits, iris, wine, breast-cancer) or from a CSV path
    /// (numeric features, integer class label last, optional header). Tabular sets are split 80/20, stratified by
    /// class with <paramref name="seed"/>, and standardised with statistics of the training split only.
    /// Fashion-MNIST uses its own 60,000/10,000 split and pixel values in [0, 1].</summary>
    public static TrainingData Load(string source, string? dataDir = null, ulong seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source == "fashion-mnist")
        {
            var fm = FashionMnist.Load(dataDir);
            return new TrainingData(source, fm.Train, fm.Test, fm.Train.FeatureShape, FashionMnist.ClassNames, null);
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

    /// <summary>An 80/20 stratified split of a table, standardised on its training part.</summary>
    public static TrainingData FromTable(string name, LabeledTable table, ulong seed, Standardizer? standardizer = null)
    {
        var parts = table.SplitStratified([0.8, 0.2], seed);
        var scaler = standardizer ?? Standardizer.Fit(parts[0]);
        return new TrainingData(name, scaler.Transform(parts[0]), scaler.Transform(parts[1]), parts[0].FeatureShape, table.ClassNames, scaler);
    }
}
