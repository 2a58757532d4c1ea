using System.CommandLine;
using System.Globalization;
using System.Text;
using Engine.IO;
using Engine.Lab.Experiments;
using Engine.Lab.Sequence;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine rnn</c>: trains an RNN, GRU or LSTM (optionally bidirectional, stacked) with a linear head on a
/// sequence task (Reber grammar, sequential digits, adding problem, copy task, character model of the fortunes);
/// writes model.safetensors, result.json, history.csv and summary.md (with the generated text of the character
/// model). Ctrl+C stops after the current batch and keeps the finished epochs.</summary>
internal static class RnnCommand
{
    public static Command Create()
    {
        var defaults = new RnnOptions();
        var cell = new Option<string>("--cell") { Description = "rnn-tanh, rnn-relu, gru or lstm", Required = true };
        var task = new Option<string>("--task") { Description = "reber, digits-seq (64 pixels), digits-rows (8 rows), adding, copy or charlm (fortunes)", Required = true };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Read each sequence both ways (not for charlm, which predicts forward)" };
        var hidden = new Option<int?>("--hidden") { Description = "Hidden units per layer and direction (default: the task's)" };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers", DefaultValueFactory = _ => defaults.Layers };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training data (default: the task's)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data, the initialisation, the batch order and the samples", DefaultValueFactory = _ => defaults.Seed };
        var batchSize = new Option<int?>("--batch-size") { Description = "Sequences per step (default: the task's)" };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate (default: the task's)" };
        var clip = new Option<double>("--clip") { Description = "Largest total gradient norm of a step", DefaultValueFactory = _ => defaults.ClipNorm };
        var dropout = new Option<double>("--dropout") { Description = "Dropout between recurrent layers", DefaultValueFactory = _ => defaults.Dropout };
        var samples = new Option<int?>("--samples") { Description = "Generated sequences (reber: all, split 75/25; adding, copy: training, plus a fifth as many for testing)" };
        var length = new Option<int?>("--length") { Description = "adding: sequence length; copy: delay; charlm: training window; reber: longest string" };
        var embedded = new Option<bool>("--embedded") { Description = "reber: the embedded Reber grammar" };
        var maxBatches = new Option<int?>("--max-batches") { Description = "charlm: most training batches per epoch (default: all windows)" };
        var sampleLength = new Option<int>("--sample-length") { Description = "charlm: characters per generated sample", DefaultValueFactory = _ => defaults.SampleLength };
        var temperature = new Option<double>("--temperature") { Description = "charlm: sampling temperature", DefaultValueFactory = _ => defaults.Temperature };
        var outDir = new Option<string?>("--out") { Description = "Run folder (default runs/rnn-<timestamp>)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "charlm: directory of the fortune files (default /usr/share/games/fortunes)" };
        var command = new Command("rnn", "Train a recurrent network (RNN, GRU, LSTM) on a sequence task")
        {
            cell, task, bidirectional, hidden, layers, epochs, seed, batchSize, lr, clip, dropout, samples, length, embedded, maxBatches, sampleLength,
            temperature, outDir, dataDir,
        };
        return command.WithAction((parse, output) =>
        {
            var options = new RnnOptions
            {
                Cell = ParseKebab<RnnCellKind>(parse.GetValue(cell)!, "--cell", "rnn-tanh, rnn-relu, gru, lstm"),
                Task = ParseKebab<RnnTask>(parse.GetValue(task)!, "--task", "reber, digits-seq, digits-rows, adding, copy, charlm"),
                Bidirectional = parse.GetValue(bidirectional),
                Hidden = parse.GetValue(hidden),
                Layers = parse.GetValue(layers),
                Epochs = parse.GetValue(epochs),
                Seed = parse.GetValue(seed),
                BatchSize = parse.GetValue(batchSize),
                Lr = parse.GetValue(lr),
                ClipNorm = parse.GetValue(clip),
                Dropout = parse.GetValue(dropout),
                Samples = parse.GetValue(samples),
                Length = parse.GetValue(length),
                Embedded = parse.GetValue(embedded),
                MaxBatches = parse.GetValue(maxBatches),
                SampleLength = parse.GetValue(sampleLength),
                Temperature = parse.GetValue(temperature),
                DataDir = parse.GetValue(dataDir),
            };
            options.Validate();
            if (options.Task == RnnTask.Charlm && options.Bidirectional)
                throw new ArgumentException("--bidirectional: a character model predicts the next character, so it may not read the future; drop --bidirectional for charlm");
            var o = options.Resolve();
            var dir = parse.GetValue(outDir) ?? CodesCliOptions.DefaultRunDirectory("rnn");
            output.Progress.MarkupLineInterpolated(
                $"[bold]engine rnn[/] {RnnExperiment.KebabName(o.Task)}{(o.Embedded ? " (embedded)" : "")}, {(o.Bidirectional ? "bidirectional " : "")}{RnnExperiment.KebabName(o.Cell)} {o.Layers}x{o.Hidden}, {o.Epochs} epochs, batch {o.BatchSize}, lr {o.Lr}, seed {o.Seed} -> {dir}");
            using var ctrlC = new CtrlC();
            var run = RnnExperiment.Run(options, new InlineProgress<RnnProgress>(p => ProgressLine(output, p)), ctrlC.Token);
            Write(dir, run);
            var r = run.Result;
            if (output.Json) output.WriteJson(r);
            else
                output.Human.MarkupLineInterpolated(
                    $"{r.Task} {r.Cell}: test loss [bold]{r.TestLoss:G5}[/]{(r.TestAccuracy is { } a ? $", test accuracy {a:P2}" : "")}{(r.BaselineLoss is { } b ? $" (baseline {b:G5})" : "")}, {r.Epochs} epochs, {r.Seconds:F1} s; files in {Path.GetFullPath(dir)}");
            if (!output.Json && r.Samples is { } texts)
                foreach (var text in texts) output.Human.WriteLine(text);
            return r.Cancelled ? 130 : 0;
        });
    }

    /// <summary>An enum from its kebab name (rnn-tanh -> RnnTanh).</summary>
    private static T ParseKebab<T>(string text, string option, string expected)
        where T : struct, Enum
        => Enum.TryParse<T>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value) && !int.TryParse(text, out _)
            && RnnExperiment.KebabName(value) == text.ToLowerInvariant()
            ? value
            : throw new ArgumentException($"{option}: expected {expected}; got '{text}'");

    private static void ProgressLine(CliOutput output, RnnProgress p)
    {
        if (p.Epoch is { } e)
            output.Progress.MarkupLineInterpolated(
                $"epoch {e.Epoch}: train loss {e.TrainLoss:G5}, test loss {e.TestLoss:G5}{(e.TestAccuracy is { } a ? $", test accuracy {a:P2}" : "")} ({e.Seconds:F1} s)");
        else if (p.Batch % 100 == 0)
            output.Progress.MarkupLineInterpolated($"  epoch {p.EpochNumber} batch {p.Batch}: train loss {p.TrainLoss:G5}");
    }

    private static void Write(string dir, RnnRun run)
    {
        Directory.CreateDirectory(dir);
        run.Network.Save(Path.Combine(dir, "model.safetensors"));
        AtomicFile.WriteAllText(Path.Combine(dir, "result.json"), LabJson.Serialize(run.Result));
        var csv = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,seconds\n");
        foreach (var e in run.Result.History)
            csv.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.TrainLoss:R},{e.TestLoss:R},{e.TestAccuracy:R},{e.Seconds:R}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "history.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.md"), Summary(run.Result));
    }

    private static string Summary(RnnResult r)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"# engine rnn\n\n{r.Task}: {(r.Bidirectional ? "bidirectional " : "")}{r.Cell}, {r.Layers} layer(s) of {r.Hidden}, {r.Parameters} parameters; {r.Epochs} epochs, batch {r.BatchSize}, lr {r.Lr}, seed {r.Seed}; {r.TrainSamples} training and {r.TestSamples} test sequences; {r.Seconds:F1} s on {r.Threads} threads\n\n");
        text.Append("| epoch | train loss | test loss | test accuracy | seconds |\n|---|---|---|---|---|\n");
        foreach (var e in r.History)
            text.Append(CultureInfo.InvariantCulture, $"| {e.Epoch} | {e.TrainLoss:G5} | {e.TestLoss:G5} | {(e.TestAccuracy is { } a ? a.ToString("P2", CultureInfo.InvariantCulture) : "")} | {e.Seconds:F1} |\n");
        if (r.BaselineLoss is { } b) text.Append(CultureInfo.InvariantCulture, $"\nMemoryless baseline loss: {b:G5}\n");
        if (r.Samples is { } samples)
        {
            text.Append("\n## Samples\n");
            foreach (var s in samples) text.Append("\n```\n").Append(s).Append("\n```\n");
        }
        return text.ToString();
    }
}
