using Engine.IO;
using Engine.Lab.Convex;

namespace Engine.Cli.Commands;

/// <summary>The plot of <c>engine convex</c>: every method's objective against wall-clock time on one chart.</summary>
internal static class ConvexPlots
{
    /// <summary>log10 of the objective (ScottPlot 5 has no log axis; objectives span decades in the first steps)
    /// against seconds, one line per method of the run, written atomically.</summary>
    public static void SaveObjective(string path, ConvexRun run)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var (method, steps) in run.Histories)
        {
            var points = steps.Where(s => s.Objective > 0 && double.IsFinite(s.Objective)).ToArray();
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
