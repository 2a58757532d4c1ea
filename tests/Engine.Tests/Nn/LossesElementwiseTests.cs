using Engine.Nn;
using Engine.Tests.Ops;

namespace Engine.Tests.NnTests;

[TestClass]
public sealed class LossesElementwiseTests
{
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    /// <summary>Checks a loss against a pointwise reference for every reduction and grad-checks it in both operands.</summary>
    private static void CheckPointwise(
        string name, Func<Tensor, Tensor, Reduction, Tensor> loss, Func<double, double, double> reference, Tensor x, Tensor y, bool gradTarget = true)
    {
        var xs = x.ToArray<double>();
        var ys = y.ToArray<double>();
        var pointwise = xs.Select((v, i) => reference(v, ys[i])).ToArray();
        foreach (var reduction in Reductions)
        {
            var actual = loss(x, y, reduction);
            if (reduction == Reduction.None) CollectionAssert.AreEqual(x.Shape.ToArray(), actual.Shape.ToArray(), $"{name} shape");
            OpCheck.Close(LossReference.Reduce(pointwise, reduction, xs.Length), actual.ToArray<double>(), 1e-12, $"{name} {reduction}");
            var r = gradTarget ? GradCheck.Run(t => loss(t[0], t[1], reduction), [x, y]) : GradCheck.Run(t => loss(t[0], y, reduction), [x]);
            Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{name} {reduction}: {r}");
        }
    }

    /// <summary>Inputs whose differences keep clear of the kinks at 0 and at ±1 (beta, delta).</summary>
    private static (Tensor X, Tensor Y) RegressionPair()
    {
        var x = Tensor.FromArray(new[,] { { 0.3, -2.1, 1.7 }, { 0.05, 4.0, -0.6 } });
        var y = Tensor.FromArray(new[,] { { 0.1, 0.4, 1.2 }, { -1.5, 1.0, -0.45 } });
        return (x, y);
    }

    [TestMethod]
    public void RegressionLossesMatchReferenceAndGradCheck()
    {
        var (x, y) = RegressionPair();
        CheckPointwise("Mse", (a, b, r) => Losses.Mse(a, b, r), (a, b) => (a - b) * (a - b), x, y);
        CheckPointwise("L1", (a, b, r) => Losses.L1(a, b, r), (a, b) => Math.Abs(a - b), x, y);
        CheckPointwise("SmoothL1", (a, b, r) => Losses.SmoothL1(a, b, r), (a, b) => LossReference.SmoothL1(a - b, 1), x, y);
        CheckPointwise("SmoothL1 beta 0.5", (a, b, r) => Losses.SmoothL1(a, b, r, beta: 0.5), (a, b) => LossReference.SmoothL1(a - b, 0.5), x, y);
        CheckPointwise("SmoothL1 beta 0", (a, b, r) => Losses.SmoothL1(a, b, r, beta: 0), (a, b) => Math.Abs(a - b), x, y);
        CheckPointwise("Huber", (a, b, r) => Losses.Huber(a, b, r), (a, b) => LossReference.Huber(a - b, 1), x, y);
        CheckPointwise("Huber delta 2", (a, b, r) => Losses.Huber(a, b, r, delta: 2), (a, b) => LossReference.Huber(a - b, 2), x, y);
    }

    [TestMethod]
    public void BceMatchesReferenceWithWeightsAndClampsLogs()
    {
        var x = Tensor.FromArray(new[,] { { 0.2, 0.9, 0.5 }, { 0.05, 0.7, 0.33 } });
        var y = Tensor.FromArray(new[,] { { 0.0, 1.0, 0.3 }, { 1.0, 0.0, 0.8 } });
        var w = Tensor.FromArray(new[] { 0.5, 2.0, 1.0 });
        CheckPointwise("Bce", (a, b, r) => Losses.Bce(a, b, reduction: r), (a, b) => LossReference.Bce(a, b, 1), x, y);
        var ws = w.ToArray<double>();
        var i = 0;
        CheckPointwise("Bce weighted", (a, b, r) => Losses.Bce(a, b, w, r), (a, b) => LossReference.Bce(a, b, ws[i++ % 3]), x, y);

        // Probabilities of exactly 0 and 1: the logs clamp at -100 and the gradient stays finite (PyTorch's formula).
        var edge = Tensor.FromArray(new[] { 0.0, 1.0, 0.0, 1.0 }).RequiresGrad_();
        var target = Tensor.FromArray(new[] { 1.0, 0.0, 0.0, 1.0 });
        var loss = Losses.Bce(edge, target, reduction: Reduction.None);
        OpCheck.Close([100, 100, 0, 0], loss.ToArray<double>(), 0, "clamped");
        loss.Sum().Backward();
        Assert.IsTrue(edge.Grad!.ToArray<double>().All(double.IsFinite), string.Join(", ", edge.Grad!.ToArray<double>()));
        OpCheck.Throws<ArgumentException>(() => Losses.Bce(Tensor.FromArray(new[] { 0.5, 1.5 }), Tensor.FromArray(new[] { 0.0, 1.0 })), "Bce", "1.5", "[0, 1]");
    }

    [TestMethod]
    public void BceWithLogitsMatchesReferenceWithPosWeightAndIsStable()
    {
        var x = Tensor.FromArray(new[,] { { 0.4, -2.5, 3.0 }, { -0.7, 1.1, 0.05 } });
        var y = Tensor.FromArray(new[,] { { 1.0, 0.0, 0.25 }, { 0.0, 1.0, 0.6 } });
        var w = Tensor.FromArray(new[,] { { 2.0 }, { 0.5 } });
        var p = Tensor.FromArray(new[] { 3.0, 0.5, 1.5 });
        CheckPointwise("BceWithLogits", (a, b, r) => Losses.BceWithLogits(a, b, reduction: r), (a, b) => LossReference.BceWithLogits(a, b, 1, 1), x, y);
        var i = 0;
        double[] wOf = [2, 2, 2, 0.5, 0.5, 0.5];
        var ps = p.ToArray<double>();
        CheckPointwise("BceWithLogits weight+posWeight", (a, b, r) => Losses.BceWithLogits(a, b, w, p, r),
            (a, b) => LossReference.BceWithLogits(a, b, wOf[i % 6], ps[i++ % 3]), x, y);

        // ±1000: no overflow; the loss is |x| for a confidently wrong logit and 0 for a right one.
        var big = Tensor.FromArray(new[] { 1000.0, -1000.0, 1000.0, -1000.0 }).RequiresGrad_();
        var t = Tensor.FromArray(new[] { 1.0, 1.0, 0.0, 0.0 });
        var loss = Losses.BceWithLogits(big, t, reduction: Reduction.None);
        OpCheck.Close([0, 1000, 1000, 0], loss.ToArray<double>(), 1e-12, "±1000");
        loss.Sum().Backward();
        OpCheck.Close([0, -1, 1, 0], big.Grad!.ToArray<double>(), 1e-12, "gradient σ(x) - y");
        Assert.IsTrue(double.IsFinite(Losses.BceWithLogits(big.Detach().To(DType.Float32), t.To(DType.Float32), posWeight: Tensor.Full([4], 2)).Item()));

        // At logit 0 exactly the gradient is σ(0) - y (abs and relu kinks cancel in the loss).
        var zero = Tensor.Zeros([2], DType.Float64, requiresGrad: true);
        Losses.BceWithLogits(zero, Tensor.FromArray(new[] { 1.0, 0.0 }), reduction: Reduction.Sum).Backward();
        OpCheck.Close([-0.5, 0.5], zero.Grad!.ToArray<double>(), 1e-15, "gradient at 0");
    }

    [TestMethod]
    public void MultiMarginMatchesReferenceForBothPowers()
    {
        var x = Tensor.FromArray(new[,] { { 0.1, 0.9, -0.4, 0.35 }, { 1.3, -0.2, 0.55, 0.0 }, { -0.5, 0.25, 0.8, 2.1 } });
        long[] targets = [1, 0, 3];
        var rows = LossReference.Rows(x.ToArray<double>(), 4);
        var weight = new[] { 0.5, 2.0, 1.0, 3.0 };
        foreach (var p in new[] { 1, 2 })
            foreach (var w in new[] { null, weight })
                foreach (var margin in new[] { 1.0, 0.7 })
                {
                    var perRow = rows.Select((row, n) => LossReference.MultiMargin(row, (int)targets[n], p, margin, w?[targets[n]] ?? 1)).ToArray();
                    var wt = w is null ? null : Tensor.FromArray(w);
                    foreach (var reduction in Reductions)
                    {
                        var actual = Losses.MultiMargin(x, Tensor.FromArray(targets), p, margin, wt, reduction);
                        OpCheck.Close(LossReference.Reduce(perRow, reduction, 3), actual.ToArray<double>(), 1e-12, $"p {p}, weight {w is not null}, margin {margin}, {reduction}");
                        OpCheck.Grad(t => Losses.MultiMargin(t[0], Tensor.FromArray(targets), p, margin, wt, reduction), x);
                    }
                }
        Assert.AreEqual(LossReference.MultiMargin([0.1, 0.9, -0.4], 2, 1, 1, 1), Losses.MultiMargin(Tensor.FromArray(new[] { 0.1, 0.9, -0.4 }), Tensor.Scalar(2, DType.Int64)).Item(), 1e-12);
        OpCheck.Throws<ArgumentException>(() => Losses.MultiMargin(x, Tensor.FromArray(targets), p: 3), "MultiMargin", "p must be 1 or 2");
    }

    [TestMethod]
    public void HingeMatchesReferenceAndRejectsZeroOneLabels()
    {
        var x = Tensor.FromArray(new[] { 0.3, -1.7, 2.5, 0.2 });
        var y = Tensor.FromArray(new[] { 1.0, 1.0, -1.0, -1.0 });
        CheckPointwise("Hinge", (a, b, r) => Losses.Hinge(a, b, reduction: r), (a, b) => Math.Max(0, 1 - a * b), x, y, gradTarget: false);
        CheckPointwise("Hinge margin 2", (a, b, r) => Losses.Hinge(a, b, 2, r), (a, b) => Math.Max(0, 2 - a * b), x, y, gradTarget: false);
        OpCheck.Throws<ArgumentException>(() => Losses.Hinge(x, Tensor.FromArray(new[] { 1.0, 0.0, 1.0, 0.0 })), "Hinge", "-1 or +1", "got 0");
    }

    [TestMethod]
    public void KlDivMatchesReferenceForEveryReduction()
    {
        var g = new Generator(11);
        var input = (OpCheck.Randn(g, 3, 4) * 2).LogSoftmax(1);
        var target = (OpCheck.Randn(g, 3, 4) * 2).Softmax(1);
        var xs = input.ToArray<double>();
        var ts = target.ToArray<double>();
        var pointwise = ts.Select((t, i) => t * (Math.Log(t) - xs[i])).ToArray();
        var logTarget = target.Log();
        foreach (var (reduction, expected) in new[]
                 {
                     (Reduction.None, pointwise),
                     (Reduction.Sum, [pointwise.Sum()]),
                     (Reduction.Mean, [pointwise.Sum() / 12]),
                     (Reduction.BatchMean, new[] { pointwise.Sum() / 3 }),
                 })
        {
            OpCheck.Close(expected, Losses.KlDiv(input, target, reduction).ToArray<double>(), 1e-12, $"{reduction}");
            OpCheck.Close(expected, Losses.KlDiv(input, logTarget, reduction, logTarget: true).ToArray<double>(), 1e-12, $"log target {reduction}");
            var r = GradCheck.Run(t => Losses.KlDiv(t[0], t[1], reduction), [input, target]);
            Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{reduction}: {r}");
            r = GradCheck.Run(t => Losses.KlDiv(t[0], t[1], reduction, logTarget: true), [input, logTarget]);
            Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"log target {reduction}: {r}");
        }

        // A zero target probability contributes 0 (0 log 0 = 0), with finite gradients.
        var x = Tensor.FromArray(new[] { -1.0, -0.5 }).RequiresGrad_();
        var loss = Losses.KlDiv(x, Tensor.FromArray(new[] { 0.0, 1.0 }), Reduction.Sum);
        Assert.AreEqual(0.5, loss.Item(), 1e-15);
        loss.Backward();
        OpCheck.Close([0, -1], x.Grad!.ToArray<double>(), 0, "gradient");
    }

    [TestMethod]
    public void ShapeAndDtypeMismatchesAreClearErrors()
    {
        var x = Tensor.Zeros(2, 3);
        OpCheck.Throws<ArgumentException>(() => Losses.Mse(x, Tensor.Zeros(3, 2)), "Mse", "(2,3)", "(3,2)");
        OpCheck.Throws<ArgumentException>(() => Losses.L1(x, Tensor.Zeros([2, 3], DType.Int64)), "L1", "target", "Int64");
        OpCheck.Throws<ArgumentException>(() => Losses.BceWithLogits(x, Tensor.Zeros(2, 3), posWeight: Tensor.Ones(2)), "BceWithLogits", "posWeight", "(2)", "(2,3)");
        OpCheck.Throws<ArgumentException>(() => Losses.Huber(x, x, delta: 0), "Huber", "delta");
        OpCheck.Throws<ArgumentException>(() => Losses.Mse(x, x, Reduction.BatchMean), "Mse", "BatchMean");
    }
}
