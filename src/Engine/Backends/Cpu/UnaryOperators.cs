using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

// The forward elementwise operators that TensorPrimitives lacks or computes inaccurately. Each is one struct with a
// scalar path and the same formula for 256- and 512-bit vectors; Elementwise.Map runs them.

/// <summary>max(x, 0) with NaN kept and -0 sent to +0.</summary>
internal readonly struct ReluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x <= T.Zero ? T.Zero : x;

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.AndNot(x, Vector256.LessThanOrEqual(x, Vector256<T>.Zero));

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.AndNot(x, Vector512.LessThanOrEqual(x, Vector512<T>.Zero));
}

/// <summary>x &gt;= 0 ? x : slope x.</summary>
internal readonly struct LeakyReluOperator<T>(T slope) : IUnaryOperator<T>
    where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x >= T.Zero ? x : slope * x;

    public Vector256<T> Invoke(Vector256<T> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), x, Vector256.Create(slope) * x);

    public Vector512<T> Invoke(Vector512<T> x)
        => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<T>.Zero), x, Vector512.Create(slope) * x);
}

/// <summary>min(max(x, lo), hi); NaN stays NaN (the vector Min/Max follow T.Min/T.Max). Integers too.</summary>
internal readonly struct ClampOperator<T>(T lo, T hi) : IUnaryOperator<T>
    where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => T.Min(T.Max(x, lo), hi);

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi));

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(lo)), Vector512.Create(hi));
}

/// <summary>1 for x &gt; 0, -1 for x &lt; 0, x itself otherwise (so ±0 and NaN pass through). Integers too.</summary>
internal readonly struct SignOperator<T> : IUnaryOperator<T>
    where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;

    public Vector256<T> Invoke(Vector256<T> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), -Vector256<T>.One, x));

    public Vector512<T> Invoke(Vector512<T> x)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One,
            Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), -Vector512<T>.One, x));
}

/// <summary>scale x + shift in one pass (product and sum rounded separately, as two TensorPrimitives passes
/// would). Integers too.</summary>
internal readonly struct AffineOperator<T>(T scale, T shift) : IUnaryOperator<T>
    where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => scale * x + shift;

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Create(scale) * x + Vector256.Create(shift);

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Create(scale) * x + Vector512.Create(shift);
}

/// <summary>1 / sqrt(x), from the correctly rounded square root (no reciprocal-sqrt estimate).</summary>
internal readonly struct RsqrtOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.One / T.Sqrt(x);

    public Vector256<T> Invoke(Vector256<T> x) => Vector256<T>.One / Vector256.Sqrt(x);

    public Vector512<T> Invoke(Vector512<T> x) => Vector512<T>.One / Vector512.Sqrt(x);
}

internal readonly struct Expm1Operator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => SpecialFunctions.Expm1(x);

    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Expm1(x);

    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.Expm1(x);
}

internal readonly struct Log1pOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => SpecialFunctions.Log1p(x);

    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Log1p(x);

    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.Log1p(x);
}

/// <summary>TensorPrimitives.Tanh loses relative precision as |x| shrinks (60x the value at 1e-9 in float32);
/// VectorMath.Tanh switches to the series there.</summary>
internal readonly struct TanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Tanh(x);

    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Tanh(x);

    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.Tanh(x);
}

internal readonly struct SigmoidOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => VectorMath.Logistic(x, out _);

    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Logistic(x, out _);

    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.Logistic(x, out _);
}

/// <summary>x sigmoid(x).</summary>
internal readonly struct SiluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x * VectorMath.Logistic(x, out _);

    public Vector256<T> Invoke(Vector256<T> x) => x * VectorMath.Logistic(x, out _);

    public Vector512<T> Invoke(Vector512<T> x) => x * VectorMath.Logistic(x, out _);
}

/// <summary>GELU's tanh form 0.5 x (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3), written as x sigmoid(2u): no
/// cancellation of 1 + tanh u for negative x.</summary>
internal readonly struct GeluTanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T TwoC => T.CreateTruncating(2 * UnaryConstants.SqrtTwoOverPi);

    private static T K => T.CreateTruncating(UnaryConstants.GeluCubic);

    public T Invoke(T x) => x * VectorMath.Logistic(TwoC * (x + K * x * x * x), out _);

    public Vector256<T> Invoke(Vector256<T> x) => x * VectorMath.Logistic(Vector256.Create(TwoC) * (x + Vector256.Create(K) * x * x * x), out _);

    public Vector512<T> Invoke(Vector512<T> x) => x * VectorMath.Logistic(Vector512.Create(TwoC) * (x + Vector512.Create(K) * x * x * x), out _);
}

/// <summary>scale (x &gt; 0 ? x : alpha expm1(x)): ELU with scale 1, SELU with its two constants.</summary>
internal readonly struct EluOperator<T>(T alpha, T scale) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => scale * (x > T.Zero ? x : alpha * SpecialFunctions.Expm1(x));

    public Vector256<T> Invoke(Vector256<T> x)
        => Vector256.Create(scale) * Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, Vector256.Create(alpha) * VectorMath.Expm1(x));

    public Vector512<T> Invoke(Vector512<T> x)
        => Vector512.Create(scale) * Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, Vector512.Create(alpha) * VectorMath.Expm1(x));
}

/// <summary>PyTorch's softplus: log(1 + exp(beta x)) / beta, and x itself where beta x &gt; threshold. Computed as
/// (max(z, 0) + log1p(exp(-|z|))) / beta for z = beta x, which never overflows.</summary>
internal readonly struct SoftplusOperator<T>(T beta, T threshold) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x)
    {
        var z = x * beta;
        return z > threshold ? x : (T.Max(z, T.Zero) + SpecialFunctions.Log1p(T.Exp(-T.Abs(z)))) / beta;
    }

    public Vector256<T> Invoke(Vector256<T> x)
    {
        var z = x * Vector256.Create(beta);
        var s = (Vector256.Max(z, Vector256<T>.Zero) + VectorMath.Log1p(VectorMath.Exp(-Vector256.Abs(z)))) / Vector256.Create(beta);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256.Create(threshold)), x, s);
    }

    public Vector512<T> Invoke(Vector512<T> x)
    {
        var z = x * Vector512.Create(beta);
        var s = (Vector512.Max(z, Vector512<T>.Zero) + VectorMath.Log1p(VectorMath.Exp(-Vector512.Abs(z)))) / Vector512.Create(beta);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512.Create(threshold)), x, s);
    }
}

/// <summary>x tanh(softplus x), with softplus's threshold 20 (x itself above). tanh(log(1 + e)) for e = exp(x) is
/// n / (n + 2) with n = e (e + 2): one exp, no cancellation, and no overflow below the threshold.</summary>
internal readonly struct MishOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Two => T.CreateTruncating(2);

    private static T Threshold => T.CreateTruncating(UnaryConstants.MishThreshold);

    public T Invoke(T x)
    {
        var e = T.Exp(x);
        var n = e * (e + Two);
        return x > Threshold ? x : x * n / (n + Two);
    }

    public Vector256<T> Invoke(Vector256<T> x)
    {
        var e = VectorMath.Exp(x);
        var two = Vector256.Create(Two);
        var n = e * (e + two);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Threshold)), x, x * n / (n + two));
    }

    public Vector512<T> Invoke(Vector512<T> x)
    {
        var e = VectorMath.Exp(x);
        var two = Vector512.Create(Two);
        var n = e * (e + two);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Threshold)), x, x * n / (n + two));
    }
}

/// <summary>A function written for double lanes (TOp), applied to float or double: float inputs are widened, and
/// the result rounded once.</summary>
internal readonly struct InDoubleOperator<T, TOp>(TOp op) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IUnaryOperator<double>
{
    public T Invoke(T x) => T.CreateTruncating(op.Invoke(double.CreateTruncating(x)));

    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.InDouble(x, op);

    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.InDouble(x, op);
}

internal readonly struct ErfLanes : IUnaryOperator<double>
{
    public double Invoke(double x) => ErrorFunction.Erf(x);

    public Vector256<double> Invoke(Vector256<double> x) => ErrorFunction.Erf(x);

    public Vector512<double> Invoke(Vector512<double> x) => ErrorFunction.Erf(x);
}

/// <summary>GELU x Phi(x), the exact (erf) form.</summary>
internal readonly struct GeluLanes : IUnaryOperator<double>
{
    public double Invoke(double x) => x * ErrorFunction.NormalCdf(x);

    public Vector256<double> Invoke(Vector256<double> x) => x * ErrorFunction.NormalCdf(x);

    public Vector512<double> Invoke(Vector512<double> x) => x * ErrorFunction.NormalCdf(x);
}

/// <summary>Logical not of Bool bytes: 1 where x is 0, else 0.</summary>
internal readonly struct LogicalNotOperator : IUnaryOperator<byte>
{
    public byte Invoke(byte x) => x == 0 ? (byte)1 : (byte)0;

    public Vector256<byte> Invoke(Vector256<byte> x) => Vector256.Equals(x, Vector256<byte>.Zero) & Vector256<byte>.One;

    public Vector512<byte> Invoke(Vector512<byte> x) => Vector512.Equals(x, Vector512<byte>.Zero) & Vector512<byte>.One;
}

/// <summary>Constants shared by the forward and backward operators.</summary>
internal static class UnaryConstants
{
    public const double SeluAlpha = 1.6732632423543772848170429916717;
    public const double SeluScale = 1.0507009873554804934193349852946;
    public const double SqrtTwoOverPi = 0.79788456080286535587989211986876;
    public const double GeluCubic = 0.044715;
    public const double TwoOverSqrtPi = 1.1283791670955125738961589031215;

    /// <summary>Mish uses softplus with its default threshold: x itself above it.</summary>
    public const double MishThreshold = 20;
}
