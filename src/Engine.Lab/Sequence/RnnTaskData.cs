using Engine.Data;

namespace Engine.Lab.Sequence;

/// <summary>A batch as the network reads it: inputs [B, T, F] (or symbol indices [B, T]), lengths [B] when the
/// sequences differ in length (null when all are full, which spares the masking), targets [B] or [B, T].</summary>
public sealed record RnnBatch(Tensor Inputs, Tensor? Lengths, Tensor Targets);

/// <summary>One task's data as the training loop sees it: its batches, the kind of its targets and the sizes the
/// network needs.</summary>
internal sealed record RnnTaskData
{
    public required string Name { get; init; }

    public required SequenceTargetKind Kind { get; init; }

    public required int InputSize { get; init; }

    /// <summary>Classes, or 1 for a value.</summary>
    public required int Outputs { get; init; }

    public required int TrainCount { get; init; }

    public required int TestCount { get; init; }

    /// <summary>One epoch of training batches in a fresh order drawn from the generator.</summary>
    public required Func<Generator, IEnumerable<RnnBatch>> TrainBatches { get; init; }

    public required Func<IEnumerable<RnnBatch>> TestBatches { get; init; }

    /// <summary>The loss of the best memoryless predictor, where the task defines one.</summary>
    public double? BaselineLoss { get; init; }

    /// <summary>Accuracy counts only targets other than class 0 (the copy task's blanks, which a memoryless model
    /// gets right).</summary>
    public bool ScoreNonBlank { get; init; }

    /// <summary>The training and test parts of the tasks that have them as sequence sets (all but the character
    /// model).</summary>
    public SequenceSet? Train { get; init; }

    public SequenceSet? Test { get; init; }

    /// <summary>Reber: the test strings that do not occur in the training part. Short strings are common, so most
    /// test strings were also seen in training; accuracy on these shows generalisation rather than recall.</summary>
    public SequenceSet? UnseenTest { get; init; }

    /// <summary>The character model's text, for sampling.</summary>
    public CharCorpus? Corpus { get; init; }

    public static RnnTaskData Load(RnnOptions options)
    {
        var o = options.Resolve();
        var (samples, length) = (o.Samples!.Value, o.Length!.Value);
        var testSamples = Math.Max(1, samples / 5);
        return o.Task switch
        {
            RnnTask.Reber => WithUnseenTest(FromSplit(ReberGrammar.Classification(samples, o.Embedded, length, o.Seed), o.BatchSize!.Value, o.Seed)),
            RnnTask.DigitsSeq => FromSplit(SequentialDigits.Load(SequentialDigits.Layout.Pixels), o.BatchSize!.Value, o.Seed),
            RnnTask.DigitsRows => FromSplit(SequentialDigits.Load(SequentialDigits.Layout.Rows), o.BatchSize!.Value, o.Seed),
            RnnTask.Adding => FromSets(AddingProblem.Generate(samples, length, o.Seed), AddingProblem.Generate(testSamples, length, o.Seed + 1000),
                o.BatchSize!.Value) with { BaselineLoss = 1 / 6.0 },
            RnnTask.Copy => FromSets(CopyTask.Generate(samples, length, seed: o.Seed), CopyTask.Generate(testSamples, length, seed: o.Seed + 1000),
                o.BatchSize!.Value) with { BaselineLoss = CopyTask.BaselineLoss(length), ScoreNonBlank = true },
            RnnTask.Charlm => CharModel(FortunesCorpus.Load(o.DataDir), length, o.BatchSize!.Value, o.MaxBatches),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"RnnTaskData: unknown task {o.Task}"),
        };
    }

    /// <summary>A 75/25 split of one set (stratified by class), as the Reber benchmark uses.</summary>
    private static RnnTaskData FromSplit(SequenceSet set, int batchSize, ulong seed)
    {
        var parts = set.Split([0.75, 0.25], seed);
        return FromSets(parts[0], parts[1], batchSize);
    }

    private static RnnTaskData FromSets(SequenceSet train, SequenceSet test, int batchSize) => new()
    {
        Name = train.Name,
        Kind = train.TargetKind,
        InputSize = train.Features,
        Outputs = train.TargetKind == SequenceTargetKind.Value ? 1 : train.ClassCount,
        TrainCount = train.Count,
        TestCount = test.Count,
        TrainBatches = gen => Batches(train, batchSize, gen),
        TestBatches = () => Batches(test, batchSize, null),
        Train = train,
        Test = test,
    };

    /// <summary>Batches in a fresh order from the generator, or in order without one; lengths only where the
    /// sequences differ in length.</summary>
    public static IEnumerable<RnnBatch> Batches(SequenceSet set, int batchSize, Generator? gen)
    {
        var variable = set.Lengths.Min().Item<long>() < set.Steps;
        return set.Batches(batchSize, gen is not null, gen).Select(b => new RnnBatch(b.Inputs, variable ? b.Lengths : null, b.Targets));
    }

    private static RnnTaskData WithUnseenTest(RnnTaskData data)
    {
        var seen = SymbolKeys(data.Train!).ToHashSet();
        var unseen = SymbolKeys(data.Test!).Select((key, i) => (key, i)).Where(p => !seen.Contains(p.key)).Select(p => (long)p.i).ToArray();
        return data with { UnseenTest = data.Test!.Take(Tensor.FromArray(unseen)) };
    }

    /// <summary>Each one-hot sequence as the string of its symbol indices (its identity).</summary>
    private static IEnumerable<string> SymbolKeys(SequenceSet set)
    {
        var symbols = set.Inputs.Argmax(2).ToArray<long>();
        var lengths = set.Lengths.ToArray<long>();
        for (var i = 0; i < set.Count; i++)
            yield return string.Join(",", symbols.Skip(i * set.Steps).Take((int)lengths[i]));
    }

    /// <summary>Windows of <paramref name="length"/> characters of the training text in a fresh order each epoch (the
    /// first <paramref name="maxBatches"/> batches of it when given), and all windows of the validation text; every
    /// window starts from a zero state.</summary>
    private static RnnTaskData CharModel(CharCorpus corpus, int length, int batchSize, int? maxBatches)
    {
        var train = CharCorpus.Windows(corpus.Train, length);
        var validation = CharCorpus.Windows(corpus.Validation, length);
        IEnumerable<RnnBatch> WindowBatches(TensorDataset set, Generator? gen, int? most)
        {
            var order = gen is null ? Tensor.Arange(set.Count) : Tensor.RandPerm(set.Count, gen);
            var count = Math.Min(set.Count, (most ?? int.MaxValue) * (long)batchSize);
            for (var start = 0; start < count; start += batchSize)
            {
                var (x, y) = set.GetBatch(order.Narrow(0, start, (int)Math.Min(batchSize, count - start)));
                yield return new RnnBatch(x, null, y);
            }
        }
        return new RnnTaskData
        {
            Name = corpus.Name,
            Kind = SequenceTargetKind.StepClass,
            InputSize = corpus.Vocabulary.Count,
            Outputs = corpus.Vocabulary.Count,
            TrainCount = (int)Math.Min(train.Count, (maxBatches ?? int.MaxValue) * (long)batchSize),
            TestCount = validation.Count,
            TrainBatches = gen => WindowBatches(train, gen, maxBatches),
            TestBatches = () => WindowBatches(validation, null, null),
            BaselineLoss = UnigramLoss(corpus),
            Corpus = corpus,
        };
    }

    /// <summary>The validation text's cross-entropy (nats per character) under the training text's character
    /// frequencies (add-one smoothed): what a model without context scores.</summary>
    private static double UnigramLoss(CharCorpus corpus)
    {
        var counts = new double[corpus.Vocabulary.Count];
        foreach (var id in corpus.Train.ToArray<long>()) counts[id]++;
        var total = counts.Sum() + counts.Length;
        var validation = corpus.Validation.ToArray<long>();
        return validation.Sum(id => -Math.Log((counts[id] + 1) / total)) / validation.Length;
    }
}
