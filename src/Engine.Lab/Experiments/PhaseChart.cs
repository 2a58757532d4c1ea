using System.Text;

namespace Engine.Lab.Experiments;

/// <summary>The encoding regimes of the activation hash phase chart.</summary>
public enum Regime { UnderExpressive, CriticallyExpressive, SufficientlyExpressive }

/// <summary>The activation hash phase chart: a grid over total width x training-set size at a fixed epoch budget
/// (<see cref="Base"/>'s), each point repeated over seeds, each classified from its seed-averaged measurements by
/// <see cref="Classify"/>:
/// <list type="bullet">
/// <item>under-expressive: test redundancy &gt;= <see cref="UnderRedundancy"/> (at least that fraction of the test
/// samples share their code with another one: the network cannot tell them apart);</item>
/// <item>sufficiently-expressive: test redundancy &lt;= <see cref="SufficientRedundancy"/> AND K-NN on the codes
/// within <see cref="SufficientKnnGap"/> of the network's own test accuracy (the codes are unique and carry the
/// network's categorisation);</item>
/// <item>critically-expressive: everything between (codes nearly unique, but either not quite or not yet
/// categorising as well as the network).</item>
/// </list>
/// The paper has no code for the chart; these thresholds are ours and are options.</summary>
public sealed record PhaseChartOptions(
    CodesOptions Base, int[] Widths, int[] TrainSizes, ulong[] Seeds,
    double UnderRedundancy = 0.1, double SufficientRedundancy = 0.01, double SufficientKnnGap = 0.03)
{
    public IReadOnlyList<CodesCell> Cells()
    {
        ArgumentNullException.ThrowIfNull(Base);
        if (Widths is not { Length: > 0 } || TrainSizes is not { Length: > 0 } || Seeds is not { Length: > 0 })
            throw new ArgumentException("PhaseChart: give at least one width, one train size and one seed");
        if (Widths.Distinct().Count() != Widths.Length || TrainSizes.Distinct().Count() != TrainSizes.Length || Seeds.Distinct().Count() != Seeds.Length)
            throw new ArgumentException("PhaseChart: widths, train sizes and seeds must not repeat");
        if (!(SufficientRedundancy >= 0 && SufficientRedundancy < UnderRedundancy && UnderRedundancy <= 1))
            throw new ArgumentException($"PhaseChart: need 0 <= sufficient redundancy ({SufficientRedundancy}) < under-expressive redundancy ({UnderRedundancy}) <= 1");
        if (!(SufficientKnnGap >= 0)) throw new ArgumentException($"PhaseChart: the K-NN gap must be non-negative; got {SufficientKnnGap}");
        var cells = new List<CodesCell>();
        foreach (var width in Widths)
            foreach (var size in TrainSizes)
                foreach (var seed in Seeds)
                {
                    var options = Base with { Width = width, TrainSize = size, Seed = seed };
                    options.Validate();
                    cells.Add(new CodesCell($"width={width}_train-size={size}_seed={seed}", options));
                }
        return cells;
    }

    public Regime Classify(double redundancyTest, double knnAccuracy, double networkTestAccuracy)
        => redundancyTest >= UnderRedundancy ? Regime.UnderExpressive
            : redundancyTest <= SufficientRedundancy && networkTestAccuracy - knnAccuracy <= SufficientKnnGap ? Regime.SufficientlyExpressive
            : Regime.CriticallyExpressive;

    /// <summary>The seed-averaged points of the finished cells, with their regimes (points with no finished seed are
    /// absent).</summary>
    public IReadOnlyList<PhasePoint> Points(IEnumerable<(CodesCell Cell, CodesResult Result)> finished)
        => finished.GroupBy(f => (f.Result.Options.Width, TrainSize: f.Result.Options.TrainSize ?? 0))
            .Select(g =>
            {
                var m = g.Select(f => f.Result.Final).ToList();
                double redundancy = m.Average(x => x.RedundancyTest), knn = m.Average(x => x.KnnAccuracy), net = m.Average(x => x.NetworkTestAccuracy);
                return new PhasePoint(g.Key.Width, g.Key.TrainSize, m.Count, redundancy, knn, net,
                    m.Average(x => x.LogregAccuracy), m.Average(x => x.KmeansAccuracy), Classify(redundancy, knn, net));
            })
            .OrderBy(p => p.Width).ThenBy(p => p.TrainSize).ToList();

    public static string Csv(IEnumerable<PhasePoint> points)
    {
        var csv = new StringBuilder("width,train_size,seeds,redundancy_test,knn_accuracy,network_test_accuracy,logreg_accuracy,kmeans_accuracy,regime\n");
        foreach (var p in points)
            csv.AppendLine(string.Join(",", SweepTable.Number(p.Width), SweepTable.Number(p.TrainSize), SweepTable.Number(p.Seeds),
                SweepTable.Number(p.RedundancyTest), SweepTable.Number(p.KnnAccuracy), SweepTable.Number(p.NetworkTestAccuracy),
                SweepTable.Number(p.LogregAccuracy), SweepTable.Number(p.KmeansAccuracy), RegimeName(p.Regime)));
        return csv.ToString();
    }

    public static string RegimeName(Regime regime) => regime switch
    {
        Regime.UnderExpressive => "under-expressive",
        Regime.CriticallyExpressive => "critically-expressive",
        _ => "sufficiently-expressive",
    };

    /// <summary>The rule in words, for the summary files.</summary>
    public string RuleText()
        => $"under-expressive: test redundancy >= {UnderRedundancy:0.###}; sufficiently-expressive: test redundancy <= {SufficientRedundancy:0.###} "
            + $"and K-NN accuracy on the codes within {SufficientKnnGap * 100:0.#} points of the network's test accuracy; critically-expressive: otherwise";
}

/// <summary>One point of the phase chart, averaged over its seeds.</summary>
public sealed record PhasePoint(
    int Width, int TrainSize, int Seeds, double RedundancyTest, double KnnAccuracy, double NetworkTestAccuracy,
    double LogregAccuracy, double KmeansAccuracy, Regime Regime);
