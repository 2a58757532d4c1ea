namespace Engine.Optim;

/// <summary>Multiplies the learning rates by <c>factor</c> when a metric has stopped improving for more than
/// <c>patience</c> epochs (torch.optim.lr_scheduler.ReduceLROnPlateau). Driven by <see cref="Step"/>(metric), so it
/// is not an epoch-indexed <see cref="LrScheduler"/>; it changes the groups' current lr, and never below
/// <c>minLr</c>; a reduction smaller than <c>eps</c> is skipped.</summary>
public sealed class ReduceLROnPlateau
{
    private readonly double[] minLrs;

    /// <param name="mode">"min" (lower metric is better) or "max".</param>
    /// <param name="thresholdMode">"rel" (improve by a factor 1 ∓ threshold) or "abs" (by threshold).</param>
    /// <param name="minLr">Lower bound(s) on the lr, one value for all groups or one per group (null: 0).</param>
    public ReduceLROnPlateau(
        Optimizer optimizer,
        string mode = "min",
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        string thresholdMode = "rel",
        int cooldown = 0,
        IReadOnlyList<double>? minLr = null,
        double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor < 1 && factor >= 0)) throw new ArgumentException($"ReduceLROnPlateau: factor must lie in [0, 1); got {factor}");
        if (mode is not ("min" or "max")) throw new ArgumentException($"ReduceLROnPlateau: mode must be \"min\" or \"max\"; got \"{mode}\"");
        if (thresholdMode is not ("rel" or "abs")) throw new ArgumentException($"ReduceLROnPlateau: thresholdMode must be \"rel\" or \"abs\"; got \"{thresholdMode}\"");
        if (patience < 0 || cooldown < 0) throw new ArgumentException($"ReduceLROnPlateau: patience and cooldown must be non-negative; got {patience} and {cooldown}");
        var groups = optimizer.ParamGroups;
        minLr ??= [0];
        if (minLr.Count != 1 && minLr.Count != groups.Count)
            throw new ArgumentException($"ReduceLROnPlateau: got {minLr.Count} min learning rates for {groups.Count} parameter groups");
        minLrs = groups.Select((_, i) => minLr[minLr.Count == 1 ? 0 : i]).ToArray();
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        Best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        LastLr = groups.Select(g => g.Lr).ToArray();
    }

    public Optimizer Optimizer { get; }

    public string Mode { get; }

    public double Factor { get; }

    public int Patience { get; }

    public double Threshold { get; }

    public string ThresholdMode { get; }

    public int Cooldown { get; }

    public double Eps { get; }

    /// <summary>The best metric seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Epochs since the last improvement (reset by a reduction and during cooldown).</summary>
    public int NumBadEpochs { get; private set; }

    public int CooldownCounter { get; private set; }

    public int LastEpoch { get; private set; }

    public IReadOnlyList<double> LastLr { get; private set; }

    /// <summary>Records one epoch's metric and reduces the learning rates when it has plateaued.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            var groups = Optimizer.ParamGroups;
            for (var i = 0; i < groups.Count; i++)
            {
                var old = groups[i].Lr;
                var lr = Math.Max(old * Factor, minLrs[i]);
                if (old - lr > Eps) groups[i].Lr = lr;
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        LastLr = Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
    }

    private bool IsBetter(double metric) => (Mode, ThresholdMode) switch
    {
        ("min", "rel") => metric < Best * (1 - Threshold),
        ("min", _) => metric < Best - Threshold,
        (_, "rel") => metric > Best * (1 + Threshold),
        _ => metric > Best + Threshold,
    };

    /// <summary>Progress for resuming: "best", "num_bad_epochs", "cooldown_counter", "last_epoch", "last_lr".</summary>
    public Dictionary<string, double[]> StateDict() => new()
    {
        ["best"] = [Best],
        ["num_bad_epochs"] = [NumBadEpochs],
        ["cooldown_counter"] = [CooldownCounter],
        ["last_epoch"] = [LastEpoch],
        ["last_lr"] = LastLr.ToArray(),
    };

    public void LoadStateDict(IReadOnlyDictionary<string, double[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double[] Entry(string key) => state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"ReduceLROnPlateau.LoadStateDict: the state has no '{key}'");
        Best = Entry("best")[0];
        NumBadEpochs = (int)Entry("num_bad_epochs")[0];
        CooldownCounter = (int)Entry("cooldown_counter")[0];
        LastEpoch = (int)Entry("last_epoch")[0];
        LastLr = Entry("last_lr").ToArray();
    }
}
