using System.CommandLine;
using Engine.IO;
using Engine.Lab.Experiments;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine codes</c>: trains the reference MLP and measures its activation codes (redundancy, K-NN,
/// K-Means, logistic regression, the network's accuracy, the uniform-noise control); writes result.json,
/// checkpoints.csv, summary.md and, with several checkpoints, codes.png to the run folder.</summary>
internal static class CodesCommand
{
    public static Command Create()
    {
        var shared = new CodesCliOptions();
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights, shuffling, label noise and analysis", DefaultValueFactory = _ => 1 };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Also measure at these epochs, e.g. 0,1,3,6,10 (0: before training)" };
        var outDir = new Option<string?>("--out") { Description = "Run folder (default runs/codes-<timestamp>)" };
        var command = new Command("codes", "Train the reference MLP and measure its activation codes as hash codes");
        foreach (var o in shared.All()) command.Options.Add(o);
        command.Options.Add(seed);
        command.Options.Add(checkpoints);
        command.Options.Add(outDir);
        return command.WithAction((parse, output) =>
        {
            var options = shared.Read(parse, parse.GetValue(seed)) with
            {
                Checkpoints = parse.GetValue(checkpoints) is { } c ? CodesCliOptions.ParseList<int>(c, "--checkpoints") : [],
            };
            options.Validate();
            var dir = parse.GetValue(outDir) ?? CodesCliOptions.DefaultRunDirectory("codes");
            output.Progress.MarkupLineInterpolated(
                $"[bold]engine codes[/] {options.Data}, width {options.Width} depth {options.Depth}, {options.Epochs} epochs, seed {options.Seed} -> {dir}");
            using var ctrlC = new CtrlC();
            CodesResult result;
            try
            {
                result = CodesExperiment.Run(options, new InlineProgress<CodesProgress>(p => CodesProgressLines.Write(output, p)), ctrlC.Token);
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                output.WriteError("stopped before the experiment finished; nothing was written");
                return 130;
            }
            Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, "result.json"), LabJson.Serialize(result));
            var rows = result.Checkpoints.Select(m => new SweepRow(m.Epoch, options.Seed, m)).ToList();
            AtomicFile.WriteAllText(Path.Combine(dir, "checkpoints.csv"), SweepTable.RowsCsv("epoch", rows));
            if (rows.Count > 1) CodesPlots.SaveSweep(dir, "epochs", SweepTable.Summarize(rows), logX: false);
            AtomicFile.WriteAllText(Path.Combine(dir, "summary.md"),
                $"# engine codes\n\n{options.Data}, width {options.Width}, depth {options.Depth}, {options.Epochs} epochs, seed {options.Seed}, "
                + $"{result.Seconds:F1} s\n\n{SweepTable.SummaryMarkdown("epoch", SweepTable.Summarize(rows))}");
            var f = result.Final;
            var summary = new CodesSummary(
                f.RedundancyTrain, f.RedundancyTest, f.RedundancyNoise, f.KnnAccuracy, f.KmeansAccuracy, f.KmeansAccuracyHungarian,
                f.KmeansTrainAccuracy, f.LogregAccuracy, f.LogregOvoAccuracy, f.NetworkTestAccuracy, f.NetworkTrainAccuracy,
                f.CodeBits, f.Epoch, Math.Round(result.Seconds, 3), Path.GetFullPath(dir), result.Checkpoints);
            if (output.Json) output.WriteJson(summary);
            else
                output.Human.MarkupLineInterpolated(
                    $"redundancy train [bold]{f.RedundancyTrain:0.####}[/] test [bold]{f.RedundancyTest:0.####}[/] (noise {f.RedundancyNoise:0.####}), code bits {f.CodeBits}; accuracy: network {f.NetworkTestAccuracy:P2}, K-NN {f.KnnAccuracy:P2}, logreg {f.LogregAccuracy:P2}, K-Means {f.KmeansAccuracy:P2}; files in {summary.OutDir}");
            return 0;
        });
    }
}

/// <summary>The JSON result of <c>engine codes --json</c>: the final measurement's metrics at the top level, and
/// every checkpoint's.</summary>
internal sealed record CodesSummary(
    double RedundancyTrain, double RedundancyTest, double RedundancyNoise, double KnnAccuracy, double KmeansAccuracy,
    double KmeansAccuracyHungarian, double KmeansTrainAccuracy, double LogregAccuracy, double? LogregOvoAccuracy,
    double NetworkTestAccuracy, double NetworkTrainAccuracy, int CodeBits, int Epoch, double Seconds, string OutDir,
    IReadOnlyList<CodesMeasurement> Checkpoints);

/// <summary>Progress lines on stderr: one per finished epoch and one per measurement.</summary>
internal static class CodesProgressLines
{
    public static void Write(CliOutput output, CodesProgress p, string prefix = "")
    {
        if (p.Stage == "train" && p.Batch == p.Batches)
            output.Progress.MarkupLineInterpolated($"{prefix}epoch {p.Epoch}/{p.Epochs}: train loss {p.Loss:F4}");
        else if (p.Measurement is { } m)
            output.Progress.MarkupLineInterpolated(
                $"{prefix}codes at epoch {m.Epoch}: redundancy train {m.RedundancyTrain:0.####} test {m.RedundancyTest:0.####} noise {m.RedundancyNoise:0.####}, bits {m.CodeBits}; network {m.NetworkTestAccuracy:P2}, K-NN {m.KnnAccuracy:P2}, logreg {m.LogregAccuracy:P2}, K-Means {m.KmeansAccuracy:P2} ({m.Seconds:F1} s)");
    }
}
