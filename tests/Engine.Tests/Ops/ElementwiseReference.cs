namespace Engine.Tests;

/// <summary>Float64 references for the elementwise op tests, computed independently of the engine (Math.*, series
/// summed to convergence, decimal arithmetic where double would cancel), and the assertions the tests share.</summary>
internal static class ElementwiseReference
{
    public const double SeluAlpha = 1.6732632423543772848170429916717;
    public const double SeluScale = 1.0507009873554804934193349852946;

    private const decimal TwoOverSqrtPi = 1.1283791670955125738961589031m;
    private const decimal SqrtTwo = 1.4142135623730950488016887242m;

    /// <summary>log(1 + x): 2 atanh(x / (2 + x)) as a series near 0, where log(1 + x) would lose the digits of x.</summary>
    public static double Log1p(double x)
    {
        if (x < -0.5 || x > 1) return Math.Log(1 + x);
        var z = x / (2 + x);
        double sum = 0, power = z;
        for (var k = 0; k < 200; k++)
        {
            var term = power / (2 * k + 1);
            sum += term;
            if (Math.Abs(term) <= 1e-18 * Math.Abs(sum)) break;
            power *= z * z;
        }
        return 2 * sum;
    }

    /// <summary>exp(x) - 1: the Taylor series near 0, where exp(x) - 1 would cancel.</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) > 0.7) return Math.Exp(x) - 1;
        double sum = 0, term = x;
        for (var n = 2; n < 60 && term != 0; n++)
        {
            sum += term;
            term *= x / n;
        }
        return sum;
    }

    /// <summary>erf(x) from its Maclaurin series in decimal (28 digits), exact enough up to |x| ~ 4.5 where the
    /// alternating terms reach 1e6.</summary>
    public static decimal ErfDecimal(decimal x)
    {
        if (Math.Abs(x) > 4.6m) throw new ArgumentOutOfRangeException(nameof(x), "the decimal series is only used up to |x| = 4.6");
        var x2 = x * x;
        var power = x; // (-1)^n x^(2n+1) / n!
        var sum = 0m;
        for (var n = 0; n < 400; n++)
        {
            var term = power / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) < 1e-27m) break;
            power = -power * x2 / (n + 1);
        }
        return TwoOverSqrtPi * sum;
    }

    public static double Erf(double x) => (double)ErfDecimal((decimal)x);

    /// <summary>The standard normal CDF, in decimal so the left tail keeps its relative precision.</summary>
    public static decimal PhiDecimal(double x) => 0.5m * (1 + ErfDecimal((decimal)x / SqrtTwo));

    public static double Phi(double x) => (double)PhiDecimal(x);

    public static double NormalPdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    public static double Gelu(double x) => (double)((decimal)x * PhiDecimal(x));

    /// <summary>0.5 x (1 + tanh u); for u &lt; 0, 1 + tanh u is taken as 2 e^(2u) / (1 + e^(2u)), which does not
    /// cancel.</summary>
    public static double GeluTanh(double x)
    {
        var u = Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        return u >= 0 ? 0.5 * x * (1 + Math.Tanh(u)) : x * Math.Exp(2 * u) / (1 + Math.Exp(2 * u));
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Softplus(double x, double beta = 1, double threshold = 20)
        => beta * x > threshold ? x : Log1p(Math.Exp(beta * x)) / beta;

    // ---- data ----------------------------------------------------------------------------------------------------

    /// <summary>n points spread over (lo, hi), offset from the grid so none is an integer, a half-integer or 0.</summary>
    public static double[] Grid(int n, double lo, double hi)
    {
        var v = new double[n];
        for (var k = 0; k < n; k++) v[k] = lo + (hi - lo) * (k + 0.37) / n;
        return v;
    }

    /// <summary>Deterministic pseudo-random values in [lo, hi) (a hash of the index, no engine RNG involved).</summary>
    public static double[] Scattered(int n, double lo, double hi, int salt)
    {
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            var h = Math.Sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
            v[i] = lo + (hi - lo) * (h - Math.Floor(h));
        }
        return v;
    }

    /// <summary>The values as float32 would hold them, so float32 and float64 runs see the same inputs.</summary>
    public static double[] RoundToFloat(double[] v) => v.Select(x => (double)(float)x).ToArray();

    public static Tensor Make(double[] values, int[] shape, DType dtype = DType.Float64)
        => (shape.Length == 0 ? Tensor.Scalar(values[0], DType.Float64) : Tensor.FromArray(values, shape)).To(dtype);

    public static double[] Values(Tensor t) => t.ToArray<double>();

    /// <summary>f applied to a and b broadcast NumPy-style, computed with explicit index arithmetic.</summary>
    public static (double[] Values, int[] Shape) Broadcast(double[] a, int[] aShape, double[] b, int[] bShape, Func<double, double, double> f)
    {
        var rank = Math.Max(aShape.Length, bShape.Length);
        int SizeAt(int[] s, int d) => d - (rank - s.Length) is var i && i >= 0 ? s[i] : 1;
        var shape = new int[rank];
        for (var d = 0; d < rank; d++) shape[d] = Math.Max(SizeAt(aShape, d), SizeAt(bShape, d));
        var n = shape.Aggregate(1, (p, s) => p * s);
        var result = new double[n];
        var index = new int[rank];
        for (var flat = 0; flat < n; flat++)
        {
            var rest = flat;
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            result[flat] = f(a[FlatIndex(aShape, index, rank)], b[FlatIndex(bShape, index, rank)]);
        }
        return (result, shape);
    }

    private static int FlatIndex(int[] shape, int[] index, int rank)
    {
        var flat = 0;
        for (var i = 0; i < shape.Length; i++)
            flat = flat * shape[i] + (shape[i] == 1 ? 0 : index[i + rank - shape.Length]);
        return flat;
    }

    // ---- assertions ----------------------------------------------------------------------------------------------

    /// <summary>|actual - expected| &lt;= rtol |expected| + atol elementwise; NaN must meet NaN.</summary>
    public static void AssertClose(double[] expected, double[] actual, double rtol, string context, double atol = 0)
    {
        Assert.HasCount(expected.Length, actual, $"{context}: element count");
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) && double.IsNaN(actual[i])) continue;
            if (expected[i] == actual[i]) continue;
            var err = Math.Abs(actual[i] - expected[i]);
            Assert.IsTrue(err <= rtol * Math.Abs(expected[i]) + atol,
                $"{context}: element {i}: got {actual[i]:R}, expected {expected[i]:R} (relative error {err / Math.Abs(expected[i]):E2}, tolerance {rtol:E0})");
        }
    }

    public static void AssertClose(double[] expected, Tensor actual, double rtol, string context, double atol = 0)
        => AssertClose(expected, Values(actual), rtol, context, atol);

    public static void AssertShape(int[] expected, Tensor t, string context)
        => CollectionAssert.AreEqual(expected, t.Shape.ToArray(), $"{context}: got shape {Shape.Format(t.Shape)}, expected {Shape.Format(expected)}");

    /// <summary>GradCheck on float64 inputs with the acceptance tolerance (1e-6).</summary>
    public static void AssertGradCheck(Func<Tensor[], Tensor> f, Tensor[] inputs, string context)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{context}: {r}");
    }

    /// <summary>The gradient of sum(weights * f(x)) with respect to x, by a plain backward pass.</summary>
    public static Tensor GradOf(Func<Tensor, Tensor> f, Tensor x, Tensor weights)
    {
        var leaf = x.Detach().Clone().RequiresGrad_();
        (f(leaf) * weights).Sum().Backward();
        return leaf.Grad!;
    }
}
