using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class StudiesTests
{
    [TestMethod]
    public void AdmmAndAugmentedLagrangianAgreeAndFistaIsCertified()
    {
        var (x, y) = ConvexStudies.EnumerableData(50, seed: 0);
        var r = ConvexStudies.Agreement(x, y, 2, ConvexLoss.Squared, new SolverOptions(MaxIterations: 60000));
        Console.WriteLine($"n {r.Samples} d {r.Features} P {r.Patterns}: ADMM {r.AdmmObjective:R} ({r.Admm.Iterations} it, {r.Admm.Seconds:F2} s, converged {r.Admm.Converged}), " +
            $"AL {r.AugmentedLagrangianObjective:R} ({r.AugmentedLagrangian.Iterations} it, {r.AugmentedLagrangian.Seconds:F2} s, converged {r.AugmentedLagrangian.Converged}), relative difference {r.ReluRelativeDifference:g3}; " +
            $"gated (R-FISTA) {r.GatedObjective:R} ({r.Fista.Iterations} it, {r.Fista.Seconds:F2} s), certified relative gap {r.GatedRelativeDualityGap:g3}");
        Assert.AreEqual(50, r.Samples);
        Assert.IsTrue(r.ReluRelativeDifference <= 1e-5, $"ADMM {r.AdmmObjective} vs AL {r.AugmentedLagrangianObjective}");
        Assert.IsTrue(r.GatedRelativeDualityGap <= 1e-5, $"gated duality gap {r.GatedRelativeDualityGap}");
        Assert.IsTrue(r.GatedObjective <= r.AugmentedLagrangianObjective * (1 + 1e-6), "the gated program relaxes the ReLU one");
    }

    [TestMethod]
    public void AdamNeverBeatsTheConvexOptimum()
    {
        var (x, y) = ConvexStudies.EnumerableData(20, seed: 3);
        var full = new ConvexProblem(x, y, PatternSet.Enumerate(x), 2, ConvexLoss.Squared);
        var convex = AugmentedLagrangian.Solve(full, new SolverOptions(MaxIterations: 40000)).Solution;
        var optimum = convex.Objective(full);
        var report = ConvexStudies.AdamVersusOptimum(x, y, 2, ConvexLoss.Squared, optimum,
            new BaselineOptions(Hidden: 2 * convex.ActiveNeurons(), LearningRate: 1e-2, MaxIterations: 1500), initialisations: 20);
        Console.WriteLine($"optimum {optimum:R}, m {report.Hidden}: below {report.Below}, reached {report.Reached}, above {report.Above}; " +
            $"final objectives {string.Join(", ", report.FinalObjectives.Select(v => v.ToString("F6")))}");
        Assert.AreEqual(0, report.Below, $"lowest {report.LowestObjectives.Min()} < optimum {optimum}");
        Assert.AreEqual(20, report.Below + report.Reached + report.Above);
    }

    [TestMethod]
    public void AdmmTimePerIterationGrowsAtMostQuadratically()
    {
        var generator = new Generator(7);
        var x = Tensor.Randn([200, 5], DType.Float64, generator);
        var y = Tensor.Randn([200], DType.Float64, generator);
        var report = ConvexStudies.AdmmScaling(x, y, 1, [25, 50, 100, 200], iterations: 30);
        Console.WriteLine($"{string.Join("; ", report.Points)}; exponent {report.Exponent:F2}");
        Assert.AreEqual(4, report.Points.Count);
        Assert.IsTrue(report.Points.Zip(report.Points.Skip(1)).All(q => q.First.Dimension < q.Second.Dimension));
        Assert.IsTrue(report.Exponent <= 2.2, $"exponent {report.Exponent}");
    }

    [TestMethod]
    public void SlopeRecoversAPowerLaw()
    {
        double[] sizes = [100, 200, 400, 800];
        Assert.AreEqual(1.5, ConvexStudies.Slope([.. sizes.Select(s => Math.Log(s))], [.. sizes.Select(s => Math.Log(3e-7 * Math.Pow(s, 1.5)))]), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => ConvexStudies.Slope([1, 1], [2, 3]));
    }
}
