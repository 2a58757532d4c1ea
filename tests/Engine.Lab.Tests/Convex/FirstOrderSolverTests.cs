using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class FirstOrderSolverTests
{
    private static ConvexProblem Enumerated(double beta, ConvexLoss loss, int n = 12)
    {
        var (x, y) = ConvexStudies.EnumerableData(n, seed: 3);
        if (loss == ConvexLoss.Logistic) y = Tensor.Where(y.Gt(0), Tensor.Ones([n], DType.Float64), -1.0);
        return new ConvexProblem(x, y, PatternSet.Enumerate(x), beta, loss);
    }

    [TestMethod]
    [DataRow(ConvexLoss.Squared)]
    [DataRow(ConvexLoss.Logistic)]
    public void FistaReachesTheGatedOptimumByItsDualityGap(ConvexLoss loss)
    {
        var p = Enumerated(1, loss);
        var r = Fista.SolveGated(p, new SolverOptions(MaxIterations: 20000, Tolerance: 1e-10));
        var gap = GatedDualityGap.Relative(p, r.Solution);
        Assert.IsTrue(r.Converged, $"{r.Iterations} iterations");
        Assert.IsTrue(gap >= -1e-12 && gap <= 1e-6, $"relative duality gap {gap}");
        Assert.AreEqual(r.Solution.Objective(p), r.History[^1].Objective, 1e-12 * r.History[^1].Objective);
        Assert.IsTrue(r.History.All(s => s.ConstraintViolation == 0 && s.Seconds >= 0));
        // A few iterations from zero are far from the optimum, and the certificate says so.
        var early = Fista.SolveGated(p, new SolverOptions(MaxIterations: 3));
        Assert.IsFalse(early.Converged);
        Assert.IsTrue(GatedDualityGap.Relative(p, early.Solution) > 1e-3);
    }

    [TestMethod]
    public void FistaRejectsBadOptions()
    {
        var p = Enumerated(1, ConvexLoss.Squared);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Fista.SolveGated(p, new SolverOptions(MaxIterations: 0)));
        StringAssert.Contains(e.Message, "Fista.SolveGated");
    }

    [TestMethod]
    public void AugmentedLagrangianSolvesTheReluProgram()
    {
        var p = Enumerated(2, ConvexLoss.Squared);
        var al = AugmentedLagrangian.Solve(p, new SolverOptions(MaxIterations: 40000));
        Assert.IsTrue(al.Converged, $"{al.Iterations} iterations, violation {al.Solution.ConstraintViolation(p)}");
        Assert.IsTrue(al.Solution.ConstraintViolation(p) <= 1e-7);
        var objective = al.Solution.Objective(p);
        // The gated program relaxes the ReLU one.
        var gated = Fista.SolveGated(p, new SolverOptions(MaxIterations: 20000, Tolerance: 1e-10)).Solution;
        Assert.IsTrue(gated.Objective(p) <= objective * (1 + 1e-7), $"gated {gated.Objective(p)} > ReLU {objective}");
        // The recovered network attains the convex objective.
        var network = Recovery.ToNetwork(al.Solution);
        Assert.AreEqual(objective, Recovery.NonconvexObjective(network, p.X, p.Y, p.Beta, p.Loss), 1e-6 * objective);
        Assert.IsTrue(al.History.Select(s => s.Iteration).SequenceEqual(Enumerable.Range(1, al.Iterations)));
    }
}
