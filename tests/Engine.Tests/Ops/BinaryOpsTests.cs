using static Engine.Tests.ElementwiseReference;

namespace Engine.Tests;

/// <summary>One binary op under test: the engine call, an independent reference, its partial derivatives, and the
/// operand ranges (b's magnitude range, with alternating sign when <paramref name="SignedB"/>).</summary>
internal sealed record BinaryCase(
    string Name,
    Func<Tensor, Tensor, Tensor> Op,
    Func<double, double, double> F,
    Func<double, double, double> DA,
    Func<double, double, double> DB,
    double ALo = -3,
    double AHi = 3,
    double BLo = -3,
    double BHi = 3,
    bool SignedB = false);

[TestClass]
public sealed class BinaryOpsTests
{
    private static readonly BinaryCase[] Table =
    [
        new("Add", (a, b) => a.Add(b), (a, b) => a + b, (_, _) => 1, (_, _) => 1),
        new("a+b", (a, b) => a + b, (a, b) => a + b, (_, _) => 1, (_, _) => 1),
        new("Sub", (a, b) => a.Sub(b), (a, b) => a - b, (_, _) => 1, (_, _) => -1),
        new("a-b", (a, b) => a - b, (a, b) => a - b, (_, _) => 1, (_, _) => -1),
        new("Mul", (a, b) => a.Mul(b), (a, b) => a * b, (_, b) => b, (a, _) => a),
        new("a*b", (a, b) => a * b, (a, b) => a * b, (_, b) => b, (a, _) => a),
        new("Div", (a, b) => a.Div(b), (a, b) => a / b, (_, b) => 1 / b, (a, b) => -a / (b * b), BLo: 0.5, BHi: 3, SignedB: true),
        new("a/b", (a, b) => a / b, (a, b) => a / b, (_, b) => 1 / b, (a, b) => -a / (b * b), BLo: 0.5, BHi: 3, SignedB: true),
        new("Pow", (a, b) => a.Pow(b), Math.Pow, (a, b) => b * Math.Pow(a, b - 1), (a, b) => Math.Pow(a, b) * Math.Log(a), 0.3, 2.5, -2, 2.5),
        new("Maximum", (a, b) => a.Maximum(b), Math.Max, (a, b) => a > b ? 1 : 0, (a, b) => b > a ? 1 : 0),
        new("Minimum", (a, b) => a.Minimum(b), Math.Min, (a, b) => a < b ? 1 : 0, (a, b) => b < a ? 1 : 0),
    ];

    private static readonly Dictionary<string, BinaryCase> ByName = Table.ToDictionary(c => c.Name);

    public static IEnumerable<object[]> Cases => Table.Select(c => new object[] { c.Name });

    /// <summary>Broadcasting cases, including PyTorch's (3,1,5)+(4,5) -> (3,4,5) and 0-dim with a matrix.</summary>
    private static readonly (int[] A, int[] B)[] ShapePairs =
    [
        ([3, 1, 5], [4, 5]),
        ([5], [3, 1]),
        ([], [3, 4]),
        ([3, 4], []),
        ([2, 3], [2, 3]),
        ([4, 1], [1, 3]),
        ([2, 1, 3], [2, 4, 1]),
    ];

    private static double[] OperandA(BinaryCase c, int n, int salt = 11) => RoundToFloat(Scattered(n, c.ALo, c.AHi, salt));

    private static double[] OperandB(BinaryCase c, int n, int salt = 12)
        => RoundToFloat(Scattered(n, c.BLo, c.BHi, salt).Select((v, i) => c.SignedB && i % 2 == 1 ? -v : v).ToArray());

    private static int Numel(int[] shape) => shape.Aggregate(1, (p, s) => p * s);

    private static double Tolerance(DType dtype) => dtype == DType.Float32 ? 1e-6 : 1e-12;

    // ---- values and broadcasting ---------------------------------------------------------------------------------

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void BroadcastValuesMatchReference(string name)
    {
        var c = ByName[name];
        foreach (var (aShape, bShape) in ShapePairs)
        {
            var a = OperandA(c, Numel(aShape));
            var b = OperandB(c, Numel(bShape));
            var (expected, shape) = Broadcast(a, aShape, b, bShape, c.F);
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var context = $"{name} {Shape.Format(aShape)} with {Shape.Format(bShape)} in {dtype}";
                var y = c.Op(Make(a, aShape, dtype), Make(b, bShape, dtype));
                Assert.AreEqual(dtype, y.DType, context);
                AssertShape(shape, y, context);
                AssertClose(dtype == DType.Float32 ? RoundToFloat(expected) : expected, y, Tolerance(dtype), context);
            }
        }
    }

    /// <summary>Gradients through broadcasting come back summed to each input's shape: a gradient check on each
    /// shape pair, and the analytic gradient summed by hand on the (3,1,5)+(4,5) case.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GradientsAreSummedBackToInputShapes(string name)
    {
        var c = ByName[name];
        foreach (var (aShape, bShape) in ShapePairs)
        {
            var a = Make(OperandA(c, Numel(aShape)), aShape);
            var b = Make(OperandB(c, Numel(bShape)), bShape);
            AssertGradCheck(xs => c.Op(xs[0], xs[1]), [a, b], $"{name} {Shape.Format(aShape)} with {Shape.Format(bShape)}");
        }

        var av = OperandA(c, 15);
        var bv = OperandB(c, 20);
        var ga = new double[15];
        var gb = new double[20];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 4; j++)
        for (var k = 0; k < 5; k++)
        {
            ga[i * 5 + k] += c.DA(av[i * 5 + k], bv[j * 5 + k]);
            gb[j * 5 + k] += c.DB(av[i * 5 + k], bv[j * 5 + k]);
        }
        var al = Make(av, [3, 1, 5]).RequiresGrad_();
        var bl = Make(bv, [4, 5]).RequiresGrad_();
        c.Op(al, bl).Sum().Backward();
        AssertShape([3, 1, 5], al.Grad!, $"{name} grad of a");
        AssertShape([4, 5], bl.Grad!, $"{name} grad of b");
        AssertClose(ga, al.Grad!, 1e-12, $"{name} grad of a", 1e-15);
        AssertClose(gb, bl.Grad!, 1e-12, $"{name} grad of b", 1e-15);
    }

    /// <summary>Every pairing of operand layouts whose inner stride is 1 (contiguous, or broadcast along the outer
    /// dim), 0 (broadcast along the row) or another value (transposed, sliced with a step), so each inner loop of the
    /// CPU kernel is exercised; gradients are checked through the views.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void StridedAndBroadcastOperands(string name)
    {
        var c = ByName[name];
        var layouts = new (string Name, int[] BaseShape, Func<Tensor, Tensor> View, Func<int, int, int> Source)[]
        {
            ("contiguous", [3, 4], t => t, (i, j) => i * 4 + j),
            ("transposed", [4, 3], t => t.T, (i, j) => j * 3 + i),
            ("row-broadcast", [3, 1], t => t.Expand(3, 4), (i, _) => i),
            ("column-broadcast", [1, 4], t => t.Expand(3, 4), (_, j) => j),
            ("step-sliced", [3, 8], t => t.Slice(1, 1, 8, 2), (i, j) => i * 8 + 1 + 2 * j),
        };
        foreach (var la in layouts)
        foreach (var lb in layouts)
        {
            var av = OperandA(c, Numel(la.BaseShape), 21);
            var bv = OperandB(c, Numel(lb.BaseShape), 22);
            var expected = new double[12];
            for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                expected[i * 4 + j] = c.F(av[la.Source(i, j)], bv[lb.Source(i, j)]);
            var context = $"{name}: {la.Name} with {lb.Name}";
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var y = c.Op(la.View(Make(av, la.BaseShape, dtype)), lb.View(Make(bv, lb.BaseShape, dtype)));
                AssertShape([3, 4], y, context);
                AssertClose(dtype == DType.Float32 ? RoundToFloat(expected) : expected, y, Tolerance(dtype), $"{context} in {dtype}");
            }
            if (la.Name == lb.Name || la.Name == "transposed")
                AssertGradCheck(xs => c.Op(la.View(xs[0]), lb.View(xs[1])), [Make(av, la.BaseShape), Make(bv, lb.BaseShape)], context);
        }
    }

    /// <summary>Large enough to split across threads, with a transposed and a broadcast operand.</summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void LargeStridedOperandsSplitAcrossThreads(string name)
    {
        var c = ByName[name];
        const int rows = 300, cols = 257;
        var av = OperandA(c, rows * cols, 31);
        var bv = OperandB(c, cols, 32);
        var y = c.Op(Make(av, [cols, rows]).T, Make(bv, [cols]));
        var expected = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        for (var j = 0; j < cols; j++)
            expected[i * cols + j] = c.F(av[j * rows + i], bv[j]);
        AssertClose(expected, y, 1e-12, $"{name} ({rows},{cols})");
    }

    // ---- scalars, operators and dtypes ---------------------------------------------------------------------------

    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> F, Func<double, double> DF)[] ScalarForms =
    [
        ("x+2", x => x + 2, x => x + 2, _ => 1),
        ("2+x", x => 2 + x, x => 2 + x, _ => 1),
        ("x-2", x => x - 2, x => x - 2, _ => 1),
        ("2-x", x => 2 - x, x => 2 - x, _ => -1),
        ("x*3", x => x * 3, x => x * 3, _ => 3),
        ("3*x", x => 3 * x, x => 3 * x, _ => 3),
        ("x/4", x => x / 4, x => x / 4, _ => 0.25),
        ("3/x", x => 3 / x, x => 3 / x, x => -3 / (x * x)),
        ("-x", x => -x, x => -x, _ => -1),
        ("Add(2.5)", x => x.Add(2.5), x => x + 2.5, _ => 1),
        ("Sub(1.5)", x => x.Sub(1.5), x => x - 1.5, _ => 1),
        ("Mul(-0.5)", x => x.Mul(-0.5), x => x * -0.5, _ => -0.5),
        ("Div(0.3)", x => x.Div(0.3), x => x / 0.3, _ => 1 / 0.3),
        ("Maximum(0.3)", x => x.Maximum(0.3), x => Math.Max(x, 0.3), x => x > 0.3 ? 1 : 0),
        ("Minimum(0.3)", x => x.Minimum(0.3), x => Math.Min(x, 0.3), x => x < 0.3 ? 1 : 0),
    ];

    public static IEnumerable<object[]> ScalarCases => ScalarForms.Select(s => new object[] { s.Name });

    [TestMethod]
    [DynamicData(nameof(ScalarCases))]
    public void ScalarOverloadsAndOperators(string name)
    {
        var (_, op, f, df) = ScalarForms.Single(s => s.Name == name);
        var x = RoundToFloat(Scattered(12, -3, 3, 41));
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var y = op(Make(x, [3, 4], dtype));
            Assert.AreEqual(dtype, y.DType, $"{name} in {dtype}");
            AssertShape([3, 4], y, name);
            // The scalar is rounded to the tensor's dtype first, as PyTorch does.
            var expected = x.Select(f).ToArray();
            AssertClose(dtype == DType.Float32 ? RoundToFloat(expected) : expected, y, dtype == DType.Float32 ? 2e-7 : 1e-15, $"{name} in {dtype}");
        }
        AssertClose(x.Select(df).ToArray(), GradOf(op, Make(x, [3, 4]), Tensor.Ones([3, 4], DType.Float64)), 1e-15, $"{name} gradient");
        AssertGradCheck(xs => op(xs[0]), [Make(x, [3, 4])], name);
        AssertGradCheck(xs => op(xs[0].T), [Make(x, [4, 3])], $"{name} on a transposed view");
    }

    [TestMethod]
    public void DtypePromotionFollowsPyTorch()
    {
        var i32 = Make([7, -7, 1], [3], DType.Int32);
        var i64 = Make([2, 2, 3], [3], DType.Int64);
        var f32 = Make([0.5, 1.5, -2], [3], DType.Float32);
        var f64 = Make([0.25, 1, 3], [3], DType.Float64);
        (string Name, Tensor Y, DType DType, double[] Expected)[] cases =
        [
            ("Int32+Float32", i32 + f32, DType.Float32, [7.5, -5.5, -1]),
            ("Int64+Int32", i64 + i32, DType.Int64, [9, -5, 4]),
            ("Int32*Int64", i32 * i64, DType.Int64, [14, -14, 3]),
            ("Float32+Float64", f32 + f64, DType.Float64, [0.75, 2.5, 1]),
            ("Int64-Float64", i64 - f64, DType.Float64, [1.75, 1, 0]),
            ("Int32/Int64 (true division)", i32 / i64, DType.Float32, [3.5, -3.5, 1 / 3.0]),
            ("Int32/Int32 (true division)", i32.Div(Make([2, 4, 3], [3], DType.Int32)), DType.Float32, [3.5, -1.75, 1 / 3.0]),
            ("Int64/2", i64 / 2, DType.Float32, [1, 1, 1.5]),
            ("Int32.Maximum(Int64)", i32.Maximum(i64), DType.Int64, [7, 2, 3]),
            ("Int32.Pow(Int64)", i32.Pow(i64), DType.Float32, [49, 49, 1]),
        ];
        foreach (var (opName, y, dtype, expected) in cases)
        {
            Assert.AreEqual(dtype, y.DType, opName);
            AssertClose(RoundToFloat(expected), y, dtype == DType.Float32 ? 1e-7 : 0, opName);
        }

        // Gradients cross the promotion back to each input's dtype.
        var a = Make([0.5, 1.5, -2], [3], DType.Float32).RequiresGrad_();
        var b = Make([0.25, 1, 3], [3], DType.Float64).RequiresGrad_();
        (a * b).Sum().Backward();
        Assert.AreEqual(DType.Float32, a.Grad!.DType);
        Assert.AreEqual(DType.Float64, b.Grad!.DType);
        AssertClose([0.25, 1, 3], a.Grad!, 0, "grad of the Float32 input");
        AssertClose([0.5, 1.5, -2], b.Grad!, 0, "grad of the Float64 input");
    }

    // ---- gradient special cases ----------------------------------------------------------------------------------

    [TestMethod]
    [DataRow("Maximum")]
    [DataRow("Minimum")]
    public void TiesSplitTheGradientInHalf(string name)
    {
        var c = ByName[name];
        var a = Make([1, 2, 3, -1], [4]).RequiresGrad_();
        var b = Make([1, 5, 3, -4], [4]).RequiresGrad_();
        c.Op(a, b).Sum().Backward();
        double[] wins = name == "Maximum" ? [0.5, 0, 0.5, 1] : [0.5, 1, 0.5, 0];
        AssertClose(wins, a.Grad!, 0, $"{name} grad of a");
        AssertClose(wins.Select(w => 1 - w).ToArray(), b.Grad!, 0, $"{name} grad of b");

        // A broadcast scalar tied with one element collects the other halves.
        var x = Make([1, 2, 3], [3]).RequiresGrad_();
        var s = Tensor.Scalar(2, DType.Float64).RequiresGrad_();
        c.Op(x, s).Sum().Backward();
        AssertClose(name == "Maximum" ? [0, 0.5, 1] : [1, 0.5, 0], x.Grad!, 0, $"{name} grad of x against a tied scalar");
        AssertClose([1.5], s.Grad!, 0, $"{name} grad of the scalar");
    }

    [TestMethod]
    public void PowAtBaseZeroHasFiniteGradients()
    {
        var a = Make([0, 0, 2, 0], [4]).RequiresGrad_();
        var b = Make([2, 3, 1.5, 0], [4]).RequiresGrad_();
        var y = a.Pow(b);
        AssertClose([0, 0, Math.Pow(2, 1.5), 1], y, 1e-15, "0^b");
        var g = Autograd.Grad([y.Sum()], [a, b], createGraph: true);
        var (ga, gb) = (g[0]!, g[1]!);
        // d/da a^b = b a^(b-1) (0 where b == 0); d/db a^b = a^b log a, defined as 0 at a == 0.
        AssertClose([0, 0, 1.5 * Math.Sqrt(2), 0], ga, 1e-15, "d/da at base 0");
        AssertClose([0, 0, Math.Pow(2, 1.5) * Math.Log(2), 0], gb, 1e-15, "d/db at base 0");
        // Differentiating again must not turn the masked log(0) into NaN.
        var gbb = Autograd.Grad([gb.Sum()], [b])[0]!;
        AssertClose([0, 0, Math.Pow(2, 1.5) * Math.Log(2) * Math.Log(2), 0], gbb, 1e-15, "d²/db² at base 0");
    }

    /// <summary>Second partial derivatives (createGraph then a second Grad) against analytic values, for the
    /// products and quotients whose Hessians are not zero.</summary>
    [TestMethod]
    [DataRow("Mul")]
    [DataRow("Div")]
    [DataRow("Pow")]
    public void SecondDerivativesMatchAnalytic(string name)
    {
        Func<double, double, (double AA, double AB, double BB)> hessian = name switch
        {
            "Mul" => (_, _) => (0, 1, 0),
            "Div" => (a, b) => (0, -1 / (b * b), 2 * a / (b * b * b)),
            "Pow" => (a, b) => (b * (b - 1) * Math.Pow(a, b - 2), Math.Pow(a, b - 1) * (1 + b * Math.Log(a)), Math.Pow(a, b) * Math.Log(a) * Math.Log(a)),
            _ => throw new ArgumentException(name),
        };
        var c = ByName[name];
        var av = OperandA(c, 6);
        var bv = OperandB(c, 6);
        var a = Make(av, [2, 3]).RequiresGrad_();
        var b = Make(bv, [2, 3]).RequiresGrad_();
        var first = Autograd.Grad([c.Op(a, b).Sum()], [a, b], createGraph: true);
        AssertClose(av.Select((x, i) => c.DA(x, bv[i])).ToArray(), first[0]!, 1e-12, $"{name} d/da");
        AssertClose(av.Select((x, i) => c.DB(x, bv[i])).ToArray(), first[1]!, 1e-12, $"{name} d/db");

        var h = av.Select((x, i) => hessian(x, bv[i])).ToArray();
        Tensor OrZero(Tensor? t) => t ?? Tensor.Zeros([2, 3], DType.Float64);
        var fromA = Autograd.Grad([first[0]!.Sum()], [a, b], retainGraph: true, allowUnused: true);
        var fromB = Autograd.Grad([first[1]!.Sum()], [a, b], allowUnused: true);
        AssertClose(h.Select(t => t.AA).ToArray(), OrZero(fromA[0]), 1e-11, $"{name} d²/da²", 1e-15);
        AssertClose(h.Select(t => t.AB).ToArray(), OrZero(fromA[1]), 1e-11, $"{name} d²/dadb", 1e-15);
        AssertClose(h.Select(t => t.AB).ToArray(), OrZero(fromB[0]), 1e-11, $"{name} d²/dbda", 1e-15);
        AssertClose(h.Select(t => t.BB).ToArray(), OrZero(fromB[1]), 1e-11, $"{name} d²/db²", 1e-15);
    }

    /// <summary>Double backward through broadcasting: a gradient check of the createGraph gradients of a (3,1) and
    /// a (4) operand.</summary>
    [TestMethod]
    [DataRow("Mul")]
    [DataRow("Div")]
    [DataRow("Pow")]
    public void DoubleBackwardThroughBroadcastingPassesGradCheck(string name)
    {
        var c = ByName[name];
        var w = Make(Scattered(12, 0.5, 1.5, 51), [3, 4]);
        Tensor Gradients(Tensor[] xs)
        {
            using var _ = Autograd.EnableGrad();
            var leaves = xs.Select(x => x.RequiresGrad ? x : x.Detach().RequiresGrad_()).ToArray();
            var g = Autograd.Grad([c.Op(leaves[0], leaves[1])], leaves, [w], createGraph: true);
            return Tensor.Cat([g[0]!.Reshape(-1), g[1]!.Reshape(-1)], 0);
        }
        AssertGradCheck(Gradients, [Make(OperandA(c, 3), [3, 1]), Make(OperandB(c, 4), [4])], $"{name} double backward");
    }

    // ---- comparisons, logic, where -------------------------------------------------------------------------------

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<Tensor, double, Tensor> WithScalar, Func<double, double, bool> Holds)[] Comparisons =
    [
        ("Eq", (a, b) => a.Eq(b), (a, s) => a.Eq(s), (a, b) => a == b),
        ("Ne", (a, b) => a.Ne(b), (a, s) => a.Ne(s), (a, b) => a != b),
        ("Lt", (a, b) => a.Lt(b), (a, s) => a.Lt(s), (a, b) => a < b),
        ("Le", (a, b) => a.Le(b), (a, s) => a.Le(s), (a, b) => a <= b),
        ("Gt", (a, b) => a.Gt(b), (a, s) => a.Gt(s), (a, b) => a > b),
        ("Ge", (a, b) => a.Ge(b), (a, s) => a.Ge(s), (a, b) => a >= b),
    ];

    public static IEnumerable<object[]> ComparisonCases => Comparisons.Select(s => new object[] { s.Name });

    [TestMethod]
    [DynamicData(nameof(ComparisonCases))]
    public void ComparisonsGiveBoolWithBroadcasting(string name)
    {
        var (_, op, withScalar, holds) = Comparisons.Single(s => s.Name == name);
        double[] Truth(double[] v) => v.Select(x => x != 0 ? 1.0 : 0.0).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64 })
        {
            var nan = dtype.IsFloatingPoint() ? double.NaN : 7;
            double[] av = [1, 2, nan];
            double[] bv = [0, 2, 3, nan, -1];
            var (expected, shape) = Broadcast(av, [3, 1], bv, [5], (a, b) => holds(a, b) ? 1 : 0);
            var context = $"{name} in {dtype}";
            var y = op(Make(av, [3, 1], dtype), Make(bv, [5], dtype));
            Assert.AreEqual(DType.Bool, y.DType, context);
            AssertShape(shape, y, context);
            AssertClose(expected, Truth(Values(y)), 0, context);

            var ys = withScalar(Make(bv, [5], dtype), 2);
            Assert.AreEqual(DType.Bool, ys.DType, $"{context} with a scalar");
            AssertClose(bv.Select(b => holds(b, 2) ? 1.0 : 0).ToArray(), Truth(Values(ys)), 0, $"{context} with a scalar");
        }

        // A fractional scalar against an integer tensor compares exactly, and a transposed operand is read correctly.
        var ints = Make([1, 2, 3, 4, 5, 6], [2, 3], DType.Int64);
        AssertClose(new double[] { 1, 2, 3, 4, 5, 6 }.Select(v => holds(v, 2.5) ? 1.0 : 0).ToArray(), Truth(Values(withScalar(ints, 2.5))), 0, $"{name} Int64 with 2.5");
        // (3,2).T holds [[1,3,5],[2,4,6]].
        double[] lhs = [1, 3, 5, 2, 4, 6], rhs = [1, 4, 5, 1, 4, 7];
        var t = op(Make([1, 2, 3, 4, 5, 6], [3, 2]).T, Make(rhs, [2, 3]));
        AssertClose(lhs.Select((v, k) => holds(v, rhs[k]) ? 1.0 : 0).ToArray(), Truth(Values(t)), 0, $"{name} transposed");

        var leaf = Make([1, 2], [2]).RequiresGrad_();
        Assert.IsFalse(op(leaf, leaf).RequiresGrad, $"{name} is not differentiable");
    }

    [TestMethod]
    public void LogicalOpsOnBoolTensors()
    {
        var a = Tensor.FromArray(new[] { true, false }, 2, 1);
        var b = Tensor.FromArray(new[] { true, false, true });
        (string Name, Tensor Y, bool[] Expected)[] cases =
        [
            ("LogicalAnd", a.LogicalAnd(b), [true, false, true, false, false, false]),
            ("a & b", a & b, [true, false, true, false, false, false]),
            ("LogicalOr", a.LogicalOr(b), [true, true, true, true, false, true]),
            ("a | b", a | b, [true, true, true, true, false, true]),
            ("LogicalNot", b.LogicalNot(), [false, true, false]),
            ("!b", !b, [false, true, false]),
            ("LogicalNot of a transposed view", Tensor.FromArray(new[] { true, false, true, false }, 2, 2).T.LogicalNot(), [false, false, true, true]),
        ];
        foreach (var (name, y, expected) in cases)
        {
            Assert.AreEqual(DType.Bool, y.DType, name);
            CollectionAssert.AreEqual(expected, y.ToArray<bool>(), name);
        }
    }

    /// <summary>As PyTorch, logical ops accept any dtype and read non-zero (NaN included) as true.</summary>
    [TestMethod]
    public void LogicalOpsOnNumbersTreatNonZeroAsTrue()
    {
        var x = Make([0, 1.5, -2, double.NaN], [4], DType.Float32);
        CollectionAssert.AreEqual(new[] { true, false, false, false }, x.LogicalNot().ToArray<bool>(), "LogicalNot of Float32");
        CollectionAssert.AreEqual(new[] { false, true, false, true }, x.LogicalAnd(Make([1, 1, 0, 1], [4], DType.Int32)).ToArray<bool>(), "LogicalAnd of Float32 and Int32");
        CollectionAssert.AreEqual(new[] { true, true, true, true }, x.LogicalOr(Make([1, 0, 0, 0], [4], DType.Int64)).ToArray<bool>(), "LogicalOr of Float32 and Int64");
    }

    [TestMethod]
    public void WhereBroadcastsAndRoutesGradientsToBothBranches()
    {
        var cond = Tensor.FromArray(new[] { true, false, true }, 3, 1);
        var av = RoundToFloat(Scattered(4, -2, 2, 61));
        var expected = new double[12];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 4; j++)
            expected[i * 4 + j] = i == 1 ? 0.5 : av[j];
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var y = Tensor.Where(cond, Make(av, [1, 4], dtype), Tensor.Scalar(0.5, dtype));
            Assert.AreEqual(dtype, y.DType);
            AssertShape([3, 4], y, "Where");
            AssertClose(expected, y, 0, $"Where in {dtype}");
            AssertClose(expected, Tensor.Where(cond, Make(av, [1, 4], dtype), 0.5), 0, $"Where with a scalar b in {dtype}");
        }
        var swapped = expected.Select((v, k) => k / 4 == 1 ? av[k % 4] : 0.5).ToArray();
        AssertClose(swapped, Tensor.Where(cond, 0.5, Make(av, [1, 4])), 0, "Where with a scalar a");
        Assert.AreEqual(DType.Float64, Tensor.Where(cond, Make(av, [1, 4], DType.Float32), Make(av, [4])).DType, "Where promotes its branches");

        // a (1,4) is picked in rows 0 and 2, b (3,4) in row 1: each branch's gradient is summed to its own shape.
        var a = Make(av, [1, 4]).RequiresGrad_();
        var b = Make(Scattered(12, -2, 2, 62), [3, 4]).RequiresGrad_();
        var w = Scattered(12, 0.5, 1.5, 63);
        (Tensor.Where(cond, a, b) * Make(w, [3, 4])).Sum().Backward();
        AssertClose(Enumerable.Range(0, 4).Select(j => w[j] + w[8 + j]).ToArray(), a.Grad!, 1e-15, "Where grad of a");
        AssertClose(w.Select((v, k) => k / 4 == 1 ? v : 0).ToArray(), b.Grad!, 0, "Where grad of b");

        AssertGradCheck(xs => Tensor.Where(cond, xs[0], xs[1]), [Make(av, [1, 4]), Make(Scattered(3, -1, 1, 64), [3, 1])], "Where");
        var condT = Tensor.FromArray(new[] { true, false, false, true, true, false }, 2, 3).T;
        AssertGradCheck(xs => Tensor.Where(condT, xs[0].T, xs[1]), [Make(Scattered(6, -1, 1, 65), [2, 3]), Make(Scattered(2, -1, 1, 66), [2])], "Where on transposed operands");
    }

    [TestMethod]
    public void MaskedFillKeepsTheDtypeAndBlocksTheGradient()
    {
        var mask = Tensor.FromArray(new[] { true, false, false, true }, 1, 4);
        var xv = Scattered(12, -2, 2, 71);
        var expected = xv.Select((v, k) => k % 4 is 0 or 3 ? -1.5 : v).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var y = Make(xv, [3, 4], dtype).MaskedFill(mask, -1.5);
            Assert.AreEqual(dtype, y.DType);
            AssertClose(dtype == DType.Float32 ? RoundToFloat(expected) : expected, y, 0, $"MaskedFill in {dtype}");
        }
        var ints = Make([1, 2, 3, 4], [4], DType.Int32).MaskedFill(mask.Reshape(4), 9);
        Assert.AreEqual(DType.Int32, ints.DType);
        AssertClose([9, 2, 3, 9], ints, 0, "MaskedFill of Int32");
        var bools = Tensor.FromArray(new[] { false, false, true, true }).MaskedFill(mask.Reshape(4), 1);
        Assert.AreEqual(DType.Bool, bools.DType, "MaskedFill of a Bool tensor stays Bool");
        CollectionAssert.AreEqual(new[] { true, false, true, true }, bools.ToArray<bool>());

        var x = Make(xv, [3, 4]).RequiresGrad_();
        x.MaskedFill(mask, 0).Sum().Backward();
        AssertClose(xv.Select((_, k) => k % 4 is 0 or 3 ? 0.0 : 1).ToArray(), x.Grad!, 0, "MaskedFill gradient");
        AssertGradCheck(xs => xs[0].T.MaskedFill(mask.Reshape(4, 1), 2), [Make(xv, [3, 4])], "MaskedFill on a transposed view");
    }

    // ---- NaN -----------------------------------------------------------------------------------------------------

    /// <summary>maximum/minimum return NaN when either input is NaN (PyTorch), on every kernel path: both
    /// contiguous, one a broadcast scalar on either side, and strided.</summary>
    [TestMethod]
    [DataRow("Maximum")]
    [DataRow("Minimum")]
    public void MaximumAndMinimumPropagateNaN(string name)
    {
        var c = ByName[name];
        double[] av = [double.NaN, 1, 2, double.NaN, -1, 3, 0, 4];
        double[] bv = [1, double.NaN, 2, double.NaN, -2, 5, double.NaN, -4];
        double[] Interleave(double[] v) => v.SelectMany(x => new[] { x, x }).ToArray();
        double[] Expected(double[] a, double[] b) => a.Select((x, i) => double.IsNaN(x) || double.IsNaN(b[i]) ? double.NaN : c.F(x, b[i])).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var a = Make(av, [8], dtype);
            var b = Make(bv, [8], dtype);
            AssertClose(Expected(av, bv), c.Op(a, b), 0, $"{name} contiguous {dtype}");
            var strided = c.Op(Make(Interleave(av), [16], dtype).Slice(0, 0, 16, 2), Make(Interleave(bv), [16], dtype).Slice(0, 1, 16, 2));
            AssertClose(Expected(av, bv), strided, 0, $"{name} strided {dtype}");
            var nan = Tensor.Scalar(double.NaN, dtype);
            AssertClose(Enumerable.Repeat(double.NaN, 8).ToArray(), c.Op(a, nan), 0, $"{name} with a NaN scalar {dtype}");
            AssertClose(Enumerable.Repeat(double.NaN, 8).ToArray(), c.Op(nan, b), 0, $"NaN scalar {name} {dtype}");
            AssertClose(Expected(av, Enumerable.Repeat(0.5, 8).ToArray()), c.Op(a, Tensor.Scalar(0.5, dtype)), 0, $"{name} with a scalar {dtype}");
            AssertClose(Expected(av, Enumerable.Repeat(0.5, 8).ToArray()), name == "Maximum" ? a.Maximum(0.5) : a.Minimum(0.5), 0, $"{name}(0.5) {dtype}");
        }
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] Broadcasting =
    [
        ("Add", (a, b) => a + b), ("Sub", (a, b) => a - b), ("Mul", (a, b) => a * b), ("Div", (a, b) => a / b),
        ("Pow", (a, b) => a.Pow(b)), ("Maximum", (a, b) => a.Maximum(b)), ("Minimum", (a, b) => a.Minimum(b)),
        ("Eq", (a, b) => a.Eq(b)), ("Ne", (a, b) => a.Ne(b)), ("Lt", (a, b) => a.Lt(b)), ("Le", (a, b) => a.Le(b)),
        ("Gt", (a, b) => a.Gt(b)), ("Ge", (a, b) => a.Ge(b)),
        ("LogicalAnd", (a, b) => a.Gt(0).LogicalAnd(b.Gt(0))), ("LogicalOr", (a, b) => a.Gt(0).LogicalOr(b.Gt(0))),
        ("Where", (a, b) => Tensor.Where(a.Gt(0), a, b)),
    ];

    [TestMethod]
    public void BroadcastingMismatchNamesBothShapes()
    {
        var a = Tensor.Ones([3, 4], DType.Float64);
        var b = Tensor.Ones([5, 6], DType.Float64);
        foreach (var (name, op) in Broadcasting)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => op(a, b), name);
            Assert.Contains(name, e.Message, $"{name}: {e.Message}");
            Assert.Contains("(3,4)", e.Message, $"{name}: {e.Message}");
            Assert.Contains("(5,6)", e.Message, $"{name}: {e.Message}");
        }
    }

    [TestMethod]
    public void WhereAndMaskedFillRejectBadConditions()
    {
        var x = Tensor.Ones([3], DType.Float32);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Where(x, x, x));
        foreach (var m in new[] { "Where", "Bool", "Float32", "(3)" }) Assert.Contains(m, e.Message);

        e = Assert.ThrowsExactly<ArgumentException>(() => x.MaskedFill(x, 0));
        foreach (var m in new[] { "MaskedFill", "Bool", "Float32" }) Assert.Contains(m, e.Message);

        e = Assert.ThrowsExactly<ArgumentException>(() => x.MaskedFill(Tensor.Ones([2, 3], DType.Bool), 0));
        foreach (var m in new[] { "MaskedFill", "(2,3)", "(3)" }) Assert.Contains(m, e.Message);

        e = Assert.ThrowsExactly<ArgumentException>(() => x.MaskedFill(Tensor.Ones([4], DType.Bool), 0));
        foreach (var m in new[] { "MaskedFill", "(4)", "(3)" }) Assert.Contains(m, e.Message);
    }
}
