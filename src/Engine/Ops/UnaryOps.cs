using Engine.Backends;

namespace Engine;

/// <summary>Unary elementwise ops. Forward through <see cref="IBackend.Unary"/>; backward through the fused
/// <see cref="IBackend.UnaryBackward"/> kernel, or, when the backward pass itself is recorded (createGraph), through
/// the derivative written with differentiable ops so higher derivatives exist.</summary>
public sealed partial class Tensor
{
    public Tensor Neg() => Unary(UnaryOp.Neg);

    public Tensor Abs() => Unary(UnaryOp.Abs);

    /// <summary>-1, 0 or 1 (NaN stays NaN); zero gradient.</summary>
    public Tensor Sign() => Unary(UnaryOp.Sign);

    public Tensor Exp() => Unary(UnaryOp.Exp);

    public Tensor Log() => Unary(UnaryOp.Log);

    public Tensor Log1p() => Unary(UnaryOp.Log1p);

    public Tensor Expm1() => Unary(UnaryOp.Expm1);

    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);

    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);

    public Tensor Square() => Unary(UnaryOp.Square);

    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);

    public Tensor Sin() => Unary(UnaryOp.Sin);

    public Tensor Cos() => Unary(UnaryOp.Cos);

    public Tensor Tanh() => Unary(UnaryOp.Tanh);

    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);

    public Tensor Relu() => Unary(UnaryOp.Relu);

    public Tensor LeakyRelu(double negativeSlope = 0.01) => Unary(UnaryOp.LeakyRelu, negativeSlope);

    public Tensor Elu(double alpha = 1.0) => Unary(UnaryOp.Elu, alpha);

    public Tensor Selu() => Unary(UnaryOp.Selu);

    /// <summary>GELU; approximate "tanh" uses the tanh form, "none" (default) the exact erf form.</summary>
    public Tensor Gelu(string approximate = "none") => approximate switch
    {
        "none" => Unary(UnaryOp.Gelu),
        "tanh" => Unary(UnaryOp.GeluTanh),
        _ => throw new ArgumentException($"Gelu: approximate must be \"none\" or \"tanh\"; got \"{approximate}\""),
    };

    public Tensor Silu() => Unary(UnaryOp.Silu);

    /// <summary>log(1 + exp(beta x)) / beta, and x where beta x &gt; threshold (PyTorch's defaults 1 and 20).</summary>
    public Tensor Softplus(double beta = 1, double threshold = 20)
    {
        if (beta == 0) throw new ArgumentException("Softplus: beta must be non-zero");
        return Unary(UnaryOp.Softplus, beta, threshold);
    }

    public Tensor Mish() => Unary(UnaryOp.Mish);

    public Tensor Erf() => Unary(UnaryOp.Erf);

    public Tensor HardTanh(double minVal = -1, double maxVal = 1) => Clamp(minVal, maxVal);

    /// <summary>Clamps to [min, max]; either bound may be null for no bound.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp: at least one of min and max must be given");
        var lo = min ?? double.NegativeInfinity;
        var hi = max ?? double.PositiveInfinity;
        if (lo > hi) throw new ArgumentException($"Clamp: min {lo} is greater than max {hi}");
        return Unary(UnaryOp.Clamp, lo, hi);
    }

    public Tensor Floor() => Unary(UnaryOp.Floor);

    public Tensor Ceil() => Unary(UnaryOp.Ceil);

    /// <summary>Rounds half to even, as PyTorch.</summary>
    public Tensor Round() => Unary(UnaryOp.Round);

    /// <summary>Logical not of a Bool tensor (other dtypes: x == 0).</summary>
    public Tensor LogicalNot() => DType == DType.Bool ? Unary(UnaryOp.Not) : Eq(0);

    /// <summary>x raised to a scalar power.</summary>
    public Tensor Pow(double exponent) => exponent switch
    {
        1 => Unary(UnaryOp.Affine, 1, 0),
        2 => Square(),
        _ => Unary(UnaryOp.PowScalar, exponent),
    };

    /// <summary>A scalar raised to the power of each element. The gradient at base 0 is 0 for non-negative
    /// exponents (as PyTorch); a negative base has no real gradient, so it is refused when one is needed.</summary>
    public static Tensor Pow(double scalar, Tensor exponent)
    {
        if (scalar < 0 && exponent.NeedsGradInput)
            throw new ArgumentException($"Pow: the base {scalar} must be non-negative for a gradient with respect to the exponent");
        return exponent.Unary(UnaryOp.ScalarPow, scalar);
    }

    internal bool NeedsGradInput => NeedsGrad(this);

    internal Tensor Unary(UnaryOp op, double alpha = 0, double beta = 0)
    {
        var x = this;
        if (op == UnaryOp.Not && DType != DType.Bool)
            throw new ArgumentException($"LogicalNot: needs a Bool tensor; got {DType}");
        if (DType == DType.Bool && op != UnaryOp.Not)
            throw new ArgumentException($"{op}: not defined for Bool tensors; convert with To(DType.Float32) first");
        if (DType.IsInteger() && !KeepsIntegers(op, alpha, beta))
            x = To(DType.Float32);
        var y = x.NewEmptyLike();
        x.Backend.Unary(op, x, y, alpha, beta);
        if (NeedsGrad(x)) RecordUnary(op, x, y, alpha, beta);
        return y;
    }

    /// <summary>Whether op maps integers to integers with these parameters (else an integer input is promoted to
    /// Float32 first, as PyTorch's type promotion does for a fractional scalar).</summary>
    private static bool KeepsIntegers(UnaryOp op, double alpha, double beta)
    {
        static bool Whole(double v) => double.IsFinite(v) && v == Math.Floor(v);
        return op switch
        {
            UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Square or UnaryOp.Relu or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round => true,
            UnaryOp.Affine => Whole(alpha) && Whole(beta),
            UnaryOp.Clamp => (Whole(alpha) || double.IsInfinity(alpha)) && (Whole(beta) || double.IsInfinity(beta)),
            _ => false,
        };
    }

    // Kept out of Unary so the closure's captured state is allocated only when a graph is recorded.
    private static readonly string[] UnaryNames = Enum.GetNames<UnaryOp>();

    private static void RecordUnary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
        => y.Record(UnaryNames[(int)op], [x], g => [Autograd.IsEnabled
            ? UnaryDerivative(op, x, y, g, alpha, beta)
            : UnaryGradKernel(op, x, y, g, alpha, beta)]);

    private static Tensor UnaryGradKernel(UnaryOp op, Tensor x, Tensor y, Tensor g, double alpha, double beta)
    {
        var gx = x.NewEmptyLike();
        x.Backend.UnaryBackward(op, x, y, g, gx, alpha, beta);
        return gx;
    }

    /// <summary>g * op'(x) written with differentiable ops (used when the backward pass is itself recorded).</summary>
    private static Tensor UnaryDerivative(UnaryOp op, Tensor x, Tensor y, Tensor g, double alpha, double beta)
    {
        const double invSqrtTwo = 0.70710678118654752440;
        const double invSqrtTwoPi = 0.39894228040143267794;
        const double sqrtTwoOverPi = 0.79788456080286535588;
        const double seluAlpha = 1.6732632423543772848170429916717;
        const double seluScale = 1.0507009873554804934193349852946;
        Tensor Step(Tensor mask) => mask.To(x.DType);
        return op switch
        {
            UnaryOp.Neg => -g,
            UnaryOp.Abs => g * x.Sign(),
            UnaryOp.Sign or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round => ZerosLike(x),
            UnaryOp.Exp => g * y,
            UnaryOp.Log => g / x,
            UnaryOp.Log1p => g / (x + 1),
            UnaryOp.Expm1 => g * (y + 1),
            UnaryOp.Sqrt => g * 0.5 / y,
            UnaryOp.Rsqrt => g * -0.5 * y * y * y,
            UnaryOp.Square => g * 2 * x,
            UnaryOp.Reciprocal => -g * y * y,
            UnaryOp.Sin => g * x.Cos(),
            UnaryOp.Cos => -g * x.Sin(),
            UnaryOp.Tanh => g * (1 - y * y),
            UnaryOp.Sigmoid => g * y * (1 - y),
            UnaryOp.Relu => g * Step(x.Gt(0)),
            UnaryOp.LeakyRelu => g * Where(x.Gt(0), OnesLike(x), FullLike(x, alpha)),
            UnaryOp.Elu => g * Where(x.Gt(0), OnesLike(x), x.Exp() * alpha),
            UnaryOp.Selu => g * seluScale * Where(x.Gt(0), OnesLike(x), x.Exp() * seluAlpha),
            UnaryOp.Gelu => g * ((x * invSqrtTwo).Erf() * 0.5 + 0.5 + x * (x.Square() * -0.5).Exp() * invSqrtTwoPi),
            UnaryOp.GeluTanh => GeluTanhDerivative(x, g, sqrtTwoOverPi),
            UnaryOp.Silu => SiluDerivative(x, g),
            UnaryOp.Softplus => g * Where((x * alpha).Gt(beta), OnesLike(x), (x * alpha).Sigmoid()),
            UnaryOp.Mish => MishDerivative(x, g),
            UnaryOp.Erf => g * (x.Square().Neg().Exp() * 1.1283791670955126),
            UnaryOp.Clamp => g * Step(x.Ge(alpha).LogicalAnd(x.Le(beta))),
            UnaryOp.Affine => g * alpha,
            UnaryOp.PowScalar => alpha == 0 ? ZerosLike(x) : g * alpha * x.Pow(alpha - 1),
            UnaryOp.ScalarPow => alpha == 0 ? g * Where(x.Ge(0), 0.0, FullLike(x, double.NegativeInfinity)) : g * y * Math.Log(alpha),
            UnaryOp.ScalarDiv => -g * y / x,
            _ => throw new InvalidOperationException($"{op} has no derivative"),
        };

        static Tensor GeluTanhDerivative(Tensor x, Tensor g, double c)
        {
            var t = ((x + x * x * x * 0.044715) * c).Tanh();
            return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * c * (x * x * (3 * 0.044715) + 1));
        }

        static Tensor SiluDerivative(Tensor x, Tensor g)
        {
            var s = x.Sigmoid();
            return g * s * (x * (1 - s) + 1);
        }

        static Tensor MishDerivative(Tensor x, Tensor g)
        {
            var t = x.Softplus().Tanh();
            return g * (t + x * x.Sigmoid() * (1 - t * t));
        }
    }
}
