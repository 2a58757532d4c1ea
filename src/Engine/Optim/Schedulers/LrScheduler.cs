namespace Engine.Optim;

/// <summary>The base of the epoch-indexed learning-rate schedulers. Each computes PyTorch's closed form of its
/// schedule from the groups' initial learning rates ("initial_lr", recorded by the first scheduler built on the
/// optimizer) and the epoch, and writes it into the groups. Construction performs PyTorch's initial step (epoch 0);
/// every <see cref="Step"/> advances one epoch. Call it after <see cref="Optimizer.Step"/>.</summary>
/// <remarks>The schedule owns the learning rate: an lr written into a group by hand is overwritten at the next step
/// (PyTorch's chainable forms would build on it). Subclasses end their constructor with <see cref="Start"/>.</remarks>
public abstract class LrScheduler
{
    private double[] lastLr = [];

    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups)
            if (!g.Has("initial_lr")) g["initial_lr"] = g.Lr;
        BaseLrs = optimizer.ParamGroups.Select(g => g["initial_lr"]).ToArray();
    }

    public Optimizer Optimizer { get; }

    /// <summary>The epoch whose learning rates the groups hold (0 after construction).</summary>
    public int LastEpoch { get; private set; } = -1;

    /// <summary>Each group's initial learning rate, the schedule's base.</summary>
    public IReadOnlyList<double> BaseLrs { get; protected set; }

    /// <summary>The learning rates written by the last step, one per group.</summary>
    public IReadOnlyList<double> LastLr => lastLr;

    /// <summary>Advances one epoch and writes its learning rates.</summary>
    public void Step() => GoTo(LastEpoch + 1);

    /// <summary>PyTorch's initial step: writes epoch 0's learning rates. Call it last in a subclass constructor.</summary>
    protected void Start() => GoTo(0);

    internal void GoTo(int epoch)
    {
        if (Optimizer.ParamGroups.Count != BaseLrs.Count)
            throw new InvalidOperationException(
                $"{GetType().Name}: the optimizer has {Optimizer.ParamGroups.Count} parameter groups but the scheduler was built for {BaseLrs.Count}; build the scheduler after adding groups");
        LastEpoch = epoch;
        Apply(epoch);
        lastLr = Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
    }

    /// <summary>Writes the learning rates (and anything else the schedule drives) for <paramref name="epoch"/>.</summary>
    protected abstract void Apply(int epoch);

    /// <summary>Sets each group's lr to <paramref name="lrOf"/>(its base lr).</summary>
    protected void SetLrs(Func<double, double> lrOf)
    {
        var groups = Optimizer.ParamGroups;
        for (var i = 0; i < groups.Count; i++) groups[i].Lr = lrOf(BaseLrs[i]);
    }

    /// <summary>The scheduler's progress, for resuming: "last_epoch", "base_lrs", "last_lr".</summary>
    public virtual Dictionary<string, double[]> StateDict() => new()
    {
        ["last_epoch"] = [LastEpoch],
        ["base_lrs"] = BaseLrs.ToArray(),
        ["last_lr"] = lastLr.ToArray(),
    };

    /// <summary>Restores <see cref="StateDict"/>'s values; the learning rates themselves come back with the
    /// optimizer's state dict, and the next <see cref="Step"/> continues the schedule.</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var baseLrs = Entry(state, "base_lrs");
        if (baseLrs.Length != Optimizer.ParamGroups.Count)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: the state has {baseLrs.Length} base learning rates for {Optimizer.ParamGroups.Count} parameter groups");
        LastEpoch = (int)Entry(state, "last_epoch")[0];
        BaseLrs = baseLrs.ToArray();
        lastLr = Entry(state, "last_lr").ToArray();
    }

    protected static double[] Entry(IReadOnlyDictionary<string, double[]> state, string key)
        => state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"LrScheduler.LoadStateDict: the state has no '{key}'");
}
