namespace Engine.Optim;

/// <summary>Runs schedulers one after another (torch.optim.lr_scheduler.SequentialLR): scheduler i takes over at
/// milestone i - 1 and restarts from its own epoch 0 there. The usual use is a warm-up followed by a decay:
/// <c>new SequentialLR(opt, [new LinearLR(opt, 0.1, totalIters: 5), new CosineAnnealingLR(opt, 95)], [5])</c>.</summary>
public sealed class SequentialLR : LrScheduler
{
    private readonly LrScheduler[] schedulers;
    private readonly int[] milestones;

    public SequentialLR(Optimizer optimizer, IReadOnlyList<LrScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0) throw new ArgumentException("SequentialLR: needs at least one scheduler");
        if (schedulers.Any(s => !ReferenceEquals(s.Optimizer, optimizer)))
            throw new ArgumentException("SequentialLR: every scheduler must drive the optimizer given to SequentialLR");
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"SequentialLR: {schedulers.Count} schedulers need {schedulers.Count - 1} milestones; got {milestones.Count}");
        for (var i = 0; i < milestones.Count; i++)
            if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException($"SequentialLR: milestones must be positive and increasing; got ({string.Join(", ", milestones)})");
        this.schedulers = schedulers.ToArray();
        this.milestones = milestones.ToArray();
        Start();
    }

    public IReadOnlyList<LrScheduler> Schedulers => schedulers;

    public IReadOnlyList<int> Milestones => milestones;

    protected override void Apply(int epoch)
    {
        var i = milestones.Count(m => m <= epoch);
        schedulers[i].GoTo(i == 0 ? epoch : epoch - milestones[i - 1]);
    }

    /// <summary>This scheduler's progress plus each child's, under "schedulers.{i}.{key}".</summary>
    public override Dictionary<string, double[]> StateDict()
    {
        var state = base.StateDict();
        for (var i = 0; i < schedulers.Length; i++)
            foreach (var (key, value) in schedulers[i].StateDict())
                state[$"schedulers.{i}.{key}"] = value;
        return state;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        base.LoadStateDict(state);
        for (var i = 0; i < schedulers.Length; i++)
        {
            var prefix = $"schedulers.{i}.";
            schedulers[i].LoadStateDict(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        }
    }
}
