using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>erf, the normal CDF and GELU in double-precision lanes, for the elementwise kernels (float tensors run
/// them through <see cref="VectorMath.InDouble{T, TOp}(Vector512{T})"/>). For z &gt;= 0,
/// erfc(z) = t exp(-z^2 + C(2t - 1)) with t = 2 / (2 + z) and C a Chebyshev series: the map t sends [0, inf) to
/// (0, 1], and ln(erfc(z) e^{z^2} / t) is smooth over all of it (it tends to ln(1 / (2 sqrt(pi))) as z grows), so one
/// series of 24 terms holds about 3e-15 relative error below z = 6 and 6e-14 out to the underflow of erfc (where the
/// rounding of z^2 dominates). Near 0, where 1 - erfc would cancel, erf is its Taylor series. The coefficients are
/// computed once, at first use, from a 28-digit decimal reference.</summary>
internal static class ErrorFunction
{
    private const int ChebyshevTerms = 24;
    private const int ChebyshevNodes = 64;

    /// <summary>Below this |x|, erf is x P(x^2) (19 Taylor terms reach 1e-17 at 1); beyond, 1 - erfc(|x|) with
    /// erfc(|x|) &lt;= 0.16, which scales erfc's relative error down.</summary>
    private const double ErfSeriesRadius = 1;

    private const double InvSqrtTwo = 0.70710678118654752440084436210485;
    private const double InvSqrtTwoPi = 0.39894228040143267793994605993438;

    private static readonly double[] Chebyshev = BuildChebyshev();

    /// <summary>erf(x) / x = 2/sqrt(pi) sum (-1)^n x^{2n} / (n! (2n + 1)), in powers of x^2.</summary>
    private static readonly double[] ErfOverX = BuildErfSeries(19);

    // ---- scalar ------------------------------------------------------------------------------------------------

    public static double Erf(double x)
    {
        var ax = Math.Abs(x);
        return ax < ErfSeriesRadius ? x * Polynomial(x * x, ErfOverX) : Math.CopySign(1 - ErfcNonNegative(ax, x * x), x);
    }

    public static double Erfc(double x) => x < 0 ? 2 - ErfcNonNegative(-x, x * x) : ErfcNonNegative(x, x * x);

    /// <summary>Phi(x) = erfc(-x / sqrt 2) / 2, from erfc of |x| / sqrt 2 on both sides, so the left tail keeps its
    /// relative precision; z^2 is taken as x^2 / 2 (one rounding) rather than the square of the rounded z, whose
    /// error erfc would amplify by 2 z^2.</summary>
    public static double NormalCdf(double x)
    {
        var e = ErfcNonNegative(Math.Abs(x) * InvSqrtTwo, 0.5 * (x * x));
        return 0.5 * (x < 0 ? e : 2 - e);
    }

    /// <summary>GELU's derivative Phi(x) + x phi(x).</summary>
    public static double GeluSlope(double x) => NormalCdf(x) + x * InvSqrtTwoPi * Math.Exp(-0.5 * x * x);

    /// <summary>erfc(z) for z &gt;= 0, given z^2 as well.</summary>
    private static double ErfcNonNegative(double z, double z2)
    {
        var t = 2 / (2 + z);
        return t * Math.Exp(Clenshaw(t + t - 1, Chebyshev) - z2);
    }

    private static double Polynomial(double x, double[] c)
    {
        var p = c[^1];
        for (var k = c.Length - 2; k >= 0; k--) p = p * x + c[k];
        return p;
    }

    /// <summary>sum c_k T_k(v) by Clenshaw's recurrence.</summary>
    private static double Clenshaw(double v, double[] c)
    {
        double b1 = 0, b2 = 0;
        for (var k = c.Length - 1; k >= 1; k--)
        {
            var b = (v + v) * b1 - b2 + c[k];
            b2 = b1;
            b1 = b;
        }
        return v * b1 - b2 + c[0];
    }

    // ---- 512-bit -----------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Erf(Vector512<double> x)
    {
        var ax = Vector512.Abs(x);
        var near = x * VectorMath.Polynomial(x * x, ErfOverX);
        var far = Vector512.CopySign(Vector512<double>.One - ErfcNonNegative(ax, x * x), x);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(ErfSeriesRadius)), near, far);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> NormalCdf(Vector512<double> x)
    {
        var e = ErfcNonNegative(Vector512.Abs(x) * Vector512.Create(InvSqrtTwo), Vector512.Create(0.5) * (x * x));
        return Vector512.Create(0.5) * Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<double>.Zero), e, Vector512.Create(2.0) - e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> GeluSlope(Vector512<double> x)
        => NormalCdf(x) + x * Vector512.Create(InvSqrtTwoPi) * Vector512.Exp(Vector512.Create(-0.5) * x * x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ErfcNonNegative(Vector512<double> z, Vector512<double> z2)
    {
        var t = Vector512.Create(2.0) / (Vector512.Create(2.0) + z);
        var v = t + t - Vector512<double>.One;
        var twoV = v + v;
        Vector512<double> b1 = Vector512<double>.Zero, b2 = Vector512<double>.Zero;
        for (var k = Chebyshev.Length - 1; k >= 1; k--)
        {
            var b = VectorMath.MultiplyAdd(twoV, b1, Vector512.Create(Chebyshev[k]) - b2);
            b2 = b1;
            b1 = b;
        }
        var c = VectorMath.MultiplyAdd(v, b1, Vector512.Create(Chebyshev[0]) - b2);
        return t * Vector512.Exp(c - z2);
    }

    // ---- 256-bit: the same formulas ----------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Erf(Vector256<double> x)
    {
        var ax = Vector256.Abs(x);
        var near = x * VectorMath.Polynomial(x * x, ErfOverX);
        var far = Vector256.CopySign(Vector256<double>.One - ErfcNonNegative(ax, x * x), x);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(ErfSeriesRadius)), near, far);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> NormalCdf(Vector256<double> x)
    {
        var e = ErfcNonNegative(Vector256.Abs(x) * Vector256.Create(InvSqrtTwo), Vector256.Create(0.5) * (x * x));
        return Vector256.Create(0.5) * Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), e, Vector256.Create(2.0) - e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> GeluSlope(Vector256<double> x)
        => NormalCdf(x) + x * Vector256.Create(InvSqrtTwoPi) * Vector256.Exp(Vector256.Create(-0.5) * x * x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ErfcNonNegative(Vector256<double> z, Vector256<double> z2)
    {
        var t = Vector256.Create(2.0) / (Vector256.Create(2.0) + z);
        var v = t + t - Vector256<double>.One;
        var twoV = v + v;
        Vector256<double> b1 = Vector256<double>.Zero, b2 = Vector256<double>.Zero;
        for (var k = Chebyshev.Length - 1; k >= 1; k--)
        {
            var b = VectorMath.MultiplyAdd(twoV, b1, Vector256.Create(Chebyshev[k]) - b2);
            b2 = b1;
            b1 = b;
        }
        var c = VectorMath.MultiplyAdd(v, b1, Vector256.Create(Chebyshev[0]) - b2);
        return t * Vector256.Exp(c - z2);
    }

    // ---- the coefficients --------------------------------------------------------------------------------------

    /// <summary>Chebyshev interpolation of f(v) = ln(erfc(z) e^{z^2} / t), t = (1 + v) / 2, z = 2 / t - 2, at the
    /// zeros of T_64, truncated to 24 terms (the later ones are below 1e-15).</summary>
    private static double[] BuildChebyshev()
    {
        var f = new double[ChebyshevNodes];
        for (var j = 0; j < ChebyshevNodes; j++)
        {
            var t = (1 + Math.Cos(Math.PI * (j + 0.5) / ChebyshevNodes)) / 2;
            f[j] = Math.Log(ScaledErfcReference(2 / t - 2) / t);
        }
        var c = new double[ChebyshevTerms];
        for (var k = 0; k < ChebyshevTerms; k++)
        {
            var s = 0.0;
            for (var j = 0; j < ChebyshevNodes; j++) s += f[j] * Math.Cos(Math.PI * k * (j + 0.5) / ChebyshevNodes);
            c[k] = (k == 0 ? 1.0 : 2.0) * s / ChebyshevNodes;
        }
        return c;
    }

    /// <summary>erfc(z) e^{z^2} to about 1e-16, in decimal arithmetic (28 digits): below 3, 1 - erf(z) from erf's
    /// Maclaurin series (whose alternating terms stay below 1e4 there, so the cancellation costs nothing that
    /// matters) times e^{z^2}; from 3, the continued fraction (1/sqrt pi) / (z + (1/2) / (z + 1 / (z + (3/2) / ...)))
    /// evaluated bottom-up from 200 levels, which have converged there.</summary>
    private static double ScaledErfcReference(double z)
    {
        const decimal twoOverSqrtPi = 1.1283791670955125738961589031m;
        const decimal invSqrtPi = 0.56418958354775628694807945156m;
        // The shortest round-trip string holds all of z's digits; a direct (decimal) cast keeps only 15.
        var zd = decimal.Parse(z.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (z >= 3)
        {
            var f = zd;
            for (var k = 200; k >= 1; k--) f = zd + k * 0.5m / f;
            return (double)(invSqrtPi / f);
        }
        var z2 = zd * zd;
        var power = zd; // (-1)^n z^(2n+1) / n!
        var erf = 0m;
        for (var n = 0; n < 200; n++)
        {
            var term = power / (2 * n + 1);
            erf += term;
            if (Math.Abs(term) < 1e-27m) break;
            power = -power * z2 / (n + 1);
        }
        // e^{z^2} with z^2 split into its double rounding and the remainder, so the rounding of z^2 does not enter.
        var hi = z * z;
        var lo = Math.FusedMultiplyAdd(z, z, -hi);
        return (double)(1 - twoOverSqrtPi * erf) * Math.Exp(hi) * (1 + lo);
    }

    private static double[] BuildErfSeries(int terms)
    {
        var c = new double[terms];
        var factorial = 1.0;
        for (var n = 0; n < terms; n++)
        {
            if (n > 0) factorial *= n;
            c[n] = (n % 2 == 0 ? 1 : -1) * UnaryConstants.TwoOverSqrtPi / (factorial * (2 * n + 1));
        }
        return c;
    }
}
