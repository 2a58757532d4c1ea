namespace Engine.Optim;

/// <summary>The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): the lr rises from max_lr / divFactor to max_lr
/// over the first pctStart of totalSteps, then anneals to initial / finalDivFactor (three phases: back to the
/// initial lr first, then down); the momentum (or Adam's beta1) moves the opposite way between maxMomentum and
/// baseMomentum when <c>cycleMomentum</c> is set. Step it once per batch; stepping past totalSteps is an error.</summary>
public sealed class OneCycleLR : LrScheduler
{
    private readonly Phase[] phases;
    private readonly double[] maxLrs;
    private readonly string? momentumOption;

    private readonly record struct Phase(double EndStep, Func<int, double> StartLr, Func<int, double> EndLr, double StartMomentum, double EndMomentum);

    /// <param name="maxLr">The peak lr, one for every group (or a single value for all).</param>
    /// <param name="annealStrategy">"cos" (default) or "linear".</param>
    public OneCycleLR(
        Optimizer optimizer,
        IReadOnlyList<double> maxLr,
        int totalSteps,
        double pctStart = 0.3,
        string annealStrategy = "cos",
        bool cycleMomentum = true,
        double baseMomentum = 0.85,
        double maxMomentum = 0.95,
        double divFactor = 25,
        double finalDivFactor = 1e4,
        bool threePhase = false)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(maxLr);
        var groups = optimizer.ParamGroups;
        if (totalSteps <= 0) throw new ArgumentException($"OneCycleLR: totalSteps must be positive; got {totalSteps}");
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentException($"OneCycleLR: pctStart must lie in [0, 1]; got {pctStart}");
        if (maxLr.Count != 1 && maxLr.Count != groups.Count)
            throw new ArgumentException($"OneCycleLR: got {maxLr.Count} max learning rates for {groups.Count} parameter groups");
        Anneal = annealStrategy switch
        {
            "cos" => (start, end, pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1),
            "linear" => (start, end, pct) => (end - start) * pct + start,
            _ => throw new ArgumentException($"OneCycleLR: annealStrategy must be \"cos\" or \"linear\"; got \"{annealStrategy}\""),
        };
        TotalSteps = totalSteps;
        maxLrs = groups.Select((_, i) => maxLr[maxLr.Count == 1 ? 0 : i]).ToArray();
        var initial = maxLrs.Select(m => m / divFactor).ToArray();
        var min = initial.Select(i => i / finalDivFactor).ToArray();
        double Initial(int g) => initial[g];
        double Max(int g) => maxLrs[g];
        double Min(int g) => min[g];
        phases = threePhase
            ? [
                new(pctStart * totalSteps - 1, Initial, Max, maxMomentum, baseMomentum),
                new(2 * pctStart * totalSteps - 2, Max, Initial, baseMomentum, maxMomentum),
                new(totalSteps - 1, Initial, Min, maxMomentum, maxMomentum),
            ]
            : [
                new(pctStart * totalSteps - 1, Initial, Max, maxMomentum, baseMomentum),
                new(totalSteps - 1, Max, Min, baseMomentum, maxMomentum),
            ];
        for (var g = 0; g < groups.Count; g++) groups[g]["initial_lr"] = initial[g];
        BaseLrs = initial;
        if (cycleMomentum)
        {
            momentumOption = groups[0].Has("beta1") ? "beta1" : groups[0].Has("momentum") ? "momentum"
                : throw new ArgumentException($"OneCycleLR: {optimizer.Name} has neither momentum nor beta1 to cycle; pass cycleMomentum: false");
            foreach (var g in groups) g[momentumOption] = maxMomentum;
        }
        Start();
    }

    public int TotalSteps { get; }

    private Func<double, double, double, double> Anneal { get; }

    protected override void Apply(int epoch)
    {
        if (epoch > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR: stepped {epoch} times, past totalSteps {TotalSteps}; make totalSteps cover every batch of every epoch");
        var groups = Optimizer.ParamGroups;
        var start = 0.0;
        for (var i = 0; i < phases.Length; i++)
        {
            var phase = phases[i];
            if (epoch <= phase.EndStep || i == phases.Length - 1)
            {
                var pct = (epoch - start) / (phase.EndStep - start);
                for (var g = 0; g < groups.Count; g++)
                {
                    groups[g].Lr = Anneal(phase.StartLr(g), phase.EndLr(g), pct);
                    if (momentumOption is not null) groups[g][momentumOption] = Anneal(phase.StartMomentum, phase.EndMomentum, pct);
                }
                return;
            }
            start = phase.EndStep;
        }
    }
}
