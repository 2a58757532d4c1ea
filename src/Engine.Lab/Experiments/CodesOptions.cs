namespace Engine.Lab.Experiments;

/// <summary>One activation-code experiment: the data, the reference MLP, the reference training recipe and the
/// analysis of the codes. Defaults are the reference's (Adam lr 1e-2, lr x0.1 every 20 epochs, batch 64, weight
/// decay 1e-6, depth 1).</summary>
public sealed record CodesOptions
{
    public static readonly string[] DataSets = ["fashion-mnist", "digits"];

    /// <summary>fashion-mnist or digits (the embedded 8x8 digits, for quick runs and tests).</summary>
    public string Data { get; init; } = "fashion-mnist";

    /// <summary>Directory of the Fashion-MNIST files (else $ENGINE_DATA, else the Debian package's).</summary>
    public string? DataDir { get; init; }

    /// <summary>Total hidden width, split across the hidden layers (see <see cref="ReferenceMlp.SplitWidth"/>).</summary>
    public int Width { get; init; } = 100;

    public int Depth { get; init; } = 1;

    /// <summary>Training epochs; the codes are measured after the last one and at each of <see cref="Checkpoints"/>.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Extra epochs (0 = before training) at which to measure, so an epoch sweep trains once per seed.</summary>
    public int[] Checkpoints { get; init; } = [];

    /// <summary>Train on the first N samples of the training part (the first 80% of the training split); null for all.</summary>
    public int? TrainSize { get; init; }

    /// <summary>Fraction of the training labels flipped to another class (seeded, see <see cref="LabelNoise"/>).</summary>
    public double LabelNoise { get; init; }

    public double WeightDecay { get; init; } = 1e-6;

    /// <summary>Dropout after each hidden ReLU; 0 for none (the reference has none).</summary>
    public double Dropout { get; init; }

    /// <summary>Seeds the initial weights, the shuffling, the dropout masks, the label noise and the analysis.</summary>
    public ulong Seed { get; init; } = 1;

    public double Lr { get; init; } = 1e-2;

    /// <summary>The learning rate is multiplied by 0.1 every this many epochs (StepLR).</summary>
    public int LrStepEpochs { get; init; } = 20;

    public int BatchSize { get; init; } = 64;

    /// <summary>Use the first N test samples; null for the whole test split (10,000 for Fashion-MNIST).</summary>
    public int? TestSize { get; init; }

    /// <summary>Training codes used to fit the logistic regression and to cluster the training codes with K-Means: a
    /// seeded random subset of this size (null: all). K-NN always uses every training code. Fitting on 48,000 codes
    /// gains little accuracy over 10,000 and costs minutes per cell on two cores.</summary>
    public int? AnalysisSamples { get; init; } = 10_000;

    /// <summary>Uniform-noise inputs in [0, 1) whose codes give the control redundancy.</summary>
    public int NoiseSamples { get; init; } = 10_000;

    /// <summary>Neighbours for K-NN on the codes (the reference: 9).</summary>
    public int KnnK { get; init; } = 9;

    /// <summary>Full-batch epochs of the logistic regression on the codes.</summary>
    public int LogregEpochs { get; init; } = 100;

    /// <summary>Also fit the reference's one-vs-one logistic regression (45 binary models for 10 classes).</summary>
    public bool LogregOneVsOne { get; init; }

    /// <summary>All epochs at which the codes are measured, ascending: the checkpoints and the final epoch.</summary>
    public int[] MeasuredEpochs() => Checkpoints.Append(Epochs).Distinct().Order().ToArray();

    public void Validate()
    {
        if (!DataSets.Contains(Data))
            throw new ArgumentException($"CodesOptions: unknown data set '{Data}'; expected one of {string.Join(", ", DataSets)}");
        ReferenceMlp.SplitWidth(Width, Depth);
        if (Epochs < 0) throw new ArgumentException($"CodesOptions: epochs must be non-negative; got {Epochs}");
        foreach (var c in Checkpoints)
            if (c < 0 || c > Epochs)
                throw new ArgumentException($"CodesOptions: checkpoint epoch {c} is outside 0..{Epochs} (the epochs trained)");
        if (TrainSize is < 2) throw new ArgumentException($"CodesOptions: train size must be at least 2 (batch norm needs two samples); got {TrainSize}");
        if (!(LabelNoise >= 0 && LabelNoise <= 1)) throw new ArgumentException($"CodesOptions: label noise must be in [0, 1]; got {LabelNoise}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"CodesOptions: weight decay must be non-negative; got {WeightDecay}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"CodesOptions: dropout must be in [0, 1); got {Dropout}");
        if (!(Lr > 0)) throw new ArgumentException($"CodesOptions: the learning rate must be positive; got {Lr}");
        if (LrStepEpochs < 1) throw new ArgumentException($"CodesOptions: the lr step must be at least 1 epoch; got {LrStepEpochs}");
        if (BatchSize < 2) throw new ArgumentException($"CodesOptions: batch size must be at least 2 (batch norm); got {BatchSize}");
        if (TestSize is < 1) throw new ArgumentException($"CodesOptions: test size must be positive; got {TestSize}");
        if (AnalysisSamples is < 1) throw new ArgumentException($"CodesOptions: analysis samples must be positive; got {AnalysisSamples}");
        if (NoiseSamples < 1) throw new ArgumentException($"CodesOptions: noise samples must be positive; got {NoiseSamples}");
        if (KnnK < 1) throw new ArgumentException($"CodesOptions: K-NN k must be positive; got {KnnK}");
        if (LogregEpochs < 1) throw new ArgumentException($"CodesOptions: logistic-regression epochs must be positive; got {LogregEpochs}");
    }
}
