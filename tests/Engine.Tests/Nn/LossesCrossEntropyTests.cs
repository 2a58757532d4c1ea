using Engine.Nn;
using Engine.Tests.Ops;

namespace Engine.Tests.NnTests;

[TestClass]
public sealed class LossesCrossEntropyTests
{
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    private static Tensor Targets(params long[] values) => Tensor.FromArray(values);

    [TestMethod]
    public void ClassIndicesMatchReferenceForEveryOptionAndReduction()
    {
        var x = OpCheck.Randn(new Generator(1), 6, 4) * 2;
        var weight = Tensor.FromArray(new[] { 0.5, 2.0, 1.0, 1.5 });
        var rows = LossReference.Rows(x.ToArray<double>(), 4);
        foreach (var (ignore, targets) in new[] { (-100L, new long[] { 0, 3, 1, -100, 2, 3 }), (1L, new long[] { 0, 1, 1, 2, 3, 1 }) })
            foreach (var w in new[] { null, weight })
                foreach (var eps in new[] { 0.0, 0.2 })
                    foreach (var reduction in Reductions)
                    {
                        var (perRow, denominator) = LossReference.CrossEntropyRows(rows, targets, w?.ToArray<double>(), ignore, eps);
                        var expected = LossReference.Reduce(perRow, reduction, denominator);
                        var actual = Losses.CrossEntropy(x, Targets(targets), w, ignore, reduction, eps);
                        OpCheck.Close(expected, actual.ToArray<double>(), 1e-12, $"ignore {ignore}, weight {w is not null}, eps {eps}, {reduction}");
                    }
    }

    [TestMethod]
    public void ClassIndicesGradientsPassGradCheck()
    {
        var x = OpCheck.Randn(new Generator(2), 5, 3);
        var weight = Tensor.FromArray(new[] { 0.7, 1.3, 2.0 });
        var targets = Targets(2, 0, -100, 1, 2);
        foreach (var w in new[] { null, weight })
            foreach (var eps in new[] { 0.0, 0.15 })
                foreach (var reduction in Reductions)
                {
                    var r = GradCheck.Run(t => Losses.CrossEntropy(t[0], targets, w, reduction: reduction, labelSmoothing: eps), [x]);
                    Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"weight {w is not null}, eps {eps}, {reduction}: {r}");
                }
    }

    [TestMethod]
    public void SpatialInputsTakeTheClassDimSecond()
    {
        // input [N, C, d1, d2] with targets [N, d1, d2]: each spatial position is a sample.
        var x = OpCheck.Randn(new Generator(3), 2, 3, 2, 2);
        long[] targets = [0, 2, 1, -100, 2, 2, 0, 1];
        var xr = RefArray.Of(x);
        var rows = new List<double[]>();
        for (var n = 0; n < 2; n++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 2; j++)
                    rows.Add(Enumerable.Range(0, 3).Select(c => xr[n, c, i, j]).ToArray());
        var weight = new[] { 1.0, 0.5, 3.0 };
        var (perRow, denominator) = LossReference.CrossEntropyRows(rows.ToArray(), targets, weight, -100, 0.1);
        var target = Tensor.FromArray(targets).Reshape(2, 2, 2);
        var w = Tensor.FromArray(weight);
        var none = Losses.CrossEntropy(x, target, w, reduction: Reduction.None, labelSmoothing: 0.1);
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, none.Shape.ToArray());
        OpCheck.Close(perRow, none.ToArray<double>(), 1e-12, "none");
        OpCheck.Close([perRow.Sum() / denominator], [Losses.CrossEntropy(x, target, w, labelSmoothing: 0.1).Item()], 1e-12, "mean");
        OpCheck.Grad(t => Losses.CrossEntropy(t[0], target, w, labelSmoothing: 0.1), x);
    }

    [TestMethod]
    public void UnbatchedInputTakesAScalarTarget()
    {
        var x = Tensor.FromArray(new[] { 0.3, -1.2, 2.0 });
        var loss = Losses.CrossEntropy(x, Tensor.Scalar(2, DType.Int64));
        Assert.AreEqual(0, loss.Rank);
        Assert.AreEqual(LossReference.LogSumExp([0.3, -1.2, 2.0]) - 2.0, loss.Item(), 1e-12);
        Assert.AreEqual(0, Losses.CrossEntropy(x, Tensor.Scalar(2, DType.Int64), reduction: Reduction.None).Rank);
    }

    [TestMethod]
    public void NonContiguousAndFloat32InputsMatchReference()
    {
        var x = OpCheck.Randn(new Generator(4), 5, 7).T; // [7, 5], transposed view
        long[] targets = [4, 0, 1, 3, 2, 2, 0];
        var rows = LossReference.Rows(x.Contiguous().ToArray<double>(), 5);
        var (perRow, d) = LossReference.CrossEntropyRows(rows, targets, null, -100, 0);
        OpCheck.Close([perRow.Sum() / d], [Losses.CrossEntropy(x, Targets(targets)).Item()], 1e-12, "transposed");
        OpCheck.Close([perRow.Sum() / d], [Losses.CrossEntropy(x.To(DType.Float32), Targets(targets).To(DType.Int32)).Item()], 1e-6, "float32, int32 targets");
        OpCheck.Grad(t => Losses.CrossEntropy(t[0].T, Targets(targets)), x.T.Contiguous());
    }

    [TestMethod]
    public void ProbabilityTargetsMatchReferenceAndGradCheck()
    {
        var g = new Generator(5);
        var x = OpCheck.Randn(g, 4, 3);
        var p = (OpCheck.Randn(g, 4, 3) * 2).Softmax(1);
        var weight = new[] { 1.0, 0.25, 2.0 };
        var xs = LossReference.Rows(x.ToArray<double>(), 3);
        var ps = LossReference.Rows(p.ToArray<double>(), 3);
        foreach (var w in new[] { null, weight })
            foreach (var eps in new[] { 0.0, 0.3 })
            {
                var perRow = new double[4];
                for (var n = 0; n < 4; n++)
                {
                    var lse = LossReference.LogSumExp(xs[n]);
                    for (var c = 0; c < 3; c++)
                        perRow[n] -= (w?[c] ?? 1) * ((1 - eps) * ps[n][c] + eps / 3) * (xs[n][c] - lse);
                }
                var wt = w is null ? null : Tensor.FromArray(w);
                foreach (var reduction in Reductions)
                {
                    var expected = LossReference.Reduce(perRow, reduction, 4);
                    OpCheck.Close(expected, Losses.CrossEntropy(x, p, wt, reduction: reduction, labelSmoothing: eps).ToArray<double>(), 1e-12, $"weight {w is not null}, eps {eps}, {reduction}");
                    var r = GradCheck.Run(t => Losses.CrossEntropy(t[0], t[1], wt, reduction: reduction, labelSmoothing: eps), [x, p]);
                    Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"grad wrt input and target, {reduction}: {r}");
                }
            }
    }

    [TestMethod]
    public void ExtremeLogitsStayFinite()
    {
        var x = Tensor.FromArray(new[,] { { 1000.0, -1000.0, 0.0 }, { -1000.0, 1000.0, 1000.0 }, { -1000.0, -1000.0, -1000.0 } }).RequiresGrad_();
        var target = Targets(1, 0, 2);
        var loss = Losses.CrossEntropy(x, target, reduction: Reduction.None);
        // Row 0: lse = 1000, loss = 1000 - (-1000); row 1: lse = 1000 + log 2; row 2: all equal, log 3.
        OpCheck.Close([2000.0, 2000 + Math.Log(2), Math.Log(3)], loss.ToArray<double>(), 1e-12, "loss");
        loss.Sum().Backward();
        var grad = x.Grad!.ToArray<double>();
        Assert.IsTrue(grad.All(double.IsFinite), string.Join(", ", grad));
        OpCheck.Close([1, -1, 0, -1, 0.5, 0.5, 1 / 3.0, 1 / 3.0, -2 / 3.0], grad, 1e-12, "grad = softmax - onehot");
        var f32 = Losses.CrossEntropy(x.Detach().To(DType.Float32), target, labelSmoothing: 0.1);
        Assert.IsTrue(double.IsFinite(f32.Item()), $"float32 loss {f32.Item()}");
    }

    [TestMethod]
    public void EveryTargetIgnoredGivesNaNMeanAndZeroGradient()
    {
        var x = OpCheck.Randn(new Generator(6), 3, 4).RequiresGrad_();
        var loss = Losses.CrossEntropy(x, Targets(-100, -100, -100), labelSmoothing: 0.1);
        Assert.IsTrue(double.IsNaN(loss.Item()));
        loss.Backward();
        CollectionAssert.AreEqual(new double[12], x.Grad!.ToArray<double>());
        Assert.AreEqual(0.0, Losses.CrossEntropy(x, Targets(-100, -100, -100), reduction: Reduction.Sum).Item());
    }

    [TestMethod]
    public void SecondDerivativesMatchTheComposedFormula()
    {
        // A recorded backward (createGraph) must be differentiable again: compare the gradient of <grad, v> with the
        // same quantity computed through log-softmax and gather.
        var x = OpCheck.Randn(new Generator(7), 4, 3).RequiresGrad_();
        var v = OpCheck.Randn(new Generator(8), 4, 3);
        var target = Targets(0, 2, 1, 1);
        var weight = Tensor.FromArray(new[] { 1.0, 2.0, 0.5 });
        Tensor HessianVector(Func<Tensor, Tensor> f)
        {
            var g = Autograd.Grad(f(x), x, createGraph: true);
            return Autograd.Grad((g * v).Sum(), x);
        }
        const double eps = 0.2;
        var fused = HessianVector(t => Losses.CrossEntropy(t, target, weight, labelSmoothing: eps));
        var composed = HessianVector(t =>
        {
            var logp = t.LogSoftmax(1);
            var nll = -(logp.Gather(1, target.Unsqueeze(1)).Squeeze(1) * weight.IndexSelect(0, target));
            var smooth = -(logp * weight).Sum(1);
            return ((1 - eps) * nll + eps / 3 * smooth).Sum() / weight.IndexSelect(0, target).Sum();
        });
        OpCheck.Close(RefArray.Of(composed), fused, 1e-12, "Hessian-vector product");
    }

    [TestMethod]
    public void NllMatchesReferenceAndCrossEntropyOfLogSoftmax()
    {
        var x = OpCheck.Randn(new Generator(9), 5, 4);
        var logp = x.LogSoftmax(1);
        long[] targets = [3, -100, 0, 2, 2];
        var w = Tensor.FromArray(new[] { 1.0, 2.0, 0.5, 4.0 });
        var lp = LossReference.Rows(logp.ToArray<double>(), 4);
        var perRow = new double[5];
        var denominator = 0.0;
        for (var n = 0; n < 5; n++)
        {
            if (targets[n] < 0) continue;
            var wy = w.ToArray<double>()[targets[n]];
            perRow[n] = -wy * lp[n][targets[n]];
            denominator += wy;
        }
        foreach (var reduction in Reductions)
        {
            OpCheck.Close(LossReference.Reduce(perRow, reduction, denominator), Losses.Nll(logp, Targets(targets), w, reduction: reduction).ToArray<double>(), 1e-12, $"{reduction}");
            OpCheck.Close(RefArray.Of(Losses.CrossEntropy(x, Targets(targets), w, reduction: reduction)), Losses.Nll(logp, Targets(targets), w, reduction: reduction), 1e-12, $"CE {reduction}");
            OpCheck.Grad(t => Losses.Nll(t[0], Targets(targets), w, reduction: reduction), logp);
        }
    }

    [TestMethod]
    public void BadTargetsAndOptionsAreClearErrors()
    {
        var x = Tensor.Zeros(3, 5);
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, Targets(0, 7, 1)), "CrossEntropy", "target 7", "5 classes");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Losses.Nll(x, Targets(0, -1, 1)), "Nll", "target -1", "5 classes");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Targets(0, 1)), "CrossEntropy", "(2)", "(3,5)", "(3)");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros(3, 4)), "CrossEntropy", "(3,4)", "(3,5)");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([3], DType.Bool)), "CrossEntropy", "Bool");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Targets(0, 1, 2), Tensor.Ones(4)), "CrossEntropy", "weight", "5", "(4)");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Targets(0, 1, 2), labelSmoothing: 1.5), "labelSmoothing", "1.5");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Targets(0, 1, 2), reduction: Reduction.BatchMean), "CrossEntropy", "BatchMean");
        OpCheck.Throws<ArgumentException>(() => Losses.CrossEntropy(Tensor.Zeros([3, 5], DType.Int64), Targets(0, 1, 2)), "CrossEntropy", "floating point", "Int64");
    }
}
