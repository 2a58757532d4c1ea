using System.Globalization;
using System.Text;
using Engine.Data;
using Engine.IO;
using Engine.Nn;

namespace Engine.Training;

/// <summary>Files of a training run: the model as safetensors (PyTorch parameter names, with the model spec, data
/// set, seed and standardiser in the metadata so it can be rebuilt and scored) and per-epoch metrics as CSV. Every
/// file is written atomically.</summary>
public static class TrainingCheckpoint
{
    public const string ModelFile = "model.safetensors";
    public const string MetricsFile = "metrics.csv";

    public static void SaveModel(string path, Module model, ModelSpec spec, TrainingData data, ulong seed)
    {
        var metadata = spec.ToMetadata();
        metadata["engine.data"] = data.Name;
        metadata["engine.seed"] = seed.ToString(CultureInfo.InvariantCulture);
        metadata["engine.class_names"] = string.Join("\u001f", data.ClassNames);
        if (data.Standardizer is { } s)
        {
            metadata["engine.standardizer.mean"] = FormatFloats(s.Mean.ToArray<float>());
            metadata["engine.standardizer.std"] = FormatFloats(s.Std.ToArray<float>());
        }
        model.Save(path, metadata);
    }

    /// <summary>Rebuilds a model saved by <see cref="SaveModel"/> and loads its weights.</summary>
    public static (Module<Tensor, Tensor> Model, ModelSpec Spec, IReadOnlyDictionary<string, string> Metadata) LoadModel(string path)
    {
        var file = Safetensors.Load(path);
        var metadata = file.Metadata
            ?? throw new InvalidDataException($"TrainingCheckpoint: {path} has no metadata; it was not written by engine train");
        var spec = ModelSpec.FromMetadata(metadata);
        var model = spec.Create(new Generator(0));
        model.LoadStateDict(file.Tensors);
        model.Eval();
        return (model, spec, metadata);
    }

    /// <summary>The standardiser stored in a checkpoint's metadata, if the data was tabular.</summary>
    public static Standardizer? StandardizerFrom(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("engine.standardizer.mean", out var mean) || !metadata.TryGetValue("engine.standardizer.std", out var std))
            return null;
        return new Standardizer(Tensor.FromArray(ParseFloats(mean)), Tensor.FromArray(ParseFloats(std)));
    }

    /// <summary>One row per epoch; the <see cref="EpochMetrics.Extra"/> metrics follow the fixed columns, sorted by
    /// name, with an empty cell where an epoch lacks one.</summary>
    public static void SaveMetrics(string path, IEnumerable<EpochMetrics> epochs)
    {
        var rows = epochs.ToList();
        var extra = rows.SelectMany(e => e.Extra.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (extra.FirstOrDefault(n => n.Length == 0 || n.IndexOfAny([',', '"', '\n', '\r']) >= 0) is { } bad)
            throw new ArgumentException($"SaveMetrics: extra metric name '{bad}' cannot be a CSV column name (empty, or has a comma, quote or line break)");
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second");
        foreach (var name in extra) sb.Append(',').Append(name);
        sb.Append('\n');
        foreach (var e in rows)
        {
            sb.Append(string.Join(",", e.Epoch.ToString(CultureInfo.InvariantCulture), R(e.TrainLoss), R(e.TrainAccuracy), R(e.TestLoss),
                R(e.TestAccuracy), R(e.Seconds), R(e.SamplesPerSecond)));
            foreach (var name in extra) sb.Append(',').Append(e.Extra.TryGetValue(name, out var v) ? R(v) : "");
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());

        static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string FormatFloats(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static float[] ParseFloats(string text) => text.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
