namespace Engine.Nn;

/// <summary>The base of every activation layer, so analysis code can find activations in a model by type. Each
/// activation op of the Tensor API has a sealed class here; <see cref="Of"/> wraps any other function and
/// <see cref="FromName"/> builds one from a command-line name.</summary>
public abstract class Activation : Module<Tensor, Tensor>
{
    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
        ["relu", "tanh", "gelu", "leaky_relu", "elu", "selu", "silu", "softplus", "mish", "sigmoid", "hardtanh"];

    /// <summary>The op and parameter when this activation can be fused into a preceding linear layer
    /// (<see cref="Tensor.CanFuseWithLinear"/>), else null.</summary>
    internal virtual (Backends.UnaryOp Op, double Alpha)? LinearFusion => null;

    /// <summary>An activation layer that applies <paramref name="f"/>, printed as <paramref name="name"/>().</summary>
    public static Activation Of(Func<Tensor, Tensor> f, string name = "Custom") => new FunctionActivation(f, name);

    /// <summary>A new activation with default arguments from its snake-case name ("relu", "leaky_relu", ...;
    /// case-insensitive).</summary>
    public static Activation FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "relu" => new Relu(),
            "tanh" => new Tanh(),
            "gelu" => new Gelu(),
            "leaky_relu" => new LeakyRelu(),
            "elu" => new Elu(),
            "selu" => new Selu(),
            "silu" => new Silu(),
            "softplus" => new Softplus(),
            "mish" => new Mish(),
            "sigmoid" => new Sigmoid(),
            "hardtanh" => new HardTanh(),
            _ => throw new ArgumentException($"Activation: unknown activation '{name}'; known: {string.Join(", ", KnownNames)}", nameof(name)),
        };
    }

    private sealed class FunctionActivation : Activation
    {
        private readonly Func<Tensor, Tensor> f;
        private readonly string name;

        public FunctionActivation(Func<Tensor, Tensor> f, string name)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            this.f = f;
            this.name = name;
        }

        public override string TypeName => name;

        protected override Tensor ForwardCore(Tensor input) => f(input);
    }
}

public sealed class Relu : Activation
{
    public override string TypeName => "ReLU";

    internal override (Backends.UnaryOp Op, double Alpha)? LinearFusion => (Backends.UnaryOp.Relu, 0);

    protected override Tensor ForwardCore(Tensor input) => input.Relu();
}

public sealed class LeakyRelu(double negativeSlope = 0.01) : Activation
{
    public double NegativeSlope { get; } = negativeSlope;

    public override string TypeName => "LeakyReLU";

    internal override (Backends.UnaryOp Op, double Alpha)? LinearFusion =>
        Tensor.CanFuseWithLinear(Backends.UnaryOp.LeakyRelu, NegativeSlope) ? (Backends.UnaryOp.LeakyRelu, NegativeSlope) : null;

    protected override Tensor ForwardCore(Tensor input) => input.LeakyRelu(NegativeSlope);

    protected override string ExtraRepr() => $"negative_slope={PyRepr.Float(NegativeSlope)}";
}

public sealed class Elu(double alpha = 1.0) : Activation
{
    public double Alpha { get; } = alpha;

    public override string TypeName => "ELU";

    protected override Tensor ForwardCore(Tensor input) => input.Elu(Alpha);

    protected override string ExtraRepr() => $"alpha={PyRepr.Float(Alpha)}";
}

public sealed class Selu : Activation
{
    public override string TypeName => "SELU";

    protected override Tensor ForwardCore(Tensor input) => input.Selu();
}

/// <summary>GELU; approximate "none" (exact, erf) or "tanh".</summary>
public sealed class Gelu : Activation
{
    public Gelu(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\"; got \"{approximate}\"", nameof(approximate));
        Approximate = approximate;
    }

    public string Approximate { get; }

    public override string TypeName => "GELU";

    protected override Tensor ForwardCore(Tensor input) => input.Gelu(Approximate);

    protected override string ExtraRepr() => $"approximate={PyRepr.Str(Approximate)}";
}

public sealed class Silu : Activation
{
    public override string TypeName => "SiLU";

    protected override Tensor ForwardCore(Tensor input) => input.Silu();
}

/// <summary>log(1 + exp(beta x)) / beta, linear above beta x &gt; threshold.</summary>
public sealed class Softplus : Activation
{
    public Softplus(double beta = 1.0, double threshold = 20.0)
    {
        if (beta == 0) throw new ArgumentException("Softplus: beta must be non-zero", nameof(beta));
        Beta = beta;
        Threshold = threshold;
    }

    public double Beta { get; }

    public double Threshold { get; }

    protected override Tensor ForwardCore(Tensor input) => input.Softplus(Beta, Threshold);

    protected override string ExtraRepr() => $"beta={PyRepr.Float(Beta)}, threshold={PyRepr.Float(Threshold)}";
}

public sealed class Mish : Activation
{
    protected override Tensor ForwardCore(Tensor input) => input.Mish();
}

public sealed class Tanh : Activation
{
    internal override (Backends.UnaryOp Op, double Alpha)? LinearFusion => (Backends.UnaryOp.Tanh, 0);

    protected override Tensor ForwardCore(Tensor input) => input.Tanh();
}

public sealed class Sigmoid : Activation
{
    internal override (Backends.UnaryOp Op, double Alpha)? LinearFusion => (Backends.UnaryOp.Sigmoid, 0);

    protected override Tensor ForwardCore(Tensor input) => input.Sigmoid();
}

/// <summary>Clamps to [minVal, maxVal].</summary>
public sealed class HardTanh : Activation
{
    public HardTanh(double minVal = -1.0, double maxVal = 1.0)
    {
        if (minVal > maxVal) throw new ArgumentException($"Hardtanh: min_val {minVal} must not exceed max_val {maxVal}");
        MinVal = minVal;
        MaxVal = maxVal;
    }

    public double MinVal { get; }

    public double MaxVal { get; }

    public override string TypeName => "Hardtanh";

    protected override Tensor ForwardCore(Tensor input) => input.HardTanh(MinVal, MaxVal);

    protected override string ExtraRepr() => $"min_val={PyRepr.Float(MinVal)}, max_val={PyRepr.Float(MaxVal)}";
}

/// <summary>Softmax along <see cref="Dim"/>.</summary>
public sealed class Softmax(int dim) : Activation
{
    public int Dim { get; } = dim;

    protected override Tensor ForwardCore(Tensor input) => input.Softmax(Dim);

    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>Log-softmax along <see cref="Dim"/>.</summary>
public sealed class LogSoftmax(int dim) : Activation
{
    public int Dim { get; } = dim;

    protected override Tensor ForwardCore(Tensor input) => input.LogSoftmax(Dim);

    protected override string ExtraRepr() => $"dim={Dim}";
}
