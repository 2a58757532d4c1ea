using Engine.Optim;

namespace Engine.Tests.OptimTests;

[TestClass]
public sealed class GradientNoiseTests
{
    private const int Draws = 100_000;

    private static Tensor ZeroGrad(DType dtype = DType.Float64)
    {
        var p = Tensor.Zeros([Draws], dtype, requiresGrad: true);
        p.Grad = Tensor.Zeros([Draws], dtype);
        return p;
    }

    [TestMethod]
    public void NoiseStdFollowsTheAnnealingSchedule()
    {
        // Issue 3 acceptance: over 10^5 draws the std at step t is sqrt(eta) (1 + t)^(-gamma / 2) within 1%.
        const double eta = 0.3;
        const double gamma = 0.55;
        foreach (var t in new[] { 0, 1, 9, 99, 999 })
        {
            var noise = new GradientNoise(eta, gamma, seed: 5) { Step = t };
            var p = ZeroGrad();
            noise.Apply([p]);
            var g = p.Grad!.ToArray<double>();
            var mean = g.Average();
            var std = Math.Sqrt(g.Sum(v => (v - mean) * (v - mean)) / (g.Length - 1));
            var expected = Math.Sqrt(eta) * Math.Pow(1 + t, -gamma / 2);
            Assert.AreEqual(expected, std, 0.01 * expected, $"std at t = {t}");
            Assert.AreEqual(0, mean, 5 * expected / Math.Sqrt(Draws), $"mean at t = {t}");
            Assert.AreEqual(t + 1, noise.Step, "Apply advances t");
            Assert.AreEqual(expected, noise.StdAt(t), 1e-15);
        }
    }

    [TestMethod]
    public void SameSeedGivesSameNoise()
    {
        double[] Draw(ulong seed)
        {
            var noise = new GradientNoise(0.01, seed: seed);
            var p = ZeroGrad(DType.Float32);
            noise.Apply([p]);
            noise.Apply([p]);
            return p.Grad!.ToArray<double>();
        }
        CollectionAssert.AreEqual(Draw(3), Draw(3));
        CollectionAssert.AreNotEqual(Draw(3), Draw(4));
    }

    [TestMethod]
    public void OptimizerAppliesNoiseBeforeTheUpdate()
    {
        // Step() with noise set == Apply() by hand on the gradients, then a plain step.
        Tensor Param() => Tensor.FromArray(new[] { 0.5, -1.0, 2.0 }).RequiresGrad_();
        var (p1, p2) = (Param(), Param());
        var withNoise = new Sgd([p1], lr: 0.1, momentum: 0.9) { GradientNoise = new GradientNoise(0.5, seed: 9) };
        var manual = new Sgd([p2], lr: 0.1, momentum: 0.9);
        var noise = new GradientNoise(0.5, seed: 9);
        for (var i = 0; i < 3; i++)
        {
            withNoise.ZeroGrad();
            manual.ZeroGrad();
            p1.Square().Sum().Backward();
            p2.Square().Sum().Backward();
            withNoise.Step();
            noise.Apply([p2]);
            manual.Step();
        }
        CollectionAssert.AreEqual(p2.ToArray<double>(), p1.ToArray<double>());
        Assert.AreEqual(3, withNoise.GradientNoise!.Step);
        var noiseless = Param();
        var plain = new Sgd([noiseless], lr: 0.1, momentum: 0.9);
        for (var i = 0; i < 3; i++)
        {
            plain.ZeroGrad();
            noiseless.Square().Sum().Backward();
            plain.Step();
        }
        CollectionAssert.AreNotEqual(noiseless.ToArray<double>(), p1.ToArray<double>(), "the noise changes the trajectory");
    }
}
