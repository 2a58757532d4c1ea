using System.Globalization;
using System.IO.Compression;

namespace Engine.Data;

/// <summary>A table of numeric features with integer class labels.</summary>
/// <param name="Features">Float32 [samples, features].</param>
/// <param name="Labels">Int64 [samples].</param>
public sealed record LabeledTable(string Name, Tensor Features, Tensor Labels, string[] ClassNames)
{
    public int Samples => Features.Size(0);

    public int FeatureCount => Features.Size(1);

    public int ClassCount => ClassNames.Length;
}

/// <summary>The small real data sets shipped inside the assembly (no download): digits, iris, wine, breast cancer.
/// Sources and licences are credited in NOTICE.</summary>
public static class EmbeddedDataSets
{
    public static readonly string[] Names = ["digits", "iris", "wine", "breast-cancer"];

    /// <summary>8x8 handwritten digits (1797 samples, 64 features with values 0..16, 10 classes).</summary>
    public static LabeledTable Digits() => Load("digits");

    public static LabeledTable Iris() => Load("iris");

    public static LabeledTable Wine() => Load("wine");

    public static LabeledTable BreastCancer() => Load("breast-cancer");

    public static LabeledTable Load(string name)
    {
        var resource = name switch
        {
            "digits" => "digits.csv.gz",
            "iris" => "iris.csv.gz",
            "wine" => "wine_data.csv.gz",
            "breast-cancer" => "breast_cancer.csv.gz",
            _ => throw new ArgumentException($"EmbeddedDataSets: unknown data set '{name}'; expected one of {string.Join(", ", Names)}"),
        };
        using var stream = typeof(EmbeddedDataSets).Assembly.GetManifestResourceStream("Engine.Data." + resource)
            ?? throw new InvalidOperationException($"EmbeddedDataSets: resource {resource} is missing from the assembly");
        using var gz = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return name == "digits" ? Parse(name, lines, hasHeader: false) : Parse(name, lines, hasHeader: true);
    }

    /// <summary>Rows of comma-separated numbers with the class label last; scikit-learn's header line is
    /// "samples,features,class names...".</summary>
    private static LabeledTable Parse(string name, string[] lines, bool hasHeader)
    {
        string[] classNames = [];
        var start = 0;
        if (hasHeader)
        {
            classNames = lines[0].Split(',')[2..];
            start = 1;
        }
        var rows = lines.Length - start;
        var featureCount = lines[start].Split(',').Length - 1;
        var features = new float[rows * featureCount];
        var labels = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            var cells = lines[start + r].Split(',');
            if (cells.Length != featureCount + 1)
                throw new InvalidDataException($"EmbeddedDataSets: {name} row {r} has {cells.Length} cells; expected {featureCount + 1}");
            for (var c = 0; c < featureCount; c++)
                features[r * featureCount + c] = float.Parse(cells[c], CultureInfo.InvariantCulture);
            labels[r] = long.Parse(cells[featureCount], CultureInfo.InvariantCulture);
        }
        if (!hasHeader) classNames = Enumerable.Range(0, (int)labels.Max() + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new LabeledTable(name, Tensor.FromArray(features, rows, featureCount), Tensor.FromArray(labels), classNames);
    }
}
