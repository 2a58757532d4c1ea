namespace Engine.Data;

/// <summary>The small real data sets shipped inside the assembly (no download): digits, iris, wine, breast cancer.
/// Sources and licences are credited in NOTICE.</summary>
public static class EmbeddedDataSets
{
    public static readonly string[] Names = ["digits", "iris", "wine", "breast-cancer"];

    /// <summary>8x8 handwritten digits (1797 samples, 64 features with values 0..16, 10 classes).</summary>
    public static LabeledTable Digits() => Load("digits");

    /// <summary>Iris (150 samples, 4 features, 3 classes).</summary>
    public static LabeledTable Iris() => Load("iris");

    /// <summary>Wine (178 samples, 13 features, 3 classes).</summary>
    public static LabeledTable Wine() => Load("wine");

    /// <summary>Breast cancer Wisconsin, diagnostic (569 samples, 30 features, 2 classes).</summary>
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
        var stream = typeof(EmbeddedDataSets).Assembly.GetManifestResourceStream("Engine.Data." + resource)
            ?? throw new InvalidOperationException($"EmbeddedDataSets: resource {resource} is missing from the assembly");
        using var reader = new StreamReader(DataFiles.Decompressed(stream, leaveOpen: false));
        return CsvDataSet.Parse(reader, resource, name);
    }
}
