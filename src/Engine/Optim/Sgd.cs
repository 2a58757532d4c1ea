namespace Engine.Optim;

/// <summary>Stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight decay and maximize,
/// following torch.optim.SGD: g = ±∇ + λθ; b_1 = g, b_t = μ b_{t-1} + (1 - τ) g; g = g + μ b_t (Nesterov) or b_t;
/// θ = θ - γ g. Maximize negates the gradient first (PyTorch's implementation), so weight decay still shrinks θ.</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov, maximize)
    {
    }

    public Sgd(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["momentum"] = momentum,
            ["dampening"] = dampening,
            ["weight_decay"] = weightDecay,
            ["nesterov"] = nesterov ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        })
    {
    }

    public override string Name => "SGD";

    protected override void Validate(ParamGroup group, string where)
    {
        base.Validate(group, where);
        if (!(group["momentum"] >= 0)) throw new ArgumentException($"{where}: momentum must be non-negative; got {group["momentum"]}");
        if (group.Flag("nesterov") && (group["momentum"] <= 0 || group["dampening"] != 0))
            throw new ArgumentException($"{where}: Nesterov momentum needs momentum > 0 and dampening 0; got momentum {group["momentum"]}, dampening {group["dampening"]}");
    }

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state)
    {
        var momentum = group["momentum"];
        var g = Direction(group, parameter, grad, group.WeightDecay);
        if (momentum != 0)
        {
            if (state.Buffers.TryGetValue("momentum_buffer", out var buf)) buf.Mul_(momentum).Add_(g, 1 - group["dampening"]);
            else state.Buffers["momentum_buffer"] = buf = TensorScope.Exempt(g.Detach().Clone());
            g = group.Flag("nesterov") ? g + buf * momentum : buf;
        }
        parameter.Add_(g, -group.Lr);
    }
}
