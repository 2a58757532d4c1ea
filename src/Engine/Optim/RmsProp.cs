namespace Engine.Optim;

/// <summary>RMSprop (torch.optim.RMSprop): g = ±∇ + λθ; v = α v + (1 - α) g²; centered: ḡ = α ḡ + (1 - α) g and
/// v̄ = v - ḡ², else v̄ = v; with momentum μ &gt; 0: b = μ b + g / (sqrt(v̄) + ε), θ = θ - γ b; else
/// θ = θ - γ g / (sqrt(v̄) + ε).</summary>
public sealed class RmsProp : Optimizer
{
    public RmsProp(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, alpha, eps, weightDecay, momentum, centered, maximize)
    {
    }

    public RmsProp(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["alpha"] = alpha,
            ["eps"] = eps,
            ["weight_decay"] = weightDecay,
            ["momentum"] = momentum,
            ["centered"] = centered ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        })
    {
    }

    public override string Name => "RMSprop";

    protected override void Validate(ParamGroup group, string where)
    {
        base.Validate(group, where);
        foreach (var name in (string[])["alpha", "eps", "momentum"])
            if (!(group[name] >= 0)) throw new ArgumentException($"{where}: {name} must be non-negative; got {group[name]}");
    }

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state)
    {
        var (alpha, momentum) = (group["alpha"], group["momentum"]);
        state.Step++;
        var g = Direction(group, parameter, grad, group.WeightDecay);
        var v = state.Buffer("square_avg", () => Tensor.ZerosLike(parameter));
        v.Mul_(alpha).Addcmul_(g, g, 1 - alpha);
        Tensor avg;
        if (group.Flag("centered"))
        {
            var mean = state.Buffer("grad_avg", () => Tensor.ZerosLike(parameter));
            mean.Lerp_(g, 1 - alpha);
            avg = v.Clone().Addcmul_(mean, mean, -1).Sqrt_().Add_(group["eps"]);
        }
        else
        {
            avg = v.Sqrt().Add_(group["eps"]);
        }
        if (momentum > 0)
        {
            var buf = state.Buffer("momentum_buffer", () => Tensor.ZerosLike(parameter));
            buf.Mul_(momentum).Addcdiv_(g, avg);
            parameter.Add_(buf, -group.Lr);
        }
        else
        {
            parameter.Addcdiv_(g, avg, -group.Lr);
        }
    }
}
