namespace Engine.Optim;

/// <summary>lr = base γ^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepLR : LrScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLR: stepSize must be positive; got {stepSize}");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    public int StepSize { get; }

    public double Gamma { get; }

    protected override void Apply(int epoch) => SetLrs(b => b * Math.Pow(Gamma, epoch / StepSize));
}

/// <summary>lr = base γ^(number of milestones ≤ epoch) (torch.optim.lr_scheduler.MultiStepLR; a milestone listed
/// twice counts twice, as PyTorch's Counter does).</summary>
public sealed class MultiStepLR : LrScheduler
{
    private readonly int[] milestones;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        this.milestones = milestones.Order().ToArray();
        Gamma = gamma;
        Start();
    }

    public IReadOnlyList<int> Milestones => milestones;

    public double Gamma { get; }

    protected override void Apply(int epoch) => SetLrs(b => b * Math.Pow(Gamma, milestones.Count(m => m <= epoch)));
}

/// <summary>lr = base γ^epoch (torch.optim.lr_scheduler.ExponentialLR).</summary>
public sealed class ExponentialLR : LrScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = gamma;
        Start();
    }

    public double Gamma { get; }

    protected override void Apply(int epoch) => SetLrs(b => b * Math.Pow(Gamma, epoch));
}

/// <summary>lr = η_min + (base - η_min)(1 + cos(π epoch / T_max)) / 2 (torch.optim.lr_scheduler.CosineAnnealingLR's
/// closed form; past T_max the cosine continues, rising again, as PyTorch's does).</summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentException($"CosineAnnealingLR: tMax must be positive; got {tMax}");
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    public int TMax { get; }

    public double EtaMin { get; }

    protected override void Apply(int epoch) => SetLrs(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2);
}

/// <summary>Linear warm-up (torch.optim.lr_scheduler.LinearLR): the factor on the base lr moves linearly from
/// <c>startFactor</c> to <c>endFactor</c> over <c>totalIters</c> epochs and stays there:
/// lr = base (start + (end - start) min(epoch, totalIters) / totalIters).</summary>
public sealed class LinearLR : LrScheduler
{
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentException($"LinearLR: startFactor must lie in (0, 1]; got {startFactor}");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentException($"LinearLR: endFactor must lie in [0, 1]; got {endFactor}");
        if (totalIters <= 0) throw new ArgumentException($"LinearLR: totalIters must be positive; got {totalIters}");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Start();
    }

    public double StartFactor { get; }

    public double EndFactor { get; }

    public int TotalIters { get; }

    protected override void Apply(int epoch)
        => SetLrs(b => b * (StartFactor + (EndFactor - StartFactor) * Math.Min(epoch, TotalIters) / TotalIters));
}
