namespace Engine.Nn;

/// <summary>Batch normalisation per channel (dim 1), as PyTorch's _BatchNorm: an affine weight (ones) and bias
/// (zeros), and buffers running_mean (zeros), running_var (ones) and num_batches_tracked (Int64). In training mode the
/// batch's statistics normalise and update the running ones with factor <see cref="Momentum"/>, or, when it is null,
/// with 1 / num_batches_tracked (a cumulative average); in evaluation mode the running statistics normalise (the
/// batch's when running statistics are not tracked).</summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    private protected BatchNorm(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype, Device? device)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{TypeName}: the number of features must be positive; got {numFeatures}");
        if (!(eps >= 0)) throw new ArgumentException($"{TypeName}: eps must be non-negative; got {eps}");
        if (momentum is { } m && !(m >= 0 && m <= 1)) throw new ArgumentException($"{TypeName}: momentum must be in [0, 1] or null; got {m}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        Weight = RegisterParameter("weight", affine ? Tensor.Ones([numFeatures], dtype, device) : null);
        Bias = RegisterParameter("bias", affine ? Tensor.Zeros([numFeatures], dtype, device) : null);
        RunningMean = RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros([numFeatures], dtype, device) : null);
        RunningVar = RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones([numFeatures], dtype, device) : null);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Zeros([], DType.Int64, device) : null);
    }

    public int NumFeatures { get; }

    public double Eps { get; }

    /// <summary>The weight of the new batch statistic in the running average; null for a cumulative average.</summary>
    public double? Momentum { get; }

    public bool Affine { get; }

    public bool TrackRunningStats { get; }

    public Tensor? Weight { get; }

    public Tensor? Bias { get; }

    public Tensor? RunningMean { get; }

    public Tensor? RunningVar { get; }

    public Tensor? NumBatchesTracked { get; }

    /// <summary>Back to the initial running statistics (mean 0, variance 1, no batches).</summary>
    public void ResetRunningStats()
    {
        RunningMean?.Zero_();
        RunningVar?.Fill_(1);
        NumBatchesTracked?.Zero_();
    }

    /// <summary>Whether this variant takes inputs of this rank.</summary>
    private protected abstract bool AcceptsRank(int rank);

    /// <summary>The accepted layouts in words, for errors: "a 4-D input [N,C,H,W]".</summary>
    private protected abstract string ExpectedLayout { get; }

    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank))
            throw new ArgumentException($"{TypeName}: expected {ExpectedLayout}; got shape {Shape.Format(input.Shape)}");
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException($"{TypeName}: expected {NumFeatures} channels in dim 1; got input of shape {Shape.Format(input.Shape)}");

        var factor = Momentum ?? 0.0;
        if (IsTraining && NumBatchesTracked is { } batches)
        {
            batches.Add_(1);
            if (Momentum is null) factor = 1.0 / batches.Item<long>();
        }
        // Batch statistics in training, and whenever there are no running ones to use.
        var useBatchStats = IsTraining || RunningMean is null;
        return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStats, factor, Eps);
    }

    protected override string ExtraRepr()
        => $"{NumFeatures}, eps={PyRepr.Float(Eps)}, momentum={PyRepr.Float(Momentum)}, affine={PyRepr.Bool(Affine)}, track_running_stats={PyRepr.Bool(TrackRunningStats)}";
}

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs.</summary>
public sealed class BatchNorm1d(
    int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
    DType dtype = DType.Float32, Device? device = null)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, dtype, device)
{
    private protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    private protected override string ExpectedLayout => "a 2-D input [N,C] or a 3-D input [N,C,L]";
}

/// <summary>Batch normalisation of [N, C, H, W] inputs.</summary>
public sealed class BatchNorm2d(
    int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
    DType dtype = DType.Float32, Device? device = null)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, dtype, device)
{
    private protected override bool AcceptsRank(int rank) => rank == 4;

    private protected override string ExpectedLayout => "a 4-D input [N,C,H,W]";
}
