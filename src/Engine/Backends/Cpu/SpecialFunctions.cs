using System.Numerics;

namespace Engine.Backends.Cpu;

/// <summary>Special functions the BCL lacks or computes inaccurately, accurate to a few ulps of the working
/// precision.</summary>
public static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    /// <summary>The error function. |x| &lt; 2.5: the series erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} /
    /// (1*3*...*(2n+1)), whose terms are all positive (no cancellation); beyond, 1 - erfc(x) with erfc from its
    /// continued fraction (modified Lentz), which converges quickly there.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        var ax = Math.Abs(x);
        if (ax >= 6) return Math.Sign(x);
        double r = ax < 2.5 ? ErfSeries(ax) : 1 - ErfcContinuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /// <summary>The complementary error function 1 - erf(x), without cancellation for large x.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 2.5) return 1 - Erf(x);
        if (x > 27) return 0;
        return ErfcContinuedFraction(x);
    }

    /// <summary>log(1 + x) without losing the digits of a small x. The BCL's LogP1 is log(1 + x) and returns 0 for
    /// x below half an ulp of 1; dividing by the rounded u - 1 cancels the rounding of u = 1 + x (Goldberg).</summary>
    public static T Log1p<T>(T x)
        where T : IFloatingPointIeee754<T>
    {
        var u = T.One + x;
        if (u == T.One) return x;
        if (T.IsPositiveInfinity(u)) return u;
        return T.Log(u) * x / (u - T.One);
    }

    /// <summary>exp(x) - 1 without cancellation near 0 (the BCL's ExpM1 is exp(x) - 1); Kahan's correction by
    /// x / log(u) for u = exp(x), taken as a ratio first so that (u - 1) x cannot overflow near the top of the
    /// range.</summary>
    public static T Expm1<T>(T x)
        where T : IFloatingPointIeee754<T>
    {
        var u = T.Exp(x);
        if (u == T.One) return x;
        var um1 = u - T.One;
        if (um1 == -T.One) return um1;
        if (T.IsPositiveInfinity(u)) return u;
        return um1 * (x / T.Log(u));
    }

    private static double ErfSeries(double x)
    {
        var x2 = x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 200; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    /// <summary>erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))).</summary>
    private static double ErfcContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var k = 1; k < 500; k++)
        {
            var a = k * 0.5;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return InvSqrtPi * Math.Exp(-x * x) / f;
    }
}
