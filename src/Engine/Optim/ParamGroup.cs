namespace Engine.Optim;

/// <summary>A set of parameters with its own hyper-parameters (PyTorch's param group). Options are named as in
/// PyTorch ("lr", "weight_decay", "momentum", "beta1", "nesterov", ...); flags are stored as 1 or 0. Options set
/// before the group joins an optimizer override the optimizer's defaults, the rest are filled in from them:
/// <c>new ParamGroup(head.Parameters(), lr: 1e-2) { ["momentum"] = 0 }</c>.</summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> options = [];

    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (lr is { } l) options["lr"] = l;
        if (weightDecay is { } wd) options["weight_decay"] = wd;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The learning rate (schedulers write it).</summary>
    public double Lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    public double WeightDecay
    {
        get => this["weight_decay"];
        set => this["weight_decay"] = value;
    }

    /// <summary>All options by name.</summary>
    public IReadOnlyDictionary<string, double> Options => options;

    /// <summary>An option by its PyTorch name.</summary>
    public double this[string name]
    {
        get => options.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"ParamGroup: no option '{name}'; this group has {string.Join(", ", options.Keys)}");
        set
        {
            if (double.IsNaN(value)) throw new ArgumentException($"ParamGroup: option '{name}' must be a number; got NaN");
            options[name] = value;
        }
    }

    public bool Has(string name) => options.ContainsKey(name);

    /// <summary>A flag option (stored as 1 or 0).</summary>
    public bool Flag(string name) => this[name] != 0;
}
