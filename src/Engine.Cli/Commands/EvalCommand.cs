using System.CommandLine;
using System.Globalization;
using Engine.Data;
using Engine.Training;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine eval</c>: reloads a model written by <c>engine train</c> and scores it on the test split of a
/// data set (by default the one it was trained on, split with its seed and standardised with its statistics).</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "Path of a model.safetensors written by engine train", Required = true };
        var data = new Option<string?>("--data") { Description = "Data set or CSV path (default: the one the model was trained on)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory holding the Fashion-MNIST files" };
        var command = new Command("eval", "Score a trained model on the test split of a data set") { modelPath, data, dataDir };
        return command.WithAction((parse, output) =>
        {
            var path = parse.GetValue(modelPath)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"eval: no model file at {path}");
            var (model, spec, metadata) = TrainingCheckpoint.LoadModel(path);
            var (source, testData) = LoadData("eval", spec, metadata, parse.GetValue(data), parse.GetValue(dataDir));
            var (loss, accuracy) = Trainer.Evaluate(model, testData.Test);
            var result = new EvalResult(source, spec.Model, testData.Test.Samples, loss, accuracy);
            if (output.Json) output.WriteJson(result);
            else output.Human.MarkupLineInterpolated($"{spec.Model} on {source}: test accuracy [bold]{accuracy:P2}[/], loss {loss:F4} ({result.Samples} samples)");
            return 0;
        });
    }

    /// <summary>The data a checkpoint was trained on (or <paramref name="data"/>), split with its seed and, for tabular
    /// data, standardised with its statistics; it must fit the model.</summary>
    internal static (string Source, TrainingData Data) LoadData(
        string command, ModelSpec spec, IReadOnlyDictionary<string, string> metadata, string? data, string? dataDir)
    {
        var source = data ?? metadata.GetValueOrDefault("engine.data")
            ?? throw new ArgumentException($"{command}: the checkpoint does not name its data set; pass --data");
        var seed = metadata.TryGetValue("engine.seed", out var s) ? ulong.Parse(s, CultureInfo.InvariantCulture) : 1;
        var loaded = Load(source, dataDir, seed, TrainingCheckpoint.StandardizerFrom(metadata)).AsImagesFor(spec.Model);
        if (!loaded.InputShape.SequenceEqual(spec.InputShape) || loaded.Classes != spec.Classes)
            throw new ArgumentException(
                $"{command}: the model takes samples of shape {Shape.Format(spec.InputShape)} with {spec.Classes} classes, but {source} has {Shape.Format(loaded.InputShape)} with {loaded.Classes}");
        return (source, loaded);
    }

    private static TrainingData Load(string source, string? dataDir, ulong seed, Standardizer? standardizer)
    {
        if (standardizer is null) return TrainingData.Load(source, dataDir, seed);
        var table = EmbeddedDataSets.Names.Contains(source) ? EmbeddedDataSets.Load(source) : CsvDataSet.Load(source);
        return TrainingData.FromTable(source, table, seed, standardizer);
    }
}

internal sealed record EvalResult(string Data, string Model, int Samples, double TestLoss, double TestAccuracy);
