using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Vectorised transcendental building blocks for the elementwise operators, generic over float and double,
/// each accurate to a few ulps in relative terms over the whole range (the BCL's vector Exp and Log, which are, are
/// the base). Operators' scalar paths use the BCL's scalar functions or <see cref="SpecialFunctions"/>, except for
/// <see cref="Logistic{T}(T, out T)"/>, whose formula is the point.</summary>
internal static class VectorMath
{
    /// <summary>Below this |x|, tanh is its Taylor series: beyond, 1 - 2 / (exp(2|x|) + 1) loses under a bit to
    /// cancellation (tanh 0.55 is 0.5).</summary>
    private const double TanhSeriesRadius = 0.55;

    /// <summary>Below this |x|, expm1 is its Taylor series; beyond, exp(x) - 1 cancels at most a bit and a half.</summary>
    private const double Expm1SeriesRadius = 0.5;

    // ---- scalar ------------------------------------------------------------------------------------------------

    /// <summary>sigmoid(x) = 1 / (1 + exp(-x)) and its complement sigmoid(-x) = 1 - sigmoid(x), both from
    /// e = exp(-|x|) so that neither overflows nor cancels: each is 1 / (1 + e) or e / (1 + e).</summary>
    public static T Logistic<T>(T x, out T complement)
        where T : IFloatingPointIeee754<T>
    {
        var e = T.Exp(-T.Abs(x));
        var r = T.One / (T.One + e);
        var er = e * r;
        complement = x < T.Zero ? r : er;
        return x < T.Zero ? er : r;
    }

    // ---- 512-bit -----------------------------------------------------------------------------------------------

    /// <summary>op evaluated in double-precision lanes: a float vector is widened to two double vectors and the
    /// result narrowed back (for functions written in double only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> InDouble<T, TOp>(Vector512<T> x, TOp op)
        where T : unmanaged
        where TOp : struct, IUnaryOperator<double>
    {
        if (typeof(T) == typeof(double)) return op.Invoke(x.AsDouble()).As<double, T>();
        var (lo, hi) = Vector512.Widen(x.AsSingle());
        return Vector512.Narrow(op.Invoke(lo), op.Invoke(hi)).As<float, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x)
        where T : unmanaged
        => typeof(T) == typeof(float) ? Vector512.Exp(x.AsSingle()).As<float, T>() : Vector512.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> x)
        where T : unmanaged
        => typeof(T) == typeof(float) ? Vector512.Log(x.AsSingle()).As<float, T>() : Vector512.Log(x.AsDouble()).As<double, T>();

    /// <summary>a * b + c, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged
        => typeof(T) == typeof(float)
            ? Vector512.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>c[0] + c[1] x + c[2] x^2 + ... by Horner's rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Polynomial<T>(Vector512<T> x, T[] c)
        where T : unmanaged
    {
        var p = Vector512.Create(c[^1]);
        for (var k = c.Length - 2; k >= 0; k--) p = MultiplyAdd(p, x, Vector512.Create(c[k]));
        return p;
    }

    /// <inheritdoc cref="Logistic{T}(T, out T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Logistic<T>(Vector512<T> x, out Vector512<T> complement)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = Exp(-Vector512.Abs(x));
        var r = Vector512<T>.One / (Vector512<T>.One + e);
        var er = e * r;
        var negative = Vector512.LessThan(x, Vector512<T>.Zero);
        complement = Vector512.ConditionalSelect(negative, r, er);
        return Vector512.ConditionalSelect(negative, er, r);
    }

    /// <summary>tanh x: x P(x^2) with P the Taylor series of tanh(x)/x near 0, where the exp form cancels;
    /// 1 - 2 / (exp(2|x|) + 1) with the sign of x elsewhere (1 once exp overflows, NaN for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ax = Vector512.Abs(x);
        var far = Vector512<T>.One - Vector512.Create(T.CreateTruncating(2)) / (Exp(ax + ax) + Vector512<T>.One);
        var near = x * Polynomial(x * x, TaylorSeries<T>.TanhOverX);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(T.CreateTruncating(TanhSeriesRadius))), near, Vector512.CopySign(far, x));
    }

    /// <summary>exp(x) - 1: x P(x) with P the Taylor series of expm1(x)/x near 0, exp(x) - 1 elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Expm1<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var near = x * Polynomial(x, TaylorSeries<T>.Expm1OverX);
        var far = Exp(x) - Vector512<T>.One;
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(T.CreateTruncating(Expm1SeriesRadius))), near, far);
    }

    /// <summary>log(1 + x) as log(u) x / (u - 1) for u = 1 + x rounded (Goldberg): the division cancels the rounding
    /// of u, so small x keep their digits; x itself where u rounds to 1, and +inf for +inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log1p<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = Vector512<T>.One + x;
        var d = u - Vector512<T>.One;
        var r = Log(u) * (x / d);
        r = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<T>.Zero), x, r);
        return Vector512.ConditionalSelect(Vector512.IsPositiveInfinity(u), u, r);
    }

    // ---- 256-bit: the same formulas ----------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> InDouble<T, TOp>(Vector256<T> x, TOp op)
        where T : unmanaged
        where TOp : struct, IUnaryOperator<double>
    {
        if (typeof(T) == typeof(double)) return op.Invoke(x.AsDouble()).As<double, T>();
        var (lo, hi) = Vector256.Widen(x.AsSingle());
        return Vector256.Narrow(op.Invoke(lo), op.Invoke(hi)).As<float, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x)
        where T : unmanaged
        => typeof(T) == typeof(float) ? Vector256.Exp(x.AsSingle()).As<float, T>() : Vector256.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log<T>(Vector256<T> x)
        where T : unmanaged
        => typeof(T) == typeof(float) ? Vector256.Log(x.AsSingle()).As<float, T>() : Vector256.Log(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged
        => typeof(T) == typeof(float)
            ? Vector256.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector256.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Polynomial<T>(Vector256<T> x, T[] c)
        where T : unmanaged
    {
        var p = Vector256.Create(c[^1]);
        for (var k = c.Length - 2; k >= 0; k--) p = MultiplyAdd(p, x, Vector256.Create(c[k]));
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Logistic<T>(Vector256<T> x, out Vector256<T> complement)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = Exp(-Vector256.Abs(x));
        var r = Vector256<T>.One / (Vector256<T>.One + e);
        var er = e * r;
        var negative = Vector256.LessThan(x, Vector256<T>.Zero);
        complement = Vector256.ConditionalSelect(negative, r, er);
        return Vector256.ConditionalSelect(negative, er, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ax = Vector256.Abs(x);
        var far = Vector256<T>.One - Vector256.Create(T.CreateTruncating(2)) / (Exp(ax + ax) + Vector256<T>.One);
        var near = x * Polynomial(x * x, TaylorSeries<T>.TanhOverX);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(T.CreateTruncating(TanhSeriesRadius))), near, Vector256.CopySign(far, x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Expm1<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var near = x * Polynomial(x, TaylorSeries<T>.Expm1OverX);
        var far = Exp(x) - Vector256<T>.One;
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(T.CreateTruncating(Expm1SeriesRadius))), near, far);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log1p<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = Vector256<T>.One + x;
        var d = u - Vector256<T>.One;
        var r = Log(u) * (x / d);
        r = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<T>.Zero), x, r);
        return Vector256.ConditionalSelect(Vector256.IsPositiveInfinity(u), u, r);
    }

    /// <summary>Taylor coefficients, truncated where the next term falls below the precision of T over the radius
    /// the series is used in (tanh: ratio of successive terms about (0.55 * 2 / pi)^2 = 0.12; expm1: 0.5 / n).</summary>
    private static class TaylorSeries<T>
        where T : IFloatingPointIeee754<T>
    {
        /// <summary>tanh(x) / x in powers of x^2: a_0 = 1, (2n + 1) a_n = -sum_{k &lt; n} a_k a_{n-1-k} (from
        /// tanh' = 1 - tanh^2).</summary>
        public static readonly T[] TanhOverX = Tanh(typeof(T) == typeof(float) ? 8 : 19);

        /// <summary>expm1(x) / x = sum x^k / (k + 1)!.</summary>
        public static readonly T[] Expm1OverX = Expm1(typeof(T) == typeof(float) ? 9 : 16);

        private static T[] Tanh(int terms)
        {
            var a = new double[terms];
            a[0] = 1;
            for (var n = 1; n < terms; n++)
            {
                var s = 0.0;
                for (var k = 0; k < n; k++) s += a[k] * a[n - 1 - k];
                a[n] = -s / (2 * n + 1);
            }
            return [.. a.Select(T.CreateTruncating)];
        }

        private static T[] Expm1(int terms)
        {
            var c = new double[terms];
            c[0] = 1;
            for (var k = 1; k < terms; k++) c[k] = c[k - 1] / (k + 1);
            return [.. c.Select(T.CreateTruncating)];
        }
    }
}
