using System.CommandLine;
using System.Globalization;
using Engine.Lab.Analysis;
using Engine.Training;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine train</c>: trains a classifier on a data set and writes metrics.csv, model.safetensors and
/// curves.png to the run directory. Models with ReLU-like layers also log their dead-neuron rate per epoch.
/// Ctrl+C stops after the current batch and keeps what was written.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "fashion-mnist, digits, iris, wine, breast-cancer, or the path of a CSV file", Required = true };
        var model = new Option<string>("--model") { Description = "mlp, cnn, resnet20 or vgg", DefaultValueFactory = _ => "mlp" };
        var hidden = new Option<string>("--hidden") { Description = "Hidden widths, comma-separated (mlp: layer widths; cnn: linear width, or conv1,conv2,linear)", DefaultValueFactory = _ => "256,256" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation of the mlp (relu, tanh, gelu, ...)", DefaultValueFactory = _ => "relu" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (momentum 0.9), adam or adamw", DefaultValueFactory = _ => "adam" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay (adamw default 0.01)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation, shuffling and the split", DefaultValueFactory = _ => 1 };
        var device = new Option<string?>("--device") { Description = "cpu, vulkan or vulkan:N (default: ENGINE_DEVICE, else cpu)" };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/train-<timestamp>)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory holding the Fashion-MNIST files (else $ENGINE_DATA, else the Debian package's)" };
        var command = new Command("train", "Train a classifier and save its metrics, weights and learning curves")
        {
            data, model, hidden, activation, epochs, batchSize, lr, optimizer, weightDecay, seed, device, outDir, dataDir,
        };
        return command.WithAction((parse, output) =>
        {
            var options = new TrainOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Lr = parse.GetValue(lr),
                Optimizer = parse.GetValue(optimizer)!,
                WeightDecay = parse.GetValue(weightDecay),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device) is { } named ? Device.Parse(named) : Device.FromEnvironment(),
            };
            options.Validate();
            var run = new TrainRun(
                parse.GetValue(data)!, parse.GetValue(dataDir), parse.GetValue(model)!, ModelSpec.ParseInts(parse.GetValue(hidden) ?? ""),
                parse.GetValue(activation)!, options,
                parse.GetValue(outDir) ?? Path.Combine("runs", "train-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            return run.Execute(output);
        });
    }
}

/// <summary>One `engine train` invocation: loads the data, builds the model, trains with live progress and writes
/// the run directory after every epoch.</summary>
internal sealed record TrainRun(string Data, string? DataDir, string Model, int[] Hidden, string Activation, TrainOptions Options, string OutDir)
{
    public int Execute(CliOutput output)
    {
        var data = TrainingData.Load(Data, DataDir, Options.Seed).AsImagesFor(Model);
        var spec = new ModelSpec(Model, data.InputShape, data.Classes, Hidden, Activation);
        Generator.ManualSeed(Options.Seed);
        var model = spec.Create(new Generator(Options.Seed));
        Directory.CreateDirectory(OutDir);
        var modelPath = Path.Combine(OutDir, TrainingCheckpoint.ModelFile);
        var metricsPath = Path.Combine(OutDir, TrainingCheckpoint.MetricsFile);
        var curvesPath = Path.Combine(OutDir, "curves.png");
        output.Progress.MarkupLineInterpolated(
            $"[bold]engine train[/] {Data} ({data.Train.Samples} train / {data.Test.Samples} test), {spec.Model} with {model.ParameterCount:N0} parameters, {Options.Optimizer} lr {Options.Lr}, batch {Options.BatchSize}, {Options.Epochs} epochs, seed {Options.Seed}, on {Options.Device} -> {OutDir}");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var history = new List<EpochMetrics>();
        // The rate of the epoch's training batches (the tracker ignores the eval-mode test pass), read and cleared
        // by the trainer after each epoch's last batch.
        using var deadNeurons = DeadNeurons.CanTrack(model) ? DeadNeurons.Track(model) : null;
        Func<IReadOnlyDictionary<string, double>>? extraMetrics = deadNeurons is null ? null : () =>
        {
            var report = deadNeurons.Snapshot();
            deadNeurons.Reset();
            return DeadNeuronColumns(report);
        };
        TrainResult result;
        try
        {
            void OnEpoch(EpochMetrics m)
            {
                history.Add(m);
                TrainingCheckpoint.SaveMetrics(metricsPath, history);
                TrainingCheckpoint.SaveModel(modelPath, model, spec, data, Options.Seed);
                LearningCurves.Save(curvesPath, history);
                var dead = m.Extra.TryGetValue(DeadFractionColumn, out var fraction)
                    ? $" | dead {fraction:P1} ({m.Extra[DeadUnitsColumn]:F0}/{m.Extra[UnitsColumn]:F0} units)"
                    : "";
                output.Progress.MarkupLineInterpolated(
                    $"epoch {m.Epoch}/{Options.Epochs}: train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2} | test loss {m.TestLoss:F4} acc {m.TestAccuracy:P2}{dead} | {m.SamplesPerSecond:N0} samples/s, {m.Seconds:F1} s");
            }
            result = RunWithProgress(output, model, data, OnEpoch, extraMetrics, cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (result.Cancelled)
            output.Progress.MarkupLine("[yellow]stopped[/]: kept the epochs that finished" + (history.Count == 0 ? " (none)" : ""));
        if (history.Count == 0) TrainingCheckpoint.SaveModel(modelPath, model, spec, data, Options.Seed);

        var last = result.Last;
        var summary = new TrainSummary(
            Data: data.Name, Model: spec.Model, Epochs: history.Count, Parameters: result.Parameters, Seconds: Math.Round(result.Seconds, 3),
            TrainLoss: last?.TrainLoss ?? double.NaN, TrainAccuracy: last?.TrainAccuracy ?? double.NaN,
            TestLoss: last?.TestLoss ?? double.NaN, TestAccuracy: last?.TestAccuracy ?? double.NaN,
            Cancelled: result.Cancelled, OutDir: Path.GetFullPath(OutDir),
            TrainLosses: history.Select(h => h.TrainLoss).ToArray(),
            DeadFractions: deadNeurons is null ? null : history.Select(h => h.Extra[DeadFractionColumn]).ToArray());
        if (output.Json) output.WriteJson(summary);
        else output.Human.MarkupLineInterpolated($"test accuracy [bold]{summary.TestAccuracy:P2}[/] after {summary.Epochs} epochs ({summary.Seconds:F1} s); files in {summary.OutDir}");
        return result.Cancelled ? 130 : 0;
    }

    private const string DeadFractionColumn = "dead_fraction";
    private const string DeadUnitsColumn = "dead_units";
    private const string UnitsColumn = "activation_units";

    /// <summary>metrics.csv columns of an epoch's dead-neuron report: the zero fraction of all (sample, unit)
    /// activations, the units zero on every training sample of the epoch, and the zero fraction per layer.</summary>
    private static Dictionary<string, double> DeadNeuronColumns(DeadNeuronReport report)
    {
        var columns = new Dictionary<string, double>
        {
            [DeadFractionColumn] = report.ZeroFraction,
            [DeadUnitsColumn] = report.DeadUnits,
            [UnitsColumn] = report.Units,
        };
        foreach (var layer in report.Layers) columns[$"{DeadFractionColumn}/{layer.Name}"] = layer.ZeroFraction;
        return columns;
    }

    /// <summary>Trains with a Spectre progress bar on an interactive stderr, plain epoch lines otherwise.</summary>
    private TrainResult RunWithProgress(
        CliOutput output, Nn.Module<Tensor, Tensor> model, TrainingData data, Action<EpochMetrics> onEpoch,
        Func<IReadOnlyDictionary<string, double>>? extraMetrics, CancellationToken token)
    {
        if (!output.Progress.Profile.Capabilities.Interactive)
            return Trainer.Train(model, data, Options, null, onEpoch, token, extraMetrics);
        TrainResult result = null!;
        output.Progress.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                result = Trainer.Train(model, data, Options,
                    b =>
                    {
                        if (task is null || b.Batch == 1) task = ctx.AddTask($"epoch {b.Epoch}/{b.Epochs}", maxValue: b.Batches);
                        task.Value = b.Batch;
                        task.Description = $"epoch {b.Epoch}/{b.Epochs} loss {b.Loss:F4} acc {b.Accuracy:P1} {b.SamplesPerSecond:N0}/s";
                    },
                    onEpoch, token, extraMetrics);
            });
        return result;
    }
}

/// <summary>The JSON result of `engine train --json`; <see cref="DeadFractions"/> (per epoch) is null for models
/// without ReLU-like layers.</summary>
internal sealed record TrainSummary(
    string Data, string Model, int Epochs, long Parameters, double Seconds, double TrainLoss, double TrainAccuracy,
    double TestLoss, double TestAccuracy, bool Cancelled, string OutDir, double[] TrainLosses, double[]? DeadFractions);
