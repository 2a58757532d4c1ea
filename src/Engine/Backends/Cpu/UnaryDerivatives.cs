using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

// The fused backward kernels gx = g f'(x): binary operators take (x or y, g), whichever the derivative is cheaper and
// more accurate from; ternary ones take (x, y, g).

/// <summary>g sign(x), with sign 0 at 0 and NaN.</summary>
internal readonly struct AbsDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => g * (x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
        => g * ((Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One) | (Vector256.LessThan(x, Vector256<T>.Zero) & -Vector256<T>.One));

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
        => g * ((Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One) | (Vector512.LessThan(x, Vector512<T>.Zero) & -Vector512<T>.One));
}

/// <summary>g / (1 + x).</summary>
internal readonly struct Log1pDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => g / (T.One + x);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => g / (Vector256<T>.One + x);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => g / (Vector512<T>.One + x);
}

/// <summary>g (y + 1) for y = expm1(x).</summary>
internal readonly struct Expm1Derivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T g) => g * (y + T.One);

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => g * (y + Vector256<T>.One);

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => g * (y + Vector512<T>.One);
}

/// <summary>g / (2 y) for y = sqrt(x).</summary>
internal readonly struct SqrtDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Half => T.CreateTruncating(0.5);

    public T Invoke(T y, T g) => g * Half / y;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => g * Vector256.Create(Half) / y;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => g * Vector512.Create(Half) / y;
}

/// <summary>-g y^3 / 2 for y = 1 / sqrt(x).</summary>
internal readonly struct RsqrtDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T MinusHalf => T.CreateTruncating(-0.5);

    public T Invoke(T y, T g) => MinusHalf * g * y * y * y;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => Vector256.Create(MinusHalf) * g * y * y * y;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => Vector512.Create(MinusHalf) * g * y * y * y;
}

/// <summary>2 x g.</summary>
internal readonly struct SquareDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => (x + x) * g;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => (x + x) * g;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => (x + x) * g;
}

/// <summary>-g y^2 for y = 1 / x.</summary>
internal readonly struct ReciprocalDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T g) => -g * y * y;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => -g * y * y;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => -g * y * y;
}

/// <summary>g (1 - y^2) for y = tanh(x).</summary>
internal readonly struct TanhDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T g) => g * (T.One - y * y);

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => g * (Vector256<T>.One - y * y);

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => g * (Vector512<T>.One - y * y);
}

/// <summary>g y (1 - y) for y = sigmoid(x).</summary>
internal readonly struct SigmoidDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T g) => g * y * (T.One - y);

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> g) => g * y * (Vector256<T>.One - y);

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> g) => g * y * (Vector512<T>.One - y);
}

/// <summary>x &gt; 0 ? g : 0.</summary>
internal readonly struct ReluDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => x > T.Zero ? g : T.Zero;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => g & Vector256.GreaterThan(x, Vector256<T>.Zero);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => g & Vector512.GreaterThan(x, Vector512<T>.Zero);
}

/// <summary>x &gt; 0 ? g : slope g.</summary>
internal readonly struct LeakyReluDerivative<T>(T slope) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => x > T.Zero ? g : slope * g;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), g, Vector256.Create(slope) * g);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), g, Vector512.Create(slope) * g);
}

/// <summary>lo &lt;= x &lt;= hi ? g : 0.</summary>
internal readonly struct ClampDerivative<T>(T lo, T hi) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => x >= lo && x <= hi ? g : T.Zero;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
        => g & Vector256.GreaterThanOrEqual(x, Vector256.Create(lo)) & Vector256.LessThanOrEqual(x, Vector256.Create(hi));

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
        => g & Vector512.GreaterThanOrEqual(x, Vector512.Create(lo)) & Vector512.LessThanOrEqual(x, Vector512.Create(hi));
}

/// <summary>g scale (x &gt; 0 ? 1 : alpha exp(x)) for ELU / SELU: alpha exp(x) rather than y + alpha scale,
/// which cancels for very negative x.</summary>
internal readonly struct EluDerivative<T>(T alpha, T scale) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => g * scale * (x > T.Zero ? T.One : alpha * T.Exp(x));

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
        => g * Vector256.Create(scale) * Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One, Vector256.Create(alpha) * VectorMath.Exp(x));

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
        => g * Vector512.Create(scale) * Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One, Vector512.Create(alpha) * VectorMath.Exp(x));
}

/// <summary>g s (1 + x (1 - s)) for s = sigmoid(x), with 1 - s computed as sigmoid(-x) (no cancellation).</summary>
internal readonly struct SiluDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => g * VectorMath.Logistic(x, out var c) * (T.One + x * c);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => g * VectorMath.Logistic(x, out var c) * (Vector256<T>.One + x * c);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => g * VectorMath.Logistic(x, out var c) * (Vector512<T>.One + x * c);
}

/// <summary>GELU (tanh form): with u = c (x + k x^3) and s = sigmoid(2u), 0.5 (1 + tanh u) = s and
/// 0.5 (1 - tanh^2 u) = 2 s (1 - s), so the derivative 0.5 (1 + t) + 0.5 x (1 - t^2) u' is
/// s (1 + x (1 - s) 2c (1 + 3k x^2)): one exp, and 1 - s taken as sigmoid(-2u).</summary>
internal readonly struct GeluTanhDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T TwoC => T.CreateTruncating(2 * UnaryConstants.SqrtTwoOverPi);

    private static T K => T.CreateTruncating(UnaryConstants.GeluCubic);

    private static T K3 => T.CreateTruncating(3 * UnaryConstants.GeluCubic);

    public T Invoke(T x, T g)
    {
        var s = VectorMath.Logistic(TwoC * (x + K * x * x * x), out var c);
        return g * s * (T.One + x * c * TwoC * (T.One + K3 * x * x));
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
    {
        var twoC = Vector256.Create(TwoC);
        var s = VectorMath.Logistic(twoC * (x + Vector256.Create(K) * x * x * x), out var c);
        return g * s * (Vector256<T>.One + x * c * twoC * (Vector256<T>.One + Vector256.Create(K3) * x * x));
    }

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
    {
        var twoC = Vector512.Create(TwoC);
        var s = VectorMath.Logistic(twoC * (x + Vector512.Create(K) * x * x * x), out var c);
        return g * s * (Vector512<T>.One + x * c * twoC * (Vector512<T>.One + Vector512.Create(K3) * x * x));
    }
}

/// <summary>beta x &gt; threshold ? g : g sigmoid(beta x).</summary>
internal readonly struct SoftplusDerivative<T>(T beta, T threshold) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g)
    {
        var z = x * beta;
        return z > threshold ? g : g * VectorMath.Logistic(z, out _);
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
    {
        var z = x * Vector256.Create(beta);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256.Create(threshold)), g, g * VectorMath.Logistic(z, out _));
    }

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
    {
        var z = x * Vector512.Create(beta);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512.Create(threshold)), g, g * VectorMath.Logistic(z, out _));
    }
}

/// <summary>Mish: d/dx x tanh(sp(x)) = t + x sigmoid(x) (1 - t^2). With e = exp(x), n = e (e + 2), q = n + 2:
/// t = n / q and sigmoid(x) (1 - t^2) = 4 e (e + 1) / q^2, free of cancellation (n is not recovered as q - 2,
/// which would lose it for tiny e); 1 above the threshold.</summary>
internal readonly struct MishDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Two => T.CreateTruncating(2);

    private static T Four => T.CreateTruncating(4);

    private static T Threshold => T.CreateTruncating(UnaryConstants.MishThreshold);

    public T Invoke(T x, T g)
    {
        var e = T.Exp(x);
        var n = e * (e + Two);
        var q = n + Two;
        return x > Threshold ? g : g * (n / q + x * Four * e * (e + T.One) / (q * q));
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g)
    {
        var e = VectorMath.Exp(x);
        var two = Vector256.Create(Two);
        var n = e * (e + two);
        var q = n + two;
        var d = n / q + x * Vector256.Create(Four) * e * (e + Vector256<T>.One) / (q * q);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Threshold)), g, g * d);
    }

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g)
    {
        var e = VectorMath.Exp(x);
        var two = Vector512.Create(Two);
        var n = e * (e + two);
        var q = n + two;
        var d = n / q + x * Vector512.Create(Four) * e * (e + Vector512<T>.One) / (q * q);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Threshold)), g, g * d);
    }
}

/// <summary>g 2/sqrt(pi) exp(-x^2).</summary>
internal readonly struct ErfDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T C => T.CreateTruncating(UnaryConstants.TwoOverSqrtPi);

    public T Invoke(T x, T g) => g * C * T.Exp(-x * x);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => g * Vector256.Create(C) * VectorMath.Exp(-x * x);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => g * Vector512.Create(C) * VectorMath.Exp(-x * x);
}

/// <summary>g (Phi(x) + x phi(x)) for GELU's exact form, the factor evaluated in double lanes.</summary>
internal readonly struct GeluDerivative<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T g) => g * T.CreateTruncating(ErrorFunction.GeluSlope(double.CreateTruncating(x)));

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> g) => g * VectorMath.InDouble(x, new GeluSlopeLanes());

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> g) => g * VectorMath.InDouble(x, new GeluSlopeLanes());
}

internal readonly struct GeluSlopeLanes : IUnaryOperator<double>
{
    public double Invoke(double x) => ErrorFunction.GeluSlope(x);

    public Vector256<double> Invoke(Vector256<double> x) => ErrorFunction.GeluSlope(x);

    public Vector512<double> Invoke(Vector512<double> x) => ErrorFunction.GeluSlope(x);
}

/// <summary>g scale p, for a factor p computed beforehand (x^(a-1) for PowScalar, cos x for Sin...).</summary>
internal readonly struct ScaledProduct<T>(T scale) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T p, T g) => g * scale * p;

    public Vector256<T> Invoke(Vector256<T> p, Vector256<T> g) => g * Vector256.Create(scale) * p;

    public Vector512<T> Invoke(Vector512<T> p, Vector512<T> g) => g * Vector512.Create(scale) * p;
}

/// <summary>d/dx a^x = a^x log a = g y log a; for a = 0 it is 0 where x &gt;= 0 (as PyTorch), not 0 * -inf.</summary>
internal readonly struct ScalarPowDerivative<T>(T a) : ITernaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T logA = T.Log(a);

    public T Invoke(T x, T y, T g) => a == T.Zero && x >= T.Zero ? T.Zero : g * y * logA;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> g)
    {
        var zero = Vector256.Equals(Vector256.Create(a), Vector256<T>.Zero) & Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero);
        return Vector256.AndNot(g * y * Vector256.Create(logA), zero);
    }

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> g)
    {
        var zero = Vector512.Equals(Vector512.Create(a), Vector512<T>.Zero) & Vector512.GreaterThanOrEqual(x, Vector512<T>.Zero);
        return Vector512.AndNot(g * y * Vector512.Create(logA), zero);
    }
}

/// <summary>-g y / x for y = a / x.</summary>
internal readonly struct ScalarDivDerivative<T> : ITernaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y, T g) => -g * y / x;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> g) => -g * y / x;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> g) => -g * y / x;
}
