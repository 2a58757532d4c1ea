using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class DropoutTests
{
    private const int N = 100_000;

    [TestMethod]
    public void EvalModeAndZeroRateAreIdentity()
    {
        var x = OpCheck.Randn(new Generator(91), 4, 5);
        CollectionAssert.AreEqual(x.ToArray<double>(), x.Dropout(0.5, training: false).ToArray<double>());
        CollectionAssert.AreEqual(x.ToArray<double>(), x.Dropout(0.0).ToArray<double>());
        var leaf = x.Detach().RequiresGrad_();
        leaf.Dropout(0.7, training: false).Sum().Backward();
        CollectionAssert.AreEqual(Enumerable.Repeat(1.0, 20).ToArray(), leaf.Grad!.ToArray<double>(), "eval gradient is 1");
    }

    [TestMethod]
    public void SameSeedGivesSameMask()
    {
        var x = Tensor.Ones(1000);
        var a = x.Dropout(0.3, true, new Generator(5)).ToArray<float>();
        var b = x.Dropout(0.3, true, new Generator(5)).ToArray<float>();
        CollectionAssert.AreEqual(a, b);
        var c = x.Dropout(0.3, true, new Generator(6)).ToArray<float>();
        CollectionAssert.AreNotEqual(a, c, "another seed gives another mask");
        var gen = new Generator(5);
        var first = x.Dropout(0.3, true, gen).ToArray<float>();
        var second = x.Dropout(0.3, true, gen).ToArray<float>();
        CollectionAssert.AreEqual(a, first);
        CollectionAssert.AreNotEqual(first, second, "the generator advances between calls");
    }

    [TestMethod]
    public void DropsAboutPAndScalesTheRest()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            foreach (var p in new[] { 0.1, 0.5, 0.8 })
            {
                var x = Tensor.Full([N], 2.0, dtype);
                var y = x.Dropout(p, true, new Generator(7)).ToArray<double>();
                var zeros = y.Count(v => v == 0) / (double)N;
                Assert.AreEqual(p, zeros, 0.01, $"{dtype} p={p}: fraction dropped");
                var kept = 2.0 / (1 - p);
                var tol = dtype == DType.Float32 ? 1e-6 * kept : 1e-15 * kept;
                Assert.IsTrue(y.All(v => v == 0 || Math.Abs(v - kept) <= tol), $"{dtype} p={p}: kept values are x / (1 - p) = {kept}");
                Assert.AreEqual(2.0, y.Average(), 0.05, $"{dtype} p={p}: the mean is preserved");
            }
        }
    }

    [TestMethod]
    public void RateOneDropsEverything()
    {
        var x = OpCheck.Randn(new Generator(92), 10).RequiresGrad_();
        var y = x.Dropout(1.0);
        Assert.IsTrue(y.ToArray<double>().All(v => v == 0));
        y.Sum().Backward();
        Assert.IsTrue(x.Grad!.ToArray<double>().All(v => v == 0));
    }

    [TestMethod]
    public void GradientEqualsTheMaskScale()
    {
        const double p = 0.25;
        var x = (OpCheck.Randn(new Generator(93), 50, 40).Abs() + 0.5).RequiresGrad_();
        var y = x.Dropout(p, true, new Generator(9));
        y.Sum().Backward();
        var xs = x.ToArray<double>();
        var ys = y.ToArray<double>();
        var gs = x.Grad!.ToArray<double>();
        for (var i = 0; i < xs.Length; i++)
        {
            var expected = ys[i] == 0 ? 0 : 1 / (1 - p);
            Assert.AreEqual(expected, gs[i], 1e-15, $"element {i}");
            Assert.AreEqual(ys[i] == 0 ? 0 : xs[i] / (1 - p), ys[i], 1e-14, $"value {i}");
        }
        OpCheck.Grad(t => t[0].Dropout(0.4, true, new Generator(3)), OpCheck.Randn(new Generator(94), 3, 4));
    }

    [TestMethod]
    public void BadArgumentsThrow()
    {
        OpCheck.Throws<ArgumentException>(() => Tensor.Ones(3).Dropout(1.5), "Dropout", "1.5");
        OpCheck.Throws<ArgumentException>(() => Tensor.Ones(3).Dropout(-0.1), "Dropout", "-0.1");
        OpCheck.Throws<ArgumentException>(() => Tensor.Ones(3).Dropout(double.NaN), "Dropout", "NaN");
        OpCheck.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1, 2 }).Dropout(), "Dropout", "Int64");
    }
}
