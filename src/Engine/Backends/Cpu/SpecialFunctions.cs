using System.Numerics;

namespace Engine.Backends.Cpu;

/// <summary>Special functions the BCL lacks or computes inaccurately, accurate to a few ulps of the working
/// precision (erf and erfc to the bounds stated on them).</summary>
public static class SpecialFunctions
{
    /// <summary>The error function, to about 1e-15 relative (see <see cref="ErrorFunction"/>).</summary>
    public static double Erf(double x) => ErrorFunction.Erf(x);

    /// <summary>The complementary error function 1 - erf(x), without cancellation for large x: about 3e-15 relative
    /// below x = 6, 6e-14 out to its underflow near 27.</summary>
    public static double Erfc(double x) => ErrorFunction.Erfc(x);

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
}
