using System.Text.Json.Serialization;
using Engine.IO;
using Engine.Lab.Experiments;

namespace Engine.Cli.Commands;

/// <summary>The report of a sweep or phase-chart folder (the JSON result of codes-sweep, phase-chart and merge).</summary>
internal sealed record GridReport(string Kind, string OutDir, int Total, int Finished, IReadOnlyList<string> Files)
{
    public int Ran { get; init; }

    public int Skipped { get; init; }

    public bool Cancelled { get; init; }

    public double Seconds { get; init; }

    [JsonIgnore]
    public string Markdown { get; init; } = "";
}

/// <summary>Writes the tables, plots and Markdown summary of a run folder from its finished cells (all of them, so a
/// shard's files show its own cells and a merged folder's show every cell).</summary>
internal static class GridReports
{
    public static GridReport Write(RunFolder folder)
    {
        var finished = folder.Finished();
        var total = folder.Spec.Cells().Count;
        var files = new List<string>();
        string markdown;
        void Text(string name, string text)
        {
            AtomicFile.WriteAllText(Path.Combine(folder.Path, name), text);
            files.Add(name);
        }
        if (folder.Spec.Sweep is { } sweep)
        {
            var variable = CodesSweepOptions.Name(sweep.Vary);
            var rows = sweep.Rows(finished);
            var summaries = SweepTable.Summarize(rows);
            Text("results.csv", SweepTable.RowsCsv(variable, rows));
            Text("summary.csv", SweepTable.SummaryCsv(variable, summaries));
            if (summaries.Count > 0)
                files.AddRange(CodesPlots.SaveSweep(folder.Path, variable, summaries, logX: sweep.Vary is SweepVariable.TrainSize or SweepVariable.WeightDecay));
            markdown = $"# engine codes-sweep: {variable}\n\n{Describe(sweep.Base)}; seeds {string.Join(", ", sweep.Seeds)}; "
                + $"{finished.Count}/{total} cells finished. Mean ± std over seeds.\n\n{SweepTable.SummaryMarkdown(variable, summaries)}";
        }
        else
        {
            var phase = folder.Spec.Phase!;
            var points = phase.Points(finished);
            Text("phase.csv", PhaseChartOptions.Csv(points));
            if (points.Count > 0) files.Add(CodesPlots.SavePhaseChart(folder.Path, phase, points));
            markdown = $"# engine phase-chart\n\n{Describe(phase.Base)}; seeds {string.Join(", ", phase.Seeds)}; {finished.Count}/{total} cells finished.\n\n"
                + $"Rule (seed means): {phase.RuleText()}.\n\n| width | train size | redundancy test | K-NN | network | regime |\n|---:|---:|---:|---:|---:|---|\n"
                + string.Concat(points.Select(p => $"| {p.Width} | {p.TrainSize} | {p.RedundancyTest:0.####} | {p.KnnAccuracy:0.###} | {p.NetworkTestAccuracy:0.###} | {PhaseChartOptions.RegimeName(p.Regime)} |\n"));
        }
        Text("summary.md", markdown);
        return new GridReport(folder.Spec.Kind, Path.GetFullPath(folder.Path), total, finished.Count, files) { Markdown = markdown };
    }

    private static string Describe(CodesOptions o)
        => $"{o.Data}, width {o.Width}, depth {o.Depth}, {o.Epochs} epochs, train size {(o.TrainSize?.ToString() ?? "all")}, "
            + $"weight decay {o.WeightDecay}, dropout {o.Dropout}, label noise {o.LabelNoise}, lr {o.Lr}, batch {o.BatchSize}";
}
