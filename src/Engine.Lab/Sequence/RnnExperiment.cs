using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Engine.Data;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Sequence;

/// <summary>Trains a recurrent network on one sequence task (<see cref="RnnOptions"/>): Adam with the learning rate
/// annealed to zero over all steps by a cosine (so the last epochs settle instead of jumping between minima), the
/// total gradient norm clipped every step, one <see cref="TensorScope"/> per step, an evaluation on the test part
/// after every epoch.
/// Everything random (data, initialisation, batch order, samples) follows the seed.</summary>
public static class RnnExperiment
{
    /// <summary>Training batches between two batch progress events.</summary>
    private const int ProgressEvery = 20;

    public static RnnRun Run(RnnOptions options, IProgress<RnnProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = options.Resolve();
        var data = RnnTaskData.Load(o);
        var gen = new Generator(o.Seed);
        var network = new RecurrentNetwork(o.Cell, data.InputSize, o.Hidden!.Value, data.Outputs, data.Kind == SequenceTargetKind.StepClass,
            o.Layers, o.Bidirectional, o.Dropout, gen);
        var parameters = network.Parameters().ToArray();
        var optimizer = new Adam(parameters, lr: o.Lr!.Value);
        var batchesPerEpoch = (data.TrainCount + o.BatchSize!.Value - 1) / o.BatchSize.Value;
        var schedule = new CosineAnnealingLR(optimizer, o.Epochs!.Value * batchesPerEpoch);
        var history = new List<RnnEpoch>();
        var clock = Stopwatch.StartNew();
        var cancelled = false;
        double trainLoss = double.NaN;
        for (var epoch = 1; epoch <= o.Epochs && !cancelled; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            network.Train();
            double lossSum = 0;
            long seen = 0;
            var batch = 0;
            foreach (var b in data.TrainBatches(gen))
            {
                using (TensorScope.Enter())
                {
                    var output = network.Forward(b.Inputs, b.Lengths);
                    var (loss, count) = Loss(data, output, b.Targets, Reduction.Mean);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    GradClip.ClipGradNorm(parameters, o.ClipNorm);
                    optimizer.Step();
                    schedule.Step();
                    lossSum += loss.Item() * count;
                    seen += count;
                }
                batch++;
                if (batch % ProgressEvery == 0) progress?.Report(new RnnProgress(epoch, batch, lossSum / seen, null));
                if (cancellation.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
            }
            if (cancelled) break; // an unfinished epoch is not reported
            trainLoss = lossSum / Math.Max(seen, 1);
            var (testLoss, testAccuracy) = Evaluate(network, data);
            var record = new RnnEpoch(epoch, trainLoss, testLoss, testAccuracy, epochClock.Elapsed.TotalSeconds);
            history.Add(record);
            progress?.Report(new RnnProgress(epoch, batch, trainLoss, record));
        }
        network.Eval();
        var last = history.LastOrDefault();
        var unseen = data.UnseenTest is { Count: > 0 } u && last is not null
            ? Evaluate(network, data with { TestBatches = () => RnnTaskData.Batches(u, o.BatchSize.Value, null) }).Accuracy
            : null;
        var samples = data.Corpus is { } corpus && last is not null
            ? Enumerable.Range(0, o.SampleCount).Select(_ => Sample(network, corpus.Vocabulary, o.SampleLength, o.Temperature, gen)).ToArray()
            : null;
        var result = new RnnResult
        {
            Task = KebabName(o.Task),
            Cell = KebabName(o.Cell),
            Bidirectional = o.Bidirectional,
            Hidden = o.Hidden.Value,
            Layers = o.Layers,
            Epochs = history.Count,
            BatchSize = o.BatchSize.Value,
            Lr = o.Lr.Value,
            Seed = o.Seed,
            Parameters = network.ParameterCount,
            TrainSamples = data.TrainCount,
            TestSamples = data.TestCount,
            TrainLoss = trainLoss,
            TestLoss = last?.TestLoss ?? double.NaN,
            TestAccuracy = last?.TestAccuracy,
            BaselineLoss = data.BaselineLoss,
            UnseenTestSamples = data.UnseenTest?.Count,
            UnseenTestAccuracy = unseen,
            ValidationLossNatsPerChar = data.Corpus is null ? null : last?.TestLoss ?? double.NaN,
            Samples = samples,
            Seconds = clock.Elapsed.TotalSeconds,
            Threads = Environment.ProcessorCount,
            Cancelled = cancelled,
            History = history,
        };
        return new RnnRun(result, network);
    }

    /// <summary>The name the CLI and the JSON use: RnnTanh -> rnn-tanh, DigitsSeq -> digits-seq.</summary>
    public static string KebabName<T>(T value)
        where T : struct, Enum
        => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>The test part's mean loss and accuracy (null for values), in eval mode without gradients.</summary>
    internal static (double Loss, double? Accuracy) Evaluate(RecurrentNetwork network, RnnTaskData data)
    {
        var wasTraining = network.IsTraining;
        network.Eval();
        double lossSum = 0;
        long count = 0, correct = 0, scored = 0;
        using (Autograd.NoGrad())
        {
            foreach (var b in data.TestBatches())
            {
                using var scope = TensorScope.Enter();
                var output = network.Forward(b.Inputs, b.Lengths);
                var (loss, n) = Loss(data, output, b.Targets, Reduction.Sum);
                lossSum += loss.Item();
                count += n;
                if (data.Kind == SequenceTargetKind.Value) continue;
                var hits = output.Argmax(-1).Eq(b.Targets);
                if (data.ScoreNonBlank)
                {
                    var due = b.Targets.Gt(0);
                    hits = hits.LogicalAnd(due);
                    scored += due.Sum().Item<long>();
                }
                else
                {
                    scored += b.Targets.Numel;
                }
                correct += hits.Sum().Item<long>();
            }
        }
        network.Train(wasTraining);
        return (lossSum / Math.Max(count, 1), data.Kind == SequenceTargetKind.Value ? null : (double)correct / Math.Max(scored, 1));
    }

    /// <summary>The task's loss and the number of terms it averages (sequences, or steps for a class per step).</summary>
    private static (Tensor Loss, long Count) Loss(RnnTaskData data, Tensor output, Tensor targets, Reduction reduction) => data.Kind switch
    {
        SequenceTargetKind.Class => (Losses.CrossEntropy(output, targets, reduction: reduction), targets.Numel),
        SequenceTargetKind.Value => (Losses.Mse(output.Squeeze(1), targets, reduction), targets.Numel),
        _ => (Losses.CrossEntropy(output.Reshape(-1, data.Outputs), targets.Reshape(-1), reduction: reduction), targets.Numel),
    };

    /// <summary>Text from the character model: it reads <see cref="CharCorpus.DocumentSeparator"/> (so it starts a
    /// new fortune), then draws each next character from softmax(logits / temperature), carrying its state.</summary>
    internal static string Sample(RecurrentNetwork network, CharVocabulary vocabulary, int length, double temperature, Generator generator)
    {
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var text = new StringBuilder();
        var input = vocabulary.Encode(CharCorpus.DocumentSeparator).Unsqueeze(0);
        Tensor[]? state = null;
        for (var i = 0; i < length; i++)
        {
            var (output, next) = network.Run(input, state, null);
            state = next;
            var logits = network.Head.Forward(output.Select(1, output.Size(1) - 1)).Select(0, 0).To(DType.Float64);
            var p = (logits / temperature).Softmax(0).ToArray<double>();
            var u = generator.NextDouble();
            var (id, cumulative) = (0, p[0]);
            while (cumulative <= u && id < p.Length - 1) cumulative += p[++id];
            text.Append(vocabulary.Characters[id]);
            input = Tensor.FromArray(new long[] { id }, 1, 1);
        }
        return text.ToString();
    }
}
