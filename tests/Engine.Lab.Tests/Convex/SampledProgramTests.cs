using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class SampledProgramTests
{
    [TestMethod]
    public void ConeDecompositionKeepsPredictionsAndIsFeasible()
    {
        var (x, y) = ConvexStudies.EnumerableData(30, seed: 5);
        var scp = SampledConvexProgram.Solve(x, y, 0.5, ConvexLoss.Squared, 40, seed: 1, new SolverOptions(MaxIterations: 20000, Tolerance: 1e-10));
        var p = scp.Problem;
        var gated = scp.Gated.Solution;
        Assert.IsTrue(gated.ConstraintViolation(p) > 1e-6, "the test needs gated weights outside their cones");
        Assert.IsTrue(scp.Relu.ConstraintViolation(p) <= 1e-10, $"violation {scp.Relu.ConstraintViolation(p)}");
        var expected = gated.Predict(p).ToArray<double>();
        var convex = scp.Relu.Predict(p).ToArray<double>();
        var network = scp.Network.Forward(x).Reshape(-1).ToArray<double>();
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.AreEqual(expected[k], convex[k], 1e-10);
            Assert.AreEqual(expected[k], network[k], 1e-10);
        }
        // The decomposition pays for the cones: the network's objective is its convex objective, above the gated one.
        Assert.AreEqual(scp.Relu.Objective(p), scp.RecoveredObjective, 1e-9 * scp.RecoveredObjective);
        Assert.IsTrue(scp.RecoveredObjective >= scp.GatedObjective);
    }

    [TestMethod]
    public void ConeDecompositionRejectsGatesWithoutMargin()
    {
        var x = Tensor.FromArray(new[] { 1.0, 0, 0, 1 }, 2, 2);
        // Gate (1, 0) gives pattern {row 0}, but sits on row 1's hyperplane: a weight with X_1 w < 0 cannot be repaired.
        var p = new ConvexProblem(x, Tensor.Zeros([2], DType.Float64), PatternSet.FromGates(x, Tensor.FromArray(new[] { 1.0, 0 }, 2, 1)), 1, ConvexLoss.Squared);
        var e = Assert.ThrowsExactly<ArgumentException>(() => SampledConvexProgram.ConeDecomposition(p, Tensor.FromArray(new[] { 1.0, -1 }, 2, 1)));
        StringAssert.Contains(e.Message, "ConeDecomposition");
        Assert.ThrowsExactly<ArgumentException>(() => SampledConvexProgram.ConeDecomposition(p, Tensor.Zeros([3, 1], DType.Float64)));
    }

    [TestMethod]
    public void GapToTheFullProgramIsNonNegativeAndVanishesWhenTheSampleCoversIt()
    {
        var (x, y) = ConvexStudies.EnumerableData(12, seed: 3);
        var options = new SolverOptions(MaxIterations: 40000);
        var full = new ConvexProblem(x, y, PatternSet.Enumerate(x), 2, ConvexLoss.Squared);
        var optimum = AugmentedLagrangian.Solve(full, options).Solution.Objective(full);
        var points = SampledConvexProgram.GapStudy(x, y, 2, ConvexLoss.Squared, [2, 8, 200], optimum, options);
        foreach (var point in points) Console.WriteLine(point);
        Assert.IsTrue(points.All(q => q.RecoveredGap >= -1e-6 && q.ConstrainedGap >= -1e-6));
        Assert.IsTrue(points[0].ConstrainedGap > 1e-3, "two gates should miss the optimal patterns");
        Assert.IsTrue(points[^1].ConstrainedGap <= 1e-5, "200 gates find every pattern of 12 points on a line");
    }
}
