namespace Engine.Optim;

/// <summary>The base of the optimizers: parameter groups with their hyper-parameters, per-parameter state (momentum
/// buffers, moments, step counts), zeroing gradients, the step and state dicts for resuming.</summary>
/// <remarks>A training step runs: <c>loss.Backward()</c>, then optional clipping (<see cref="GradClip"/>), then
/// <see cref="Step"/>, which first adds <see cref="GradientNoise"/> when one is set and then updates every parameter
/// that has a gradient (parameters whose <see cref="Tensor.Grad"/> is null are skipped, their state untouched).
/// Updates run in place, under no-grad.</remarks>
public abstract class Optimizer
{
    private readonly List<ParamGroup> groups = [];
    private readonly Dictionary<Tensor, ParamState> state = new(ReferenceEqualityComparer.Instance);

    /// <param name="groups">The parameter groups (options they set override <paramref name="defaults"/>).</param>
    /// <param name="defaults">Every option this optimizer knows, with its default value.</param>
    protected Optimizer(IEnumerable<ParamGroup> groups, IReadOnlyDictionary<string, double> defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Defaults = new Dictionary<string, double>(defaults);
        foreach (var g in groups) AddParamGroup(g);
        if (this.groups.Count == 0) throw new ArgumentException($"{Name}: got no parameter groups");
    }

    /// <summary>The optimizer's name in messages.</summary>
    public virtual string Name => GetType().Name;

    public IReadOnlyDictionary<string, double> Defaults { get; }

    public IReadOnlyList<ParamGroup> ParamGroups => groups;

    /// <summary>Noise added to the gradients at the start of every <see cref="Step"/> (after any clipping the caller
    /// did, before the update); null for none.</summary>
    public GradientNoise? GradientNoise { get; set; }

    /// <summary>Every parameter of every group, in group order (the order of the state dict's indices).</summary>
    public IEnumerable<Tensor> Parameters => groups.SelectMany(g => g.Parameters);

    /// <summary>Adds a group, filling the options it does not set from <see cref="Defaults"/>.</summary>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var where = $"{Name}: parameter group {groups.Count}";
        if (group.Parameters.Count == 0) throw new ArgumentException($"{where} has no parameters");
        foreach (var p in group.Parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(group));
            if (!p.IsLeaf) throw new ArgumentException($"{where}: cannot optimize a non-leaf tensor (shape {Shape.Format(p.Shape)}, produced by {p.GradFn!.Name}); pass leaves such as module parameters");
            if (!p.DType.IsFloatingPoint()) throw new ArgumentException($"{where}: parameters must be floating point; got {p.DType} of shape {Shape.Format(p.Shape)}");
        }
        var seen = new HashSet<Tensor>(Parameters, ReferenceEqualityComparer.Instance);
        if (group.Parameters.Any(p => !seen.Add(p)))
            throw new ArgumentException($"{where}: a parameter appears more than once (in this group or in an earlier one)");
        var unknown = group.Options.Keys.Where(k => !Defaults.ContainsKey(k) && k != "initial_lr").ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{where}: unknown option(s) {string.Join(", ", unknown)}; {Name} takes {string.Join(", ", Defaults.Keys)}");
        foreach (var (name, value) in Defaults)
            if (!group.Has(name)) group[name] = value;
        Validate(group, where);
        groups.Add(group);
    }

    /// <summary>Checks a group's options (called when it is added); throws an ArgumentException naming
    /// <paramref name="where"/>.</summary>
    protected virtual void Validate(ParamGroup group, string where)
    {
        if (!(group.Lr >= 0)) throw new ArgumentException($"{where}: lr must be non-negative; got {group.Lr}");
        if (!(group.WeightDecay >= 0)) throw new ArgumentException($"{where}: weight_decay must be non-negative; got {group.WeightDecay}");
    }

    /// <summary>Clears the gradients of all parameters: to null (PyTorch 2's default; the old gradient tensors are
    /// disposed so their memory returns to the pool: Clone one first if you need it afterwards) or to zeros in place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters)
        {
            if (setToNone)
            {
                p.Grad?.Dispose();
                p.Grad = null;
            }
            else if (p.Grad is { } g)
                using (Autograd.NoGrad()) g.Zero_();
        }
    }

    /// <summary>Applies the gradient noise (if any) and updates every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = Autograd.NoGrad();
        GradientNoise?.Apply(Parameters);
        foreach (var group in groups)
            foreach (var p in group.Parameters)
                if (p.Grad is { } grad)
                {
                    if (!grad.Shape.SequenceEqual(p.Shape) || grad.DType != p.DType || grad.Device != p.Device)
                        throw new InvalidOperationException(
                            $"{Name}.Step: a gradient of shape {Shape.Format(grad.Shape)} {grad.DType} on {grad.Device} does not match its parameter {Shape.Format(p.Shape)} {p.DType} on {p.Device}");
                    Update(group, p, grad, StateOf(p));
                }
    }

    /// <summary>One update of one parameter, in place.</summary>
    protected abstract void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state);

    /// <summary>The update direction before the optimizer's own rule: the gradient, negated when the group has
    /// "maximize" set, plus <paramref name="l2"/> times the parameter. The gradient itself is never modified.</summary>
    protected static Tensor Direction(ParamGroup group, Tensor parameter, Tensor grad, double l2)
    {
        var maximize = group.Flag("maximize");
        if (!maximize && l2 == 0) return grad;
        var g = maximize ? -grad : grad.Clone();
        return l2 == 0 ? g : g.Add_(parameter, l2);
    }

    /// <summary>The state of one of this optimizer's parameters (created empty on first use).</summary>
    public ParamState StateOf(Tensor parameter)
    {
        if (state.TryGetValue(parameter, out var s)) return s;
        if (!Parameters.Contains(parameter, ReferenceEqualityComparer.Instance))
            throw new ArgumentException($"{Name}.StateOf: the tensor (shape {Shape.Format(parameter.Shape)}) is not one of this optimizer's parameters");
        return state[parameter] = new ParamState();
    }

    // ---- state dict --------------------------------------------------------------------------------------------

    /// <summary>The per-parameter state keyed by parameter index (numbered across the groups in order, as PyTorch),
    /// with the step count as a 0-dim Float64 "step" where the optimizer counts steps, and each group's options.
    /// Tensors are copies, so training on does not change a saved dict.</summary>
    public OptimizerStateDict StateDict()
    {
        var perParam = new Dictionary<int, IReadOnlyDictionary<string, Tensor>>();
        var index = 0;
        var groupStates = new List<ParamGroupState>();
        foreach (var group in groups)
        {
            var ids = new List<int>();
            foreach (var p in group.Parameters)
            {
                if (state.TryGetValue(p, out var s) && (s.Step > 0 || s.Buffers.Count > 0))
                {
                    var entry = s.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
                    if (s.Step > 0) entry["step"] = Tensor.Scalar(s.Step, DType.Float64);
                    perParam[index] = entry;
                }
                ids.Add(index++);
            }
            groupStates.Add(new ParamGroupState(new Dictionary<string, double>(group.Options), ids));
        }
        return new OptimizerStateDict(perParam, groupStates);
    }

    /// <summary>Restores a dict from <see cref="StateDict"/> of an optimizer over parameters of the same shapes in
    /// the same groups: the group options and the per-parameter state (copied, converted to each parameter's dtype
    /// and device). The current state is replaced.</summary>
    public void LoadStateDict(OptimizerStateDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        var sizes = groups.Select(g => g.Parameters.Count).ToArray();
        var savedSizes = dict.ParamGroups.Select(g => g.Params.Count).ToArray();
        if (!sizes.SequenceEqual(savedSizes))
            throw new ArgumentException(
                $"{Name}.LoadStateDict: the state has groups of sizes ({string.Join(", ", savedSizes)}) but this optimizer has ({string.Join(", ", sizes)})");
        var byIndex = new Dictionary<int, Tensor>();
        for (var g = 0; g < groups.Count; g++)
            for (var k = 0; k < sizes[g]; k++)
                byIndex[dict.ParamGroups[g].Params[k]] = groups[g].Parameters[k];
        var restored = new Dictionary<Tensor, ParamState>(ReferenceEqualityComparer.Instance);
        foreach (var (i, entry) in dict.State)
        {
            if (!byIndex.TryGetValue(i, out var p))
                throw new ArgumentException($"{Name}.LoadStateDict: state for parameter index {i}, which no group lists");
            var s = new ParamState();
            foreach (var (name, t) in entry)
            {
                if (name == "step")
                {
                    s.Step = (long)t.Item();
                    continue;
                }
                if (!t.Shape.SequenceEqual(p.Shape))
                    throw new ArgumentException(
                        $"{Name}.LoadStateDict: '{name}' of parameter {i} has shape {Shape.Format(t.Shape)} but the parameter has shape {Shape.Format(p.Shape)}");
                s.Buffers[name] = TensorScope.Exempt(t.Detach().To(p.Device).To(p.DType).Clone());
            }
            restored[p] = s;
        }
        for (var g = 0; g < groups.Count; g++)
            foreach (var (name, value) in dict.ParamGroups[g].Options)
                groups[g][name] = value;
        state.Clear();
        foreach (var (p, s) in restored) state[p] = s;
    }
}

/// <summary>An optimizer's state for one parameter: the step count and named buffers with PyTorch's names
/// ("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg", "grad_avg", "sum").</summary>
public sealed class ParamState
{
    public long Step { get; set; }

    public Dictionary<string, Tensor> Buffers { get; } = [];

    /// <summary>The buffer of this name, created by <paramref name="create"/> on first use (and exempted from any
    /// <see cref="TensorScope"/>, since it lives as long as the optimizer).</summary>
    public Tensor Buffer(string name, Func<Tensor> create)
    {
        if (!Buffers.TryGetValue(name, out var t)) Buffers[name] = t = TensorScope.Exempt(create());
        return t;
    }
}

/// <summary>A snapshot of an optimizer (see <see cref="Optimizer.StateDict"/>).</summary>
public sealed record OptimizerStateDict(
    IReadOnlyDictionary<int, IReadOnlyDictionary<string, Tensor>> State,
    IReadOnlyList<ParamGroupState> ParamGroups);

/// <summary>A group's options and the indices of its parameters.</summary>
public sealed record ParamGroupState(IReadOnlyDictionary<string, double> Options, IReadOnlyList<int> Params);
