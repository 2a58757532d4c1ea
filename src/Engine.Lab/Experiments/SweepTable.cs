using System.Globalization;
using System.Text;

namespace Engine.Lab.Experiments;

/// <summary>The metrics of a <see cref="CodesMeasurement"/> as named columns, and the CSV tables of a sweep: one row
/// per (value, seed), and one per value with the mean and the sample standard deviation (n - 1; 0 for one seed)
/// over the seeds.</summary>
public static class SweepTable
{
    public static readonly (string Name, Func<CodesMeasurement, double> Get)[] Metrics =
    [
        ("redundancy_train", m => m.RedundancyTrain),
        ("redundancy_test", m => m.RedundancyTest),
        ("redundancy_noise", m => m.RedundancyNoise),
        ("knn_accuracy", m => m.KnnAccuracy),
        ("kmeans_accuracy", m => m.KmeansAccuracy),
        ("kmeans_accuracy_hungarian", m => m.KmeansAccuracyHungarian),
        ("kmeans_train_accuracy", m => m.KmeansTrainAccuracy),
        ("logreg_accuracy", m => m.LogregAccuracy),
        ("logreg_ovo_accuracy", m => m.LogregOvoAccuracy ?? double.NaN),
        ("network_train_accuracy", m => m.NetworkTrainAccuracy),
        ("network_validation_accuracy", m => m.NetworkValidationAccuracy),
        ("network_test_accuracy", m => m.NetworkTestAccuracy),
        ("code_bits", m => m.CodeBits),
    ];

    /// <summary>Seed statistics of one value: the mean and std of every metric, in <see cref="Metrics"/> order.</summary>
    public sealed record Summary(double Value, int Seeds, double[] Mean, double[] Std)
    {
        public double MeanOf(string metric) => Mean[Index(metric)];

        public double StdOf(string metric) => Std[Index(metric)];
    }

    public static IReadOnlyList<Summary> Summarize(IEnumerable<SweepRow> rows)
        => rows.GroupBy(r => r.Value).OrderBy(g => g.Key).Select(g =>
        {
            var values = Metrics.Select(m => g.Select(r => m.Get(r.Measurement)).ToArray()).ToArray();
            return new Summary(g.Key, g.Count(), values.Select(v => v.Average()).ToArray(), values.Select(StdDev).ToArray());
        }).ToList();

    public static string RowsCsv(string variable, IEnumerable<SweepRow> rows)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { variable, "seed", "epoch", "seconds" }.Concat(Metrics.Select(m => m.Name))));
        foreach (var r in rows)
            csv.AppendLine(string.Join(",", new[] { Number(r.Value), r.Seed.ToString(CultureInfo.InvariantCulture), Number(r.Measurement.Epoch), Number(r.Measurement.Seconds) }
                .Concat(Metrics.Select(m => Number(m.Get(r.Measurement))))));
        return csv.ToString();
    }

    public static string SummaryCsv(string variable, IEnumerable<Summary> summaries)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { variable, "seeds" }.Concat(Metrics.SelectMany(m => new[] { m.Name + "_mean", m.Name + "_std" }))));
        foreach (var s in summaries)
            csv.AppendLine(string.Join(",", new[] { Number(s.Value), Number(s.Seeds) }
                .Concat(Metrics.SelectMany((_, i) => new[] { Number(s.Mean[i]), Number(s.Std[i]) }))));
        return csv.ToString();
    }

    /// <summary>A Markdown table of the seed means (± std) of the main metrics.</summary>
    public static string SummaryMarkdown(string variable, IEnumerable<Summary> summaries)
    {
        string[] shown = ["redundancy_train", "redundancy_test", "redundancy_noise", "knn_accuracy", "kmeans_accuracy", "logreg_accuracy", "network_test_accuracy", "code_bits"];
        var md = new StringBuilder();
        md.AppendLine($"| {variable} | seeds | {string.Join(" | ", shown)} |");
        md.AppendLine($"|---:|---:|{string.Concat(shown.Select(_ => "---:|"))}");
        foreach (var s in summaries)
            md.AppendLine($"| {Number(s.Value)} | {s.Seeds} | {string.Join(" | ", shown.Select(m => s.Seeds > 1 ? $"{s.MeanOf(m):0.###} ± {s.StdOf(m):0.###}" : $"{s.MeanOf(m):0.###}"))} |");
        return md.ToString();
    }

    private static int Index(string metric)
    {
        var i = Array.FindIndex(Metrics, m => m.Name == metric);
        return i >= 0 ? i : throw new ArgumentException($"SweepTable: unknown metric '{metric}'; expected one of {string.Join(", ", Metrics.Select(m => m.Name))}");
    }

    private static double StdDev(double[] v)
    {
        if (v.Length < 2) return 0;
        var mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    internal static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
