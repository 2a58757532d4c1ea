using System.CommandLine;
using System.Globalization;
using Engine.IO;
using Engine.Lab.Analysis;
using Engine.Training;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine regions</c>: counts the linear regions of a ReLU network between test samples: along the
/// segments joining three of them and on the plane through them (plane.png, coloured by region). The network is
/// a checkpoint of <c>engine train</c> (--model) or an MLP trained here first.</summary>
internal static class RegionsCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--model") { Description = "A model.safetensors written by engine train (default: train an MLP here)" };
        var data = new Option<string>("--data") { Description = "Data set to train on (digits, fashion-mnist, ...) or, with --model, to take samples from (default: the model's)", DefaultValueFactory = _ => "digits" };
        var hidden = new Option<string>("--hidden") { Description = "Hidden widths of the MLP trained here, comma-separated", DefaultValueFactory = _ => "32,32" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of the MLP trained here", DefaultValueFactory = _ => 30 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation, shuffling and the split", DefaultValueFactory = _ => 1 };
        var samples = new Option<string?>("--samples") { Description = "Three test-sample indices a,b,c (default: the first test samples of three different classes)" };
        var points = new Option<int>("--points") { Description = "Evenly spaced points per segment before bisection", DefaultValueFactory = _ => 256 };
        var resolution = new Option<int>("--resolution") { Description = "Grid points per side of the plane", DefaultValueFactory = _ => 200 };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/regions-<timestamp>)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory holding the Fashion-MNIST files" };
        var command = new Command("regions", "Count the linear regions of a ReLU network along segments and on a plane through test samples")
        {
            checkpoint, data, hidden, epochs, seed, samples, points, resolution, outDir, dataDir,
        };
        return command.WithAction((parse, output) =>
        {
            var run = new RegionsRun(
                parse.GetValue(checkpoint), parse.GetResult(data) is { Implicit: false } ? parse.GetValue(data) : null, parse.GetValue(dataDir),
                ModelSpec.ParseInts(parse.GetValue(hidden) ?? ""), parse.GetValue(epochs), parse.GetValue(seed),
                parse.GetValue(samples) is { } s ? ModelSpec.ParseInts(s) : null, parse.GetValue(points), parse.GetValue(resolution),
                parse.GetValue(outDir) ?? Path.Combine("runs", "regions-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            return run.Execute(output);
        });
    }
}

/// <summary>One `engine regions` invocation. <paramref name="Data"/> is null when --data was not given.</summary>
internal sealed record RegionsRun(
    string? Checkpoint, string? Data, string? DataDir, int[] Hidden, int Epochs, ulong Seed, int[]? Samples, int Points, int Resolution, string OutDir)
{
    public const string SummaryFile = "regions.json";
    public const string PlaneFile = "plane.png";

    public int Execute(CliOutput output)
    {
        if (Samples is { Length: not 3 })
            throw new ArgumentException($"regions: --samples takes three test-sample indices a,b,c; got {Samples.Length}");
        if (Points < 2) throw new ArgumentException($"regions: --points must be at least 2; got {Points}");
        if (Resolution < 2) throw new ArgumentException($"regions: --resolution must be at least 2; got {Resolution}");
        var (model, spec, data) = Checkpoint is null ? TrainHere(output) : Load(Checkpoint);
        if (!DeadNeurons.CanTrack(model))
            throw new ArgumentException($"regions: the {spec.Model} model has no ReLU or LeakyReLU layer, so it has no activation pattern (train it with --activation relu)");
        var test = data.Test;
        var picked = Samples ?? PickDistinctClasses(test);
        foreach (var i in picked)
            if (i < 0 || i >= test.Samples) throw new ArgumentException($"regions: sample index {i} is outside the test split [0, {test.Samples})");
        var inputs = picked.Select(i => test.Features.Select(0, i)).ToArray();
        var labels = picked.Select(i => data.ClassNames[test.Labels.Select(0, i).Item<long>()]).ToArray();
        var accuracy = Trainer.Evaluate(model, test).Accuracy;

        var names = new[] { "a", "b", "c" };
        var segments = new List<SegmentSummary>();
        foreach (var (from, to) in new[] { (0, 1), (1, 2), (2, 0) })
        {
            var r = LinearRegions.AlongSegment(model, inputs[from], inputs[to], Points);
            segments.Add(new SegmentSummary(names[from], names[to], r.Regions, r.DistinctPatterns, r.Evaluations, r.Transitions));
            output.Progress.MarkupLineInterpolated($"segment {names[from]} -> {names[to]}: {r.Regions} regions ({r.DistinctPatterns} distinct patterns, {r.Evaluations} points)");
        }
        var plane = LinearRegions.OnPlane(model, inputs[0], inputs[1], inputs[2], Resolution);
        Directory.CreateDirectory(OutDir);
        var markers = names.Select((n, k) => $"{n}: test #{picked[k]} ({labels[k]})").ToArray();
        RegionPlot.Save(Path.Combine(OutDir, PlaneFile), plane,
            $"{plane.Regions} linear regions on the plane through test samples {string.Join(", ", picked)} ({data.Name}, {spec.Model} {string.Join("-", spec.Hidden)})",
            markers);

        var summary = new RegionsSummary(
            data.Name, spec.Model, spec.Hidden, accuracy, picked, labels, segments, plane.Resolution, plane.Coordinates[0], plane.Coordinates[^1],
            plane.Regions, Path.GetFullPath(OutDir));
        AtomicFile.WriteAllText(Path.Combine(OutDir, SummaryFile), CliOutput.Serialize(summary));
        if (output.Json) output.WriteJson(summary);
        else
        {
            foreach (var s in segments)
                output.Human.MarkupLineInterpolated($"{s.From} -> {s.To}: [bold]{s.Regions}[/] linear regions");
            output.Human.MarkupLineInterpolated(
                $"plane through a, b, c: [bold]{plane.Regions}[/] regions on a {Resolution}x{Resolution} grid; test accuracy {accuracy:P2}; files in {summary.OutDir}");
        }
        return 0;
    }

    /// <summary>Trains a ReLU MLP on <see cref="Data"/> (digits by default), saving it to the run directory.</summary>
    private (Nn.Module<Tensor, Tensor> Model, ModelSpec Spec, TrainingData Data) TrainHere(CliOutput output)
    {
        var data = TrainingData.Load(Data ?? "digits", DataDir, Seed);
        var spec = new ModelSpec("mlp", data.InputShape, data.Classes, Hidden, "relu");
        Generator.ManualSeed(Seed);
        var model = spec.Create(new Generator(Seed));
        output.Progress.MarkupLineInterpolated($"[bold]engine regions[/]: training mlp {string.Join("-", Hidden)} on {data.Name} for {Epochs} epochs");
        Trainer.Train(model, data, new TrainOptions { Epochs = Epochs, Seed = Seed },
            onEpoch: m => output.Progress.MarkupLineInterpolated($"epoch {m.Epoch}/{Epochs}: train loss {m.TrainLoss:F4} | test acc {m.TestAccuracy:P2}"));
        Directory.CreateDirectory(OutDir);
        TrainingCheckpoint.SaveModel(Path.Combine(OutDir, TrainingCheckpoint.ModelFile), model, spec, data, Seed);
        return (model, spec, data);
    }

    private (Nn.Module<Tensor, Tensor> Model, ModelSpec Spec, TrainingData Data) Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"regions: no model file at {path}");
        var (model, spec, metadata) = TrainingCheckpoint.LoadModel(path);
        var (_, data) = EvalCommand.LoadData("regions", spec, metadata, Data, DataDir);
        return (model, spec, data);
    }

    /// <summary>The first test samples of the first three classes met, in test order.</summary>
    private static int[] PickDistinctClasses(Data.LabeledTable test)
    {
        var labels = test.Labels.ToArray<long>();
        var picked = new List<int>();
        for (var i = 0; i < labels.Length && picked.Count < 3; i++)
            if (picked.All(p => labels[p] != labels[i])) picked.Add(i);
        if (picked.Count < 3) throw new ArgumentException($"regions: the test split has fewer than three classes; pass --samples");
        return [.. picked];
    }
}

internal sealed record SegmentSummary(string From, string To, int Regions, int DistinctPatterns, int Evaluations, double[] Transitions);

/// <summary>The JSON result of `engine regions --json` (also written to regions.json).</summary>
internal sealed record RegionsSummary(
    string Data, string Model, int[] Hidden, double TestAccuracy, int[] Samples, string[] Labels, IReadOnlyList<SegmentSummary> Segments,
    int Resolution, double PlaneMin, double PlaneMax, int PlaneRegions, string OutDir);
