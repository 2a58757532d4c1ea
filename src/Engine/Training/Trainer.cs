using System.Diagnostics;
using Engine.Data;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Training;

/// <summary>How to train: epochs, batch size, optimizer and learning rate, seed.</summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 5;

    public int BatchSize { get; init; } = 128;

    public double Lr { get; init; } = 1e-3;

    /// <summary>sgd (momentum 0.9), adam or adamw.</summary>
    public string Optimizer { get; init; } = "adam";

    public double WeightDecay { get; init; }

    public ulong Seed { get; init; } = 1;

    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Batch size used for evaluation passes.</summary>
    public int EvalBatchSize { get; init; } = 1000;

    public static readonly string[] Optimizers = ["sgd", "adam", "adamw"];

    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentException($"TrainOptions: epochs must be non-negative; got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"TrainOptions: batch size must be positive; got {BatchSize}");
        if (!(Lr > 0)) throw new ArgumentException($"TrainOptions: the learning rate must be positive; got {Lr}");
        if (!Optimizers.Contains(Optimizer))
            throw new ArgumentException($"TrainOptions: unknown optimizer '{Optimizer}'; expected one of {string.Join(", ", Optimizers)}");
    }

    public Optimizer CreateOptimizer(IEnumerable<Tensor> parameters) => Optimizer switch
    {
        "sgd" => new Sgd(parameters, Lr, momentum: 0.9, weightDecay: WeightDecay),
        "adam" => new Adam(parameters, Lr, weightDecay: WeightDecay),
        _ => new AdamW(parameters, Lr, weightDecay: WeightDecay == 0 ? 1e-2 : WeightDecay),
    };
}

/// <summary>Metrics of one finished epoch.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double Seconds, double SamplesPerSecond)
{
    /// <summary>Metrics the caller measures itself (e.g. the dead-neuron rate), by name; see
    /// <see cref="Trainer.Train"/>'s extraMetrics.</summary>
    public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();
}

/// <summary>Progress inside an epoch, reported after every batch.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double SamplesPerSecond);

/// <summary>The outcome of a training run; <see cref="Cancelled"/> when it stopped early (after a whole batch).</summary>
public sealed record TrainResult(IReadOnlyList<EpochMetrics> Epochs, double Seconds, bool Cancelled, long Parameters)
{
    public EpochMetrics? Last => Epochs.Count > 0 ? Epochs[^1] : null;
}

/// <summary>The supervised classification loop behind `engine train`: seeded shuffling, cross-entropy, one
/// <see cref="TensorScope"/> per step (so memory stays flat), per-epoch evaluation on the test split.</summary>
public static class Trainer
{
    /// <param name="onBatch">Called after every training batch (on the training thread).</param>
    /// <param name="onEpoch">Called after every epoch with its metrics; an exception there stops training.</param>
    /// <param name="extraMetrics">Called after each epoch's training batches, before its evaluation pass, for metrics
    /// the trainer does not know (the library cannot depend on the analyses that compute them); the values become
    /// <see cref="EpochMetrics.Extra"/>.</param>
    public static TrainResult Train(
        Module<Tensor, Tensor> model,
        TrainingData data,
        TrainOptions options,
        Action<BatchProgress>? onBatch = null,
        Action<EpochMetrics>? onEpoch = null,
        CancellationToken cancellation = default,
        Func<IReadOnlyDictionary<string, double>>? extraMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        model.To(options.Device);
        var optimizer = options.CreateOptimizer(model.Parameters());
        var train = data.Train.ToDataset();
        var loader = new DataLoader(train, options.BatchSize, shuffle: true, generator: new Generator(options.Seed + 1), prefetch: true);
        var history = new List<EpochMetrics>();
        var total = Stopwatch.StartNew();
        var cancelled = false;
        for (var epoch = 1; epoch <= options.Epochs && !cancelled; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.Train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            var batch = 0;
            foreach (var (input, target) in loader.Batches(CancellationToken.None))
            {
                using (var scope = TensorScope.Enter())
                {
                    var x = input.To(options.Device);
                    var y = target.To(options.Device);
                    var logits = model.Forward(x);
                    var loss = Losses.CrossEntropy(logits, y);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                    var n = y.Size(0);
                    lossSum += loss.Item() * n;
                    using (Autograd.NoGrad()) correct += logits.Argmax(1).Eq(y).Sum().Item<long>();
                    seen += n;
                }
                input.Dispose();
                target.Dispose();
                batch++;
                onBatch?.Invoke(new BatchProgress(epoch, options.Epochs, batch, loader.Count, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds));
                if (cancellation.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
            }
            if (cancelled && batch < loader.Count) break; // an unfinished epoch is not reported
            var trainSeconds = clock.Elapsed.TotalSeconds;
            var extra = extraMetrics?.Invoke();
            var (testLoss, testAccuracy) = Evaluate(model, data.Test, options.EvalBatchSize, options.Device);
            var metrics = new EpochMetrics(epoch, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), testLoss, testAccuracy,
                clock.Elapsed.TotalSeconds, seen / trainSeconds)
            {
                Extra = extra ?? new Dictionary<string, double>(),
            };
            history.Add(metrics);
            onEpoch?.Invoke(metrics);
        }
        model.Eval();
        return new TrainResult(history, total.Elapsed.TotalSeconds, cancelled, model.ParameterCount);
    }

    /// <summary>Mean cross-entropy and accuracy of a model on a labelled table, in eval mode, without gradients.</summary>
    public static (double Loss, double Accuracy) Evaluate(Module<Tensor, Tensor> model, LabeledTable table, int batchSize = 1000, Device? device = null)
    {
        var wasTraining = model.IsTraining;
        model.Eval();
        double lossSum = 0;
        long correct = 0;
        var n = table.Samples;
        using (Autograd.NoGrad())
        {
            for (var start = 0; start < n; start += batchSize)
            {
                using var scope = TensorScope.Enter();
                var count = Math.Min(batchSize, n - start);
                var x = table.Features.Narrow(0, start, count);
                var y = table.Labels.Narrow(0, start, count);
                if (device is { } d && d != x.Device)
                {
                    x = x.To(d);
                    y = y.To(d);
                }
                var logits = model.Forward(x);
                lossSum += Losses.CrossEntropy(logits, y, reduction: Reduction.Sum).Item();
                correct += logits.Argmax(1).Eq(y).Sum().Item<long>();
            }
        }
        model.Train(wasTraining);
        return n == 0 ? (double.NaN, double.NaN) : (lossSum / n, (double)correct / n);
    }
}
