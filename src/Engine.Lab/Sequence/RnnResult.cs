namespace Engine.Lab.Sequence;

/// <summary>One finished epoch: the mean training loss over its batches, the test (validation, for the character
/// model) loss and accuracy (null for the adding problem's values), and its wall-clock seconds.</summary>
public sealed record RnnEpoch(int Epoch, double TrainLoss, double TestLoss, double? TestAccuracy, double Seconds);

/// <summary>A progress event: a training batch (<see cref="Epoch"/> null) or a finished epoch.</summary>
public sealed record RnnProgress(int EpochNumber, int Batch, double TrainLoss, RnnEpoch? Epoch);

/// <summary>What <c>engine rnn</c> reports. Losses are the task's: cross-entropy in nats (per sequence for the
/// classification tasks, per step for copy and the character model) or the mean squared error (adding).
/// <see cref="TestAccuracy"/> counts sequences (Reber, digits), steps (character model) or the copied symbols only
/// (copy). <see cref="BaselineLoss"/>: the memoryless predictor's loss (adding: 1/6; copy:
/// <see cref="Engine.Data.CopyTask.BaselineLoss"/>; character model: unigram frequencies).</summary>
public sealed record RnnResult
{
    public required string Task { get; init; }
    public required string Cell { get; init; }
    public required bool Bidirectional { get; init; }
    public required int Hidden { get; init; }
    public required int Layers { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required double Lr { get; init; }
    public required ulong Seed { get; init; }
    public required long Parameters { get; init; }
    public required int TrainSamples { get; init; }
    public required int TestSamples { get; init; }
    public required double TrainLoss { get; init; }
    public required double TestLoss { get; init; }
    public required double? TestAccuracy { get; init; }
    public required double? BaselineLoss { get; init; }

    /// <summary>Reber: the test strings that do not occur in the training part, and the accuracy on them
    /// (generalisation rather than recall; short strings are common, so most test strings were seen in training).</summary>
    public int? UnseenTestSamples { get; init; }
    public double? UnseenTestAccuracy { get; init; }

    /// <summary>Character model: the validation loss in nats per character (the same number as
    /// <see cref="TestLoss"/>).</summary>
    public double? ValidationLossNatsPerChar { get; init; }

    /// <summary>Character model: text generated from the trained model, each sample starting a new fortune.</summary>
    public IReadOnlyList<string>? Samples { get; init; }

    public required double Seconds { get; init; }

    /// <summary>Processors the runtime saw (the CPU kernels' parallelism).</summary>
    public required int Threads { get; init; }

    public required bool Cancelled { get; init; }
    public required IReadOnlyList<RnnEpoch> History { get; init; }
}

/// <summary>A finished run: its report and the trained network.</summary>
public sealed record RnnRun(RnnResult Result, RecurrentNetwork Network);
