namespace Engine.Optim;

/// <summary>Adagrad (torch.optim.Adagrad): g = ±∇ + λθ; γ_t = γ / (1 + (t - 1) η) with η the lr decay;
/// s = s + g² (s starts at the initial accumulator value); θ = θ - γ_t g / (sqrt(s) + ε).</summary>
public sealed class Adagrad : Optimizer
{
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize)
    {
    }

    public Adagrad(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(groups, new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["lr_decay"] = lrDecay,
            ["weight_decay"] = weightDecay,
            ["initial_accumulator_value"] = initialAccumulatorValue,
            ["eps"] = eps,
            ["maximize"] = maximize ? 1 : 0,
        })
    {
    }

    protected override void Validate(ParamGroup group, string where)
    {
        base.Validate(group, where);
        foreach (var name in (string[])["lr_decay", "initial_accumulator_value", "eps"])
            if (!(group[name] >= 0)) throw new ArgumentException($"{where}: {name} must be non-negative; got {group[name]}");
    }

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParamState state)
    {
        var step = ++state.Step;
        var g = Direction(group, parameter, grad, group.WeightDecay);
        var lr = group.Lr / (1 + (step - 1) * group["lr_decay"]);
        var sum = state.Buffer("sum", () => Tensor.FullLike(parameter, group["initial_accumulator_value"]));
        sum.Addcmul_(g, g);
        parameter.Addcdiv_(g, sum.Sqrt().Add_(group["eps"]), -lr);
    }
}
