using static Engine.Tests.ElementwiseReference;

namespace Engine.Tests;

/// <summary>One unary op under test: the engine call, an independent float64 reference and its derivative, the
/// smooth input range for value and gradient tests, and hard extra points (tiny, huge, tails) for value tests.</summary>
internal sealed record UnaryCase(
    string Name,
    Func<Tensor, Tensor> Op,
    Func<double, double> F,
    Func<double, double> DF,
    double Lo = -3,
    double Hi = 3,
    double[]? Extra = null,
    bool KeepsNaN = true);

[TestClass]
public sealed class UnaryOpsTests
{
    private static readonly UnaryCase[] Table =
    [
        new("Neg", x => x.Neg(), x => -x, _ => -1),
        new("NegOperator", x => -x, x => -x, _ => -1),
        new("Abs", x => x.Abs(), Math.Abs, x => Math.Sign(x)),
        new("Sign", x => x.Sign(), x => Math.Sign(x), _ => 0, KeepsNaN: false),
        new("Exp", x => x.Exp(), Math.Exp, Math.Exp, Extra: [-20, 20, 1e-8]),
        new("Log", x => x.Log(), Math.Log, x => 1 / x, 0.05, 4, [1e-10, 1e5, 1.5e-3]),
        new("Log1p", x => x.Log1p(), Log1p, x => 1 / (1 + x), -0.9, 3, [1e-10, -1e-9, 3e-6, -0.3, 100]),
        new("Expm1", x => x.Expm1(), Expm1, Math.Exp, Extra: [1e-10, -2e-9, 1e-5, -0.4, 15]),
        new("Sqrt", x => x.Sqrt(), Math.Sqrt, x => 0.5 / Math.Sqrt(x), 0.05, 4, [1e-8, 1e4]),
        new("Rsqrt", x => x.Rsqrt(), x => 1 / Math.Sqrt(x), x => -0.5 / (x * Math.Sqrt(x)), 0.05, 4, [1e-8, 1e4]),
        new("Square", x => x.Square(), x => x * x, x => 2 * x),
        new("Reciprocal", x => x.Reciprocal(), x => 1 / x, x => -1 / (x * x)),
        new("Sin", x => x.Sin(), Math.Sin, Math.Cos, Extra: [1e-7, 6]),
        new("Cos", x => x.Cos(), Math.Cos, x => -Math.Sin(x), Extra: [1e-7, 6]),
        new("Tanh", x => x.Tanh(), Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x), Extra: [1e-6, -1e-6, 0.01, 20, -20]),
        new("Sigmoid", x => x.Sigmoid(), Sigmoid, x => Sigmoid(x) * (1 - Sigmoid(x)), Extra: [-30, 30]),
        new("Relu", x => x.Relu(), x => Math.Max(x, 0), x => x > 0 ? 1 : 0),
        new("LeakyRelu", x => x.LeakyRelu(), x => x >= 0 ? x : 0.01 * x, x => x > 0 ? 1 : 0.01),
        new("LeakyRelu(0.2)", x => x.LeakyRelu(0.2), x => x >= 0 ? x : 0.2 * x, x => x > 0 ? 1 : 0.2),
        new("Elu", x => x.Elu(), x => x > 0 ? x : Expm1(x), x => x > 0 ? 1 : Math.Exp(x), Extra: [-1e-9, -25]),
        new("Elu(0.7)", x => x.Elu(0.7), x => x > 0 ? x : 0.7 * Expm1(x), x => x > 0 ? 1 : 0.7 * Math.Exp(x), Extra: [-1e-9]),
        new("Selu", x => x.Selu(), x => SeluScale * (x > 0 ? x : SeluAlpha * Expm1(x)), x => SeluScale * (x > 0 ? 1 : SeluAlpha * Math.Exp(x)), Extra: [-1e-9]),
        new("Gelu", x => x.Gelu(), Gelu, x => Phi(x) + x * NormalPdf(x), Extra: [-6, -4.5, 5, -1e-3]),
        new("Gelu(tanh)", x => x.Gelu("tanh"), GeluTanh, GeluTanhDerivative, Extra: [-4, 5, -1e-3]),
        new("Silu", x => x.Silu(), x => x * Sigmoid(x), x => Sigmoid(x) * (1 + x * (1 - Sigmoid(x))), Extra: [-30, 30]),
        new("Softplus", x => x.Softplus(), x => Softplus(x), Sigmoid, Extra: [-30, -50, 25, 19.5, 1e-8]),
        new("Softplus(2,5)", x => x.Softplus(2, 5), x => Softplus(x, 2, 5), x => 2 * x > 5 ? 1 : Sigmoid(2 * x), Extra: [-20, 2.4, 2.6]),
        new("Softplus(0.5,1)", x => x.Softplus(0.5, 1), x => Softplus(x, 0.5, 1), x => 0.5 * x > 1 ? 1 : Sigmoid(0.5 * x), Extra: [-60]),
        new("Mish", x => x.Mish(), x => x * Math.Tanh(Softplus(x)), MishDerivative, Extra: [-30, 25]),
        new("Erf", x => x.Erf(), Erf, x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x), Extra: [0.5, 1, 2, -3, 1e-8, 3.9, -4.4]),
        new("HardTanh", x => x.HardTanh(), x => Math.Clamp(x, -1, 1), x => Math.Abs(x) < 1 ? 1 : 0),
        new("HardTanh(-2,1.5)", x => x.HardTanh(-2, 1.5), x => Math.Clamp(x, -2, 1.5), x => x > -2 && x < 1.5 ? 1 : 0),
        new("Clamp(-1.2,0.8)", x => x.Clamp(-1.2, 0.8), x => Math.Clamp(x, -1.2, 0.8), x => x > -1.2 && x < 0.8 ? 1 : 0),
        new("Clamp(min -0.7)", x => x.Clamp(min: -0.7), x => Math.Max(x, -0.7), x => x > -0.7 ? 1 : 0),
        new("Clamp(max 0.6)", x => x.Clamp(max: 0.6), x => Math.Min(x, 0.6), x => x < 0.6 ? 1 : 0),
        new("Pow(3)", x => x.Pow(3), x => x * x * x, x => 3 * x * x),
        new("Pow(2)", x => x.Pow(2), x => x * x, x => 2 * x),
        new("Pow(1)", x => x.Pow(1), x => x, _ => 1),
        new("Pow(0)", x => x.Pow(0), _ => 1, _ => 0, KeepsNaN: false),
        new("Pow(0.5)", x => x.Pow(0.5), Math.Sqrt, x => 0.5 / Math.Sqrt(x), 0.05, 4),
        new("Pow(-1.5)", x => x.Pow(-1.5), x => Math.Pow(x, -1.5), x => -1.5 * Math.Pow(x, -2.5), 0.05, 4),
        new("Pow(2.5)", x => x.Pow(2.5), x => Math.Pow(x, 2.5), x => 2.5 * Math.Pow(x, 1.5), 0.05, 4),
        new("Pow(2.5,x)", x => Tensor.Pow(2.5, x), x => Math.Pow(2.5, x), x => Math.Pow(2.5, x) * Math.Log(2.5)),
        new("Pow(0.5,x)", x => Tensor.Pow(0.5, x), x => Math.Pow(0.5, x), x => Math.Pow(0.5, x) * Math.Log(0.5)),
        new("Floor", x => x.Floor(), Math.Floor, _ => 0, Extra: [-2.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7, -2]),
        new("Ceil", x => x.Ceil(), Math.Ceiling, _ => 0, Extra: [-2.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7, -2]),
        new("Round", x => x.Round(), x => Math.Round(x, MidpointRounding.ToEven), _ => 0, Extra: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7]),
    ];

    private static readonly Dictionary<string, UnaryCase> ByName = Table.ToDictionary(c => c.Name);

    public static IEnumerable<object[]> Cases => Table.Select(c => new object[] { c.Name });

    private static double GeluTanhDerivative(double x)
    {
        var c = Math.Sqrt(2 / Math.PI);
        var t = Math.Tanh(c * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }

    private static double MishDerivative(double x)
    {
        var t = Math.Tanh(Softplus(x));
        return t + x * Sigmoid(x) * (1 - t * t);
    }

    private static double[] Inputs(UnaryCase c, int n) => RoundToFloat(Grid(n, c.Lo, c.Hi));

    private static double Tolerance(DType dtype) => dtype == DType.Float32 ? 1e-6 : 1e-12;

    // ---- values ----------------------------------------------------------------------------------------------------

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ValuesMatchFloat64Reference(string name)
    {
        var c = ByName[name];
        var x = Inputs(c, 24).Concat(RoundToFloat(c.Extra ?? [])).ToArray();
        if (c.KeepsNaN) x = [.. x, double.NaN];
        var expected = x.Select(v => double.IsNaN(v) ? double.NaN : c.F(v)).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var y = c.Op(Make(x, [x.Length], dtype));
            Assert.AreEqual(dtype, y.DType, $"{name}: output dtype");
            AssertShape([x.Length], y, name);
            var want = dtype == DType.Float32 ? RoundToFloat(expected) : expected;
            AssertClose(want, y, Tolerance(dtype), $"{name} {dtype}");
        }
    }

    // ---- first derivative ----------------------------------------------------------------------------------------

    /// <summary>The fused backward kernel (plain backward) in both dtypes and the differentiable derivative
    /// (createGraph) in float64 against the analytic derivative.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GradientMatchesAnalyticDerivative(string name)
    {
        var c = ByName[name];
        var x = Inputs(c, 24);
        var w = Scattered(24, 0.5, 1.5, 1);
        var expected = x.Select((v, i) => w[i] * c.DF(v)).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var g = GradOf(c.Op, Make(x, [4, 6], dtype), Make(w, [4, 6], dtype));
            Assert.AreEqual(dtype, g.DType, $"{name}: gradient dtype");
            AssertClose(expected, g, dtype == DType.Float32 ? 1e-5 : 1e-11, $"{name} kernel gradient {dtype}", dtype == DType.Float32 ? 1e-7 : 1e-15);
        }

        var leaf = Make(x, [4, 6]).RequiresGrad_();
        var viaGraph = Autograd.Grad([c.Op(leaf)], [leaf], [Make(w, [4, 6])], createGraph: true)[0]!;
        AssertClose(expected, viaGraph, 1e-11, $"{name} differentiable gradient", 1e-15);
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GradCheckFloat64(string name)
    {
        var c = ByName[name];
        AssertGradCheck(xs => c.Op(xs[0]), [Make(Inputs(c, 12), [3, 4])], name);
    }

    // ---- non-contiguous inputs -----------------------------------------------------------------------------------

    /// <summary>A transposed view, a slice with step 2 and a broadcast (stride-0) view: values, the analytic
    /// gradient scattered back to the base tensor, and a gradient check through the view.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void NonContiguousInputsGiveValuesAndGradients(string name)
    {
        var c = ByName[name];
        var x = Inputs(c, 24); // base (4,6)
        var views = new (string Name, Func<Tensor, Tensor> View, Func<int, int> Source, int[] Shape)[]
        {
            ("transposed", t => t.T, k => k % 4 * 6 + k / 4, [6, 4]),
            ("step-sliced", t => t.Slice(1, 1, 6, 2), k => k / 3 * 6 + 1 + k % 3 * 2, [4, 3]),
            ("expanded", t => t.Narrow(0, 2, 1).Expand(3, 6), k => 12 + k % 6, [3, 6]),
        };
        foreach (var (viewName, view, source, shape) in views)
        {
            var context = $"{name} on a {viewName} view";
            var n = shape[0] * shape[1];
            var v = view(Make(x, [4, 6]));
            Assert.IsFalse(v.IsContiguous, $"{context}: the view should be non-contiguous");
            var y = c.Op(v);
            AssertShape(shape, y, context);
            AssertClose(Enumerable.Range(0, n).Select(k => c.F(x[source(k)])).ToArray(), y, 1e-12, context);

            var w = Scattered(n, 0.5, 1.5, 2);
            var expectedGrad = new double[24];
            for (var k = 0; k < n; k++) expectedGrad[source(k)] += w[k] * c.DF(x[source(k)]);
            AssertClose(expectedGrad, GradOf(t => c.Op(view(t)), Make(x, [4, 6]), Make(w, shape)), 1e-11, $"{context}: gradient", 1e-15);
            AssertGradCheck(xs => c.Op(view(xs[0])), [Make(x, [4, 6])], context);
        }
    }

    // ---- second derivative ---------------------------------------------------------------------------------------

    /// <summary>Gradient check of the createGraph gradient itself (so double backward is right wherever the op's
    /// derivative is smooth); a derivative that does not depend on x must be locally constant instead.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void DoubleBackwardPassesGradCheck(string name)
    {
        var c = ByName[name];
        var w = Make(Scattered(12, 0.5, 1.5, 3), [3, 4]);
        Tensor FirstDerivative(Tensor x)
        {
            using var _ = Autograd.EnableGrad();
            var leaf = x.RequiresGrad ? x : x.Detach().RequiresGrad_();
            return Autograd.Grad([c.Op(leaf)], [leaf], [w], createGraph: true)[0]!;
        }

        var x = Make(Inputs(c, 12), [3, 4]);
        var g = FirstDerivative(x.Detach().Clone().RequiresGrad_());
        if (g.RequiresGrad)
        {
            AssertGradCheck(xs => FirstDerivative(xs[0]), [x], $"{name} double backward");
        }
        else
        {
            var moved = FirstDerivative(x + 1e-4);
            AssertClose(Values(g), moved, 1e-12, $"{name}: a derivative without graph must not depend on x");
        }
    }

    /// <summary>d²/dx² via Autograd.Grad(createGraph) then Backward, against the analytic second derivative.</summary>
    [TestMethod]
    [DataRow("Tanh")]
    [DataRow("Sigmoid")]
    [DataRow("Exp")]
    [DataRow("Gelu")]
    [DataRow("Softplus")]
    [DataRow("Softplus(2,5)")]
    [DataRow("Pow(3)")]
    public void SecondDerivativeMatchesAnalytic(string name)
    {
        Func<double, double> second = name switch
        {
            "Tanh" => x => -2 * Math.Tanh(x) * (1 - Math.Tanh(x) * Math.Tanh(x)),
            "Sigmoid" => x => Sigmoid(x) * (1 - Sigmoid(x)) * (1 - 2 * Sigmoid(x)),
            "Exp" => Math.Exp,
            "Gelu" => x => NormalPdf(x) * (2 - x * x),
            "Softplus" => x => Sigmoid(x) * (1 - Sigmoid(x)),
            "Softplus(2,5)" => x => 2 * x > 5 ? 0 : 2 * Sigmoid(2 * x) * (1 - Sigmoid(2 * x)),
            "Pow(3)" => x => 6 * x,
            _ => throw new ArgumentException(name),
        };
        var c = ByName[name];
        var values = Inputs(c, 12);
        var x = Make(values, [3, 4]).RequiresGrad_();
        var g = Autograd.Grad(c.Op(x).Sum(), x, createGraph: true);
        AssertClose(values.Select(c.DF).ToArray(), g, 1e-12, $"{name} first derivative", 1e-15);
        g.Sum().Backward();
        AssertClose(values.Select(second).ToArray(), x.Grad!, 1e-10, $"{name} second derivative", 1e-14);
    }

    // ---- special values and dtypes -------------------------------------------------------------------------------

    [TestMethod]
    public void ErfMatchesHighPrecisionValues()
    {
        double[] x = [0.5, 1, 2, -3, 4, 5, -0.1, 1e-12];
        double[] known = [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014,
            0.9999999845827421, 0.9999999999984626, -0.1124629160182849, 1.1283791670955126e-12];
        AssertClose(known, Make(x, [x.Length]).Erf(), 1e-15, "Erf float64");
        // The decimal series used as the reference elsewhere agrees with the same table.
        AssertClose(known.Take(5).ToArray(), x.Take(5).Select(Erf).ToArray(), 1e-15, "decimal erf reference");
        AssertClose([1, -1, 0], Make([30, -30, 0], [3]).Erf(), 0, "Erf saturation and 0");
    }

    [TestMethod]
    public void RoundIsHalfToEven()
    {
        AssertClose([-2, -2, -0.0, 0, 2, 2, 4], Make([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5], [7], DType.Float32).Round(), 0, "Round");
    }

    [TestMethod]
    public void IntegerInputsKeepTheirDtypeWhereTheResultIsIntegral()
    {
        foreach (var dtype in new[] { DType.Int32, DType.Int64 })
        {
            var x = Make([-3, -1, 0, 2, 5], [5], dtype);
            (string Name, Tensor Y, double[] Expected)[] kept =
            [
                ("Neg", x.Neg(), [3, 1, 0, -2, -5]),
                ("Abs", x.Abs(), [3, 1, 0, 2, 5]),
                ("Sign", x.Sign(), [-1, -1, 0, 1, 1]),
                ("Square", x.Square(), [9, 1, 0, 4, 25]),
                ("Relu", x.Relu(), [0, 0, 0, 2, 5]),
                ("Clamp", x.Clamp(-1, 2), [-1, -1, 0, 2, 2]),
                ("Clamp(min)", x.Clamp(min: 0), [0, 0, 0, 2, 5]),
                ("Floor", x.Floor(), [-3, -1, 0, 2, 5]),
                ("Round", x.Round(), [-3, -1, 0, 2, 5]),
                ("x*3", x * 3, [-9, -3, 0, 6, 15]),
                ("2-x", 2 - x, [5, 3, 2, 0, -3]),
            ];
            foreach (var (opName, y, expected) in kept)
            {
                Assert.AreEqual(dtype, y.DType, $"{opName} of {dtype}");
                AssertClose(expected, y, 0, $"{opName} of {dtype}");
            }
            var e = x.Exp();
            Assert.AreEqual(DType.Float32, e.DType, $"Exp of {dtype}");
            AssertClose(new double[] { -3, -1, 0, 2, 5 }.Select(v => (double)(float)Math.Exp(v)).ToArray(), e, 1e-6, $"Exp of {dtype}");
            // A fractional scalar promotes to Float32 rather than being rounded to an integer.
            (string Name, Tensor Y, double[] Expected)[] promoted =
            [
                ("x + 0.5", x + 0.5, [-2.5, -0.5, 0.5, 2.5, 5.5]),
                ("x * 0.5", x * 0.5, [-1.5, -0.5, 0, 1, 2.5]),
                ("Clamp(-1.5, 2.5)", x.Clamp(-1.5, 2.5), [-1.5, -1, 0, 2, 2.5]),
                ("Pow(2, x)", Tensor.Pow(2, x), [0.125, 0.5, 1, 4, 32]),
            ];
            foreach (var (opName, y, expected) in promoted)
            {
                Assert.AreEqual(DType.Float32, y.DType, $"{opName} of {dtype}");
                AssertClose(expected, y, 0, $"{opName} of {dtype}");
            }
        }
    }

    [TestMethod]
    public void ScalarArithmeticOnBoolCountsAsInt64()
    {
        var b = Tensor.FromArray(new[] { true, false, true });
        (string Name, Tensor Y, DType DType, double[] Expected)[] cases =
        [
            ("b + 2", b + 2, DType.Int64, [3, 2, 3]),
            ("2 - b", 2 - b, DType.Int64, [1, 2, 1]),
            ("b * 3", b * 3, DType.Int64, [3, 0, 3]),
            ("b * 0.5", b * 0.5, DType.Float32, [0.5, 0, 0.5]),
            ("4 / b", 4 / b, DType.Float32, [4, double.PositiveInfinity, 4]),
        ];
        foreach (var (name, y, dtype, expected) in cases)
        {
            Assert.AreEqual(dtype, y.DType, name);
            AssertClose(expected, y, 0, name);
        }
    }

    [TestMethod]
    public void ScalarPowWithBaseZeroHasZeroGradientForNonNegativeExponents()
    {
        var x = Make([0.5, 2, 3], [3]).RequiresGrad_();
        var y = Tensor.Pow(0, x);
        AssertClose([0, 0, 0], y, 0, "0^x");
        y.Sum().Backward();
        AssertClose([0, 0, 0], x.Grad!, 0, "d/dx 0^x");
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    [TestMethod]
    public void BadArgumentsThrowNamingTheOp()
    {
        var x = Make([1, 2, 3], [3]);
        var boolTensor = x.Gt(1.5);
        (Action Call, string[] Mentions)[] cases =
        [
            (() => boolTensor.Exp(), ["Exp", "Bool"]),
            (() => boolTensor.Neg(), ["Neg", "Bool"]),
            (() => x.Gelu("fast"), ["Gelu", "fast"]),
            (() => x.Softplus(beta: 0), ["Softplus", "beta"]),
            (() => x.Clamp(), ["Clamp", "min", "max"]),
            (() => x.Clamp(2, 1), ["Clamp", "2", "1"]),
            (() => Tensor.Pow(-2, x.Detach().Clone().RequiresGrad_()), ["Pow", "-2"]),
        ];
        foreach (var (call, mentions) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(call);
            foreach (var m in mentions) Assert.Contains(m, e.Message);
        }
    }
}
