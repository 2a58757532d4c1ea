using Engine.IO;
using Engine.Training;

namespace Engine.Cli;

/// <summary>Loss (left axis) and accuracy (right axis) per epoch, train and test, as a PNG (ScottPlot), written
/// atomically.</summary>
internal static class LearningCurves
{
    public static void Save(string path, IReadOnlyList<EpochMetrics> epochs)
    {
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        var plot = new ScottPlot.Plot();
        var colors = new ScottPlot.Color[] { ScottPlot.Colors.Blue, ScottPlot.Colors.Orange };
        void Line(double[] y, string label, ScottPlot.Color color, bool dashed, bool right)
        {
            var s = plot.Add.Scatter(x, y, color);
            s.LegendText = label;
            if (dashed) s.LinePattern = ScottPlot.LinePattern.Dashed;
            if (right) s.Axes.YAxis = plot.Axes.Right;
        }
        Line(epochs.Select(e => e.TrainLoss).ToArray(), "train loss", colors[0], false, false);
        Line(epochs.Select(e => e.TestLoss).ToArray(), "test loss", colors[0], true, false);
        Line(epochs.Select(e => e.TrainAccuracy).ToArray(), "train accuracy", colors[1], false, true);
        Line(epochs.Select(e => e.TestAccuracy).ToArray(), "test accuracy", colors[1], true, true);
        plot.Title("Learning curves");
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "cross-entropy loss";
        plot.Axes.Right.Label.Text = "accuracy";
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        var bytes = plot.GetImageBytes(900, 560, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
