namespace Engine.Lab.Sequence;

/// <summary>The recurrent layer of an <see cref="RnnExperiment"/>'s network.</summary>
public enum RnnCellKind
{
    /// <summary>Elman RNN with tanh (torch.nn.RNN).</summary>
    RnnTanh,

    /// <summary>Elman RNN with ReLU.</summary>
    RnnRelu,

    Gru,

    Lstm,
}

/// <summary>The sequence tasks of <c>engine rnn</c>.</summary>
public enum RnnTask
{
    /// <summary>Reber strings, grammatical or corrupted (<see cref="Engine.Data.ReberGrammar.Classification"/>), 75/25
    /// split; the final state classifies.</summary>
    Reber,

    /// <summary>The 8x8 digits read pixel by pixel, 64 steps (<see cref="Engine.Data.SequentialDigits"/>), 75/25.</summary>
    DigitsSeq,

    /// <summary>The 8x8 digits read row by row, 8 steps of 8 pixels, 75/25.</summary>
    DigitsRows,

    /// <summary>The adding problem (<see cref="Engine.Data.AddingProblem"/>): regression of the final state.</summary>
    Adding,

    /// <summary>The copy task (<see cref="Engine.Data.CopyTask"/>): a class at every step.</summary>
    Copy,

    /// <summary>Next-character prediction on the fortunes corpus (<see cref="Engine.Data.FortunesCorpus"/>).</summary>
    Charlm,
}

/// <summary>What <c>engine rnn</c> runs: a recurrent network (<see cref="Cell"/>, <see cref="Hidden"/> units,
/// <see cref="Layers"/> layers, optionally bidirectional) with a linear head, trained by Adam with gradient-norm
/// clipping on one task. Null sizes take the task's default (<see cref="Resolve"/>).</summary>
public sealed record RnnOptions
{
    public RnnTask Task { get; init; } = RnnTask.Reber;
    public RnnCellKind Cell { get; init; } = RnnCellKind.Lstm;
    public bool Bidirectional { get; init; }
    public int? Hidden { get; init; }
    public int Layers { get; init; } = 1;
    public int? Epochs { get; init; }
    public ulong Seed { get; init; } = 1;
    public int? BatchSize { get; init; }
    public double? Lr { get; init; }

    /// <summary>The largest total gradient norm of a step (<see cref="Engine.Optim.GradClip.ClipGradNorm"/>).</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Dropout between recurrent layers (with two or more layers).</summary>
    public double Dropout { get; init; }

    /// <summary>Generated sequences: Reber strings (split 75/25), adding and copy training sequences (their test sets
    /// have a fifth as many).</summary>
    public int? Samples { get; init; }

    /// <summary>The sequence length of the adding problem, the delay of the copy task, the training window of the
    /// character model, the longest Reber string.</summary>
    public int? Length { get; init; }

    /// <summary>Reber task: the embedded grammar, whose long-range dependency only memory solves.</summary>
    public bool Embedded { get; init; }

    /// <summary>Character model: most training batches per epoch (null: all windows), for shorter runs.</summary>
    public int? MaxBatches { get; init; }

    /// <summary>Character model: the directory of the fortune files (default: the Debian package's).</summary>
    public string? DataDir { get; init; }

    /// <summary>Character model: generated samples, their length in characters and the sampling temperature.</summary>
    public int SampleCount { get; init; } = 3;
    public int SampleLength { get; init; } = 300;
    public double Temperature { get; init; } = 0.8;

    /// <summary>These options with every null size replaced by the task's default.</summary>
    public RnnOptions Resolve()
    {
        var d = Defaults(Task);
        return this with
        {
            Hidden = Hidden ?? d.Hidden,
            Epochs = Epochs ?? d.Epochs,
            BatchSize = BatchSize ?? d.BatchSize,
            Lr = Lr ?? d.Lr,
            Samples = Samples ?? d.Samples,
            Length = Length ?? d.Length,
        };
    }

    public void Validate()
    {
        var r = Resolve();
        if (!Enum.IsDefined(Task)) throw new ArgumentOutOfRangeException(nameof(Task), $"RnnOptions: unknown task {Task}");
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), $"RnnOptions: unknown cell {Cell}");
        if (r.Hidden < 1 || Layers < 1 || r.Epochs < 1 || r.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(Hidden), $"RnnOptions: hidden, layers, epochs and batch size must be >= 1; got {r.Hidden}, {Layers}, {r.Epochs}, {r.BatchSize}");
        if (!(r.Lr > 0)) throw new ArgumentOutOfRangeException(nameof(Lr), $"RnnOptions: the learning rate must be > 0; got {r.Lr}");
        if (!(ClipNorm > 0)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), $"RnnOptions: the clipping norm must be > 0; got {ClipNorm}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"RnnOptions: dropout must be in [0, 1); got {Dropout}");
        if (Task is RnnTask.Reber or RnnTask.Adding or RnnTask.Copy && r.Samples < 8)
            throw new ArgumentOutOfRangeException(nameof(Samples), $"RnnOptions: samples must be >= 8; got {r.Samples}");
        if (r.Length < 1) throw new ArgumentOutOfRangeException(nameof(Length), $"RnnOptions: length must be >= 1; got {r.Length}");
        if (MaxBatches < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatches), $"RnnOptions: max batches must be >= 1; got {MaxBatches}");
        if (SampleCount < 0 || SampleLength < 1 || !(Temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(SampleCount), $"RnnOptions: sample count >= 0, sample length >= 1 and temperature > 0 expected; got {SampleCount}, {SampleLength}, {Temperature}");
        if (Embedded && Task != RnnTask.Reber) throw new ArgumentException($"RnnOptions: the embedded grammar belongs to the reber task; got task {Task}");
    }

    /// <summary>The task's default sizes: small enough for a 2-core CPU, large enough to reach the documented
    /// accuracies (docs/sequence-tasks.md).</summary>
    public static (int Hidden, int Epochs, int BatchSize, double Lr, int Samples, int Length) Defaults(RnnTask task) => task switch
    {
        RnnTask.Reber => (32, 8, 64, 1e-2, 25000, 50),
        RnnTask.DigitsSeq => (64, 60, 32, 3e-3, 1797, 64),
        RnnTask.DigitsRows => (64, 20, 32, 3e-3, 1797, 8),
        RnnTask.Adding => (64, 20, 64, 3e-3, 10000, 50),
        RnnTask.Copy => (64, 30, 64, 3e-3, 10000, 20),
        RnnTask.Charlm => (128, 3, 64, 1e-2, 0, 100),
        _ => throw new ArgumentOutOfRangeException(nameof(task), $"RnnOptions: unknown task {task}"),
    };
}
