using Engine.IO;
using Engine.Training;

namespace Engine.Cli;

/// <summary>Loss and accuracy per epoch as a two-panel PNG (ScottPlot), written atomically.</summary>
internal static class LearningCurves
{
    public static void Save(string path, IReadOnlyList<EpochMetrics> epochs)
    {
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        var multiplot = new ScottPlot.Multiplot();
        multiplot.AddPlots(2);
        var loss = multiplot.GetPlot(0);
        loss.Add.Scatter(x, epochs.Select(e => e.TrainLoss).ToArray()).LegendText = "train";
        loss.Add.Scatter(x, epochs.Select(e => e.TestLoss).ToArray()).LegendText = "test";
        loss.Title("Cross-entropy loss");
        loss.XLabel("epoch");
        loss.ShowLegend();
        var accuracy = multiplot.GetPlot(1);
        accuracy.Add.Scatter(x, epochs.Select(e => e.TrainAccuracy).ToArray()).LegendText = "train";
        accuracy.Add.Scatter(x, epochs.Select(e => e.TestAccuracy).ToArray()).LegendText = "test";
        accuracy.Title("Accuracy");
        accuracy.XLabel("epoch");
        accuracy.ShowLegend();
        var bytes = multiplot.GetImage(900, 700).GetImageBytes(ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
