using Engine.IO;
using Engine.Lab.Experiments;

namespace Engine.Cli.Commands;

/// <summary>The PNG plots of the codes experiments (ScottPlot), written atomically: redundancy and categorisation
/// accuracy against a swept variable (seed means with std error bars), and the phase chart.</summary>
internal static class CodesPlots
{
    /// <summary>Writes redundancy.png and accuracy.png; returns their names.</summary>
    public static string[] SaveSweep(string dir, string variable, IReadOnlyList<SweepTable.Summary> summaries, bool logX)
    {
        // ScottPlot 5 has no log axis: plot log10 of the values instead, labelled as such (only if all are positive).
        logX &= summaries.All(s => s.Value > 0);
        var x = summaries.Select(s => logX ? Math.Log10(s.Value) : s.Value).ToArray();
        var xLabel = logX ? $"log10({variable})" : variable;
        Save(Path.Combine(dir, "redundancy.png"), "Redundancy ratio of the activation codes", xLabel, "redundancy ratio", x, summaries,
            [("redundancy_train", "train"), ("redundancy_test", "test"), ("redundancy_noise", "uniform noise (control)")]);
        Save(Path.Combine(dir, "accuracy.png"), "Categorisation accuracy on the codes", xLabel, "test accuracy", x, summaries,
            [("network_test_accuracy", "network"), ("knn_accuracy", "K-NN (k=9, Hamming)"), ("logreg_accuracy", "logistic regression"), ("kmeans_accuracy", "K-Means (greedy map)")]);
        return ["redundancy.png", "accuracy.png"];
    }

    private static void Save(string path, string title, string xLabel, string yLabel, double[] x, IReadOnlyList<SweepTable.Summary> summaries, (string Metric, string Label)[] series)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Length; i++)
        {
            var (metric, label) = series[i];
            var y = summaries.Select(s => s.MeanOf(metric)).ToArray();
            var color = palette.GetColor(i);
            var line = plot.Add.Scatter(x, y, color);
            line.LegendText = label;
            if (summaries.Any(s => s.Seeds > 1))
            {
                var bars = plot.Add.ErrorBar(x, y, summaries.Select(s => s.StdOf(metric)).ToArray());
                bars.Color = color;
            }
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        var bytes = plot.GetImageBytes(900, 560, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes phase-chart.png: one coloured cell per (width, train size), its regime's colour, labelled with
    /// the test redundancy and the K-NN and network accuracies; returns its name.</summary>
    public static string SavePhaseChart(string dir, PhaseChartOptions phase, IReadOnlyList<PhasePoint> points)
    {
        var widths = phase.Widths.Order().ToArray();
        var sizes = phase.TrainSizes.Order().ToArray();
        var colors = new Dictionary<Regime, ScottPlot.Color>
        {
            [Regime.UnderExpressive] = ScottPlot.Color.FromHex("#d62728"),
            [Regime.CriticallyExpressive] = ScottPlot.Color.FromHex("#ffbf00"),
            [Regime.SufficientlyExpressive] = ScottPlot.Color.FromHex("#2ca02c"),
        };
        var plot = new ScottPlot.Plot();
        foreach (var p in points)
        {
            double col = Array.IndexOf(sizes, p.TrainSize), row = Array.IndexOf(widths, p.Width);
            var cell = plot.Add.Rectangle(col, col + 1, row, row + 1);
            cell.FillColor = colors[p.Regime].WithAlpha(0.75);
            cell.LineColor = ScottPlot.Colors.White;
            var text = plot.Add.Text($"r={p.RedundancyTest:0.###}\nknn {p.KnnAccuracy:0.00}\nnet {p.NetworkTestAccuracy:0.00}", col + 0.5, row + 0.5);
            text.LabelFontSize = 13;
            text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
        }
        plot.Axes.Bottom.SetTicks(sizes.Select(s => Array.IndexOf(sizes, s) + 0.5).ToArray(), sizes.Select(s => s.ToString()).ToArray());
        plot.Axes.Left.SetTicks(widths.Select(w => Array.IndexOf(widths, w) + 0.5).ToArray(), widths.Select(w => w.ToString()).ToArray());
        plot.Axes.SetLimits(0, sizes.Length, 0, widths.Length);
        plot.XLabel("training samples");
        plot.YLabel("total hidden width");
        plot.Title("Activation hash phase chart");
        foreach (var (regime, color) in colors)
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = PhaseChartOptions.RegimeName(regime), FillColor = color });
        plot.ShowLegend(ScottPlot.Edge.Right); // outside the grid, so it hides no cell
        var bytes = plot.GetImageBytes(420 + 170 * sizes.Length, 200 + 110 * widths.Length, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(Path.Combine(dir, "phase-chart.png"), stream => stream.Write(bytes));
        return "phase-chart.png";
    }
}
