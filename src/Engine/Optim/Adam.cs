namespace Engine.Optim;

/// <summary>Adam (torch.optim.Adam): g = ±∇ + λθ (L2 weight decay); m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²;
/// with AMSGrad v_max = max(v_max, v) replaces v below; θ = θ - γ m̂ / (sqrt(v̂) + ε) with m̂ = m / (1 - β1^t),
/// v̂ = v / (1 - β2^t).</summary>
public class Adam : Optimizer
{
    private readonly bool decoupledWeightDecay;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: false)
    {
    }

    /// <param name="decoupledWeightDecay">AdamW's rule: θ = θ (1 - γλ) before the Adam step instead of adding λθ to
    /// the gradient.</param>
    private protected Adam(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool maximize, bool decoupledWeightDecay)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["beta1"] = beta1,
            ["beta2"] = beta2,
            ["eps"] = eps,
            ["weight_decay"] = weightDecay,
            ["amsgrad"] = amsgrad ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        })
    {
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    protected override void Validate(ParamGroup group, string where)
    {
        base.Validate(group, where);
        foreach (var name in (string[])["beta1", "beta2"])
            if (!(group[name] >= 0 && group[name] < 1)) throw new ArgumentException($"{where}: {name} must lie in [0, 1); got {group[name]}");
        if (!(group["eps"] >= 0)) throw new ArgumentException($"{where}: eps must be non-negative; got {group["eps"]}");
    }

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state)
    {
        if (!parameter.IsContiguous)
            throw new ArgumentException($"{Name}: parameters must be contiguous; got one of shape {Shape.Format(parameter.Shape)} with strides {Shape.Format(parameter.Strides)} (use Contiguous() when creating it)");
        var step = ++state.Step;
        var m = state.Buffer("exp_avg", () => Tensor.ZerosLike(parameter));
        var v = state.Buffer("exp_avg_sq", () => Tensor.ZerosLike(parameter));
        var vmax = group.Flag("amsgrad") ? state.Buffer("max_exp_avg_sq", () => Tensor.ZerosLike(parameter)) : null;
        // One fused pass over the parameter and its moments (see IBackend.AdamUpdate for the rule).
        parameter.Backend.AdamUpdate(parameter, grad, m, v, vmax, new Backends.AdamStep(
            group.Lr, group["beta1"], group["beta2"], group["eps"], group.WeightDecay, decoupledWeightDecay, group.Flag("maximize"), step));
    }
}

/// <summary>AdamW (torch.optim.AdamW): Adam with decoupled weight decay, θ = θ (1 - γλ) before the Adam step, and
/// PyTorch's default λ = 0.01.</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true)
    {
    }
}
