using Engine.IO;
using Engine.Lab.Analysis;

namespace Engine.Cli;

/// <summary>The plane of <see cref="LinearRegions.OnPlane"/> as a PNG (ScottPlot heatmap), one colour per region,
/// with the three inputs marked; written atomically.</summary>
internal static class RegionPlot
{
    public static void Save(string path, PlaneRegions plane, string title, string[] markerLabels)
    {
        var n = plane.Resolution;
        // Region ids are numbered in scan order, so neighbours often have consecutive ids: spreading them by the
        // golden ratio over the colormap gives adjacent regions distinct colours.
        var intensities = new double[n, n];
        for (var v = 0; v < n; v++)
            for (var u = 0; u < n; u++)
                intensities[n - 1 - v, u] = plane.RegionIds[v, u] * 0.6180339887498949 % 1.0; // heatmap row 0 is the top
        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
        var (min, max) = (plane.Coordinates[0], plane.Coordinates[^1]);
        var half = (max - min) / (n - 1) / 2; // cells are centred on the grid points
        heatmap.Rectangle = new ScottPlot.CoordinateRect(min - half, max + half, min - half, max + half);
        (double U, double V)[] corners = [(0, 0), (1, 0), (0, 1)];
        for (var i = 0; i < corners.Length; i++)
        {
            var marker = plot.Add.Marker(corners[i].U, corners[i].V, ScottPlot.MarkerShape.FilledCircle, 10, ScottPlot.Colors.White);
            marker.MarkerLineColor = ScottPlot.Colors.Black;
            var label = plot.Add.Text(markerLabels[i], corners[i].U, corners[i].V);
            label.LabelFontColor = ScottPlot.Colors.Black;
            label.LabelBackgroundColor = ScottPlot.Colors.White.WithAlpha(0.8);
            label.OffsetX = 8;
            label.OffsetY = -8;
        }
        plot.Title(title);
        plot.XLabel("u: a + u (b - a) + v (c - a)");
        plot.YLabel("v");
        plot.Axes.SetLimits(min - half, max + half, min - half, max + half);
        var bytes = plot.GetImageBytes(800, 800, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
