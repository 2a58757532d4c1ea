using Engine.IO;
using Engine.Lab.Convex;

namespace Engine.Cli.Commands;

/// <summary>The plot of <c>engine convex</c>: every method's objective against wall-clock time on one chart.</summary>
internal static class ConvexPlots
{
    /// <summary>Rows kept per method in history.csv and the plot: a small network's Adam takes ~20,000 steps a second,
    /// which would make a minute's run a 60 MB file.</summary>
    public const int MaxPoints = 2000;

    /// <summary>At most <see cref="MaxPoints"/> steps, evenly spaced by index, the first and the last always kept.</summary>
    public static IReadOnlyList<SolverStep> Thin(IReadOnlyList<SolverStep> steps)
    {
        if (steps.Count <= MaxPoints) return steps;
        return Enumerable.Range(0, MaxPoints).Select(i => steps[(int)((long)i * (steps.Count - 1) / (MaxPoints - 1))]).ToList();
    }

    /// <summary>log10 of the objective (ScottPlot 5 has no log axis; objectives span decades in the first steps)
    /// against seconds, one line per method of the run, written atomically.</summary>
    public static void SaveObjective(string path, ConvexRun run)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var (method, steps) in run.Histories)
        {
            var points = Thin(steps).Where(s => s.Objective > 0 && double.IsFinite(s.Objective)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(s => s.Seconds).ToArray(), points.Select(s => Math.Log10(s.Objective)).ToArray(), palette.GetColor(index++));
            line.LegendText = method;
            line.LineWidth = 2;
        }
        var r = run.Report;
        plot.Title($"{r.Data}: training objective against time ({r.Loss} loss, beta {r.Beta}, {r.Patterns} patterns)");
        plot.XLabel("seconds");
        plot.YLabel("log10(objective)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        var bytes = plot.GetImageBytes(900, 560, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
