using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class AdmmTests
{
    [TestMethod]
    public void GroupSoftThresholdShrinksEachColumnByItsNorm()
    {
        // Columns (3, 4) (norm 5), (0.3, 0.4) (norm 0.5) and (0, 0), threshold 1.
        var w = Tensor.FromArray(new double[,] { { 3, 0.3, 0 }, { 4, 0.4, 0 } });
        var v = Admm.GroupSoftThreshold(w, 1).ToArray<double>();
        double[] expected = [3 * 0.8, 0, 0, 4 * 0.8, 0, 0];
        for (var i = 0; i < 6; i++) Assert.AreEqual(expected[i], v[i], 1e-15);
        CollectionAssert.AreEqual(w.ToArray<double>(), Admm.GroupSoftThreshold(w, 0).ToArray<double>());
    }

    /// <summary>A W = W + (c/rho) F^T F W + sigma^2 G^T G W by plain loops over the problem's definition (W [d, 2P] row-major).</summary>
    private static double[] DenseSystemTimes(ConvexProblem p, double[] w, double rho, double c, double sigma)
    {
        var (n, d, pp) = (p.Samples, p.Features, p.Patterns.Count);
        var blocks = 2 * pp;
        var x = p.X.ToArray<double>();
        var m = p.Patterns.Masks.ToArray<double>();
        double XW(int k, int j) => Enumerable.Range(0, d).Sum(c2 => x[k * d + c2] * w[c2 * blocks + j]);
        double Mask(int k, int j) => m[k * pp + j % pp];
        var fw = Enumerable.Range(0, n).Select(k => Enumerable.Range(0, blocks).Sum(j => (j < pp ? 1 : -1) * Mask(k, j) * XW(k, j))).ToArray();
        var result = (double[])w.Clone();
        for (var col = 0; col < d; col++)
            for (var j = 0; j < blocks; j++)
            {
                double fterm = 0, gterm = 0;
                for (var k = 0; k < n; k++)
                {
                    fterm += (j < pp ? 1 : -1) * Mask(k, j) * x[k * d + col] * fw[k];
                    var sign = 2 * Mask(k, j) - 1;
                    gterm += sign * x[k * d + col] * sign * XW(k, j);
                }
                result[col * blocks + j] += c / rho * fterm + sigma * sigma * gterm;
            }
        return result;
    }

    [TestMethod]
    [DataRow(1.0, 1.0, 1.0)]
    [DataRow(0.25, 0.3, 0.4)]
    public void TheFactorisedSolveInvertsTheUStepMatrix(double curvature, double rho, double sigma)
    {
        var (x, y) = ConvexTestData.OneFeatureWithBias(12, ConvexLoss.Squared);
        var p = new ConvexProblem(x, y, PatternSet.Sample(x, 6, 2), 0.1, ConvexLoss.Squared);
        var system = new AdmmSystem(new BlockOperators(p), rho, curvature, sigma);
        var rng = new Random(4);
        var r = Enumerable.Range(0, 2 * 2 * p.Patterns.Count).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var solved = system.Solve(Tensor.Wrap(r, 2, 2 * p.Patterns.Count)).ToArray<double>();
        var back = DenseSystemTimes(p, solved, rho, curvature, sigma);
        for (var i = 0; i < r.Length; i++) Assert.AreEqual(r[i], back[i], 1e-11, $"(A A^-1 r)[{i}]");
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(2.5)]
    public void FirstIterationResidualsMatchTheirDefinitions(double sigma)
    {
        var p = ConvexTestData.EnumerableProblem(ConvexLoss.Squared, n: 20, beta: 0.5);
        const double rho = 0.7;
        var step = Admm.Solve(p, new SolverOptions(MaxIterations: 1, Rho: rho, ConeScale: sigma)).History.Single();
        // From zero: W1 = A^-1 (1/rho) F^T y, V1 = soft-threshold(W1), s1 = max(sigma G W1, 0).
        var ops = new BlockOperators(p);
        var w1 = new AdmmSystem(ops, rho, 1, sigma).Solve(ops.ApplyTransposed(p.Y) * (1 / rho));
        var v1 = Admm.GroupSoftThreshold(w1, p.Beta / rho);
        var g = (ops.Cone(w1) * sigma).ToArray<double>();
        var consensus = (w1 - v1).Square().Sum().Item();
        var slackGap = g.Sum(t => t < 0 ? t * t : 0);
        Assert.AreEqual(Math.Sqrt(consensus + slackGap), step.PrimalResidual, 1e-12);
        var s1 = Tensor.Wrap(g.Select(t => Math.Max(t, 0)).ToArray(), p.Samples, 2 * p.Patterns.Count);
        var dual = rho * Math.Sqrt((v1 + ops.ConeTransposed(s1) * sigma).Square().Sum().Item());
        Assert.AreEqual(dual, step.DualResidual, 1e-12 * Math.Max(1, dual));
    }

    [TestMethod]
    public void SquaredLossRunReachesTheOptimumAndReportsItsMetrics()
    {
        var (p, result) = SolvedProblems.Squared.Value;
        var last = result.History[^1];
        Assert.AreEqual(result.Iterations, result.History.Count);
        // The history describes V; the solution is V projected onto the cones, which moves it by about V's violation.
        Assert.AreEqual(last.Objective, result.Solution.Objective(p), 1e-6 * last.Objective);
        Assert.IsLessThan(1e-5, last.ConstraintViolation);
        Assert.IsLessThan(1e-13, result.Solution.ConstraintViolation(p));
        Assert.IsLessThan(1e-4, last.PrimalResidual);
        // The objective settles: the last 10% of the run moves it by less than 1e-5 relative.
        var late = result.History[result.History.Count * 9 / 10].Objective;
        Assert.AreEqual(late, last.Objective, 1e-5 * last.Objective);
        Assert.IsTrue(result.History.Zip(result.History.Skip(1)).All(s => s.Second.Seconds >= s.First.Seconds));
    }

    [TestMethod]
    public void RunsAreDeterministicReportProgressAndStopOnCancellation()
    {
        var p = ConvexTestData.EnumerableProblem(ConvexLoss.Logistic, n: 20);
        var options = new SolverOptions(MaxIterations: 30, Rho: 0.1);
        var reported = new List<SolverStep>();
        var a = Admm.Solve(p, options, new SyncProgress(reported.Add));
        var b = Admm.Solve(p, options);
        CollectionAssert.AreEqual(a.Solution.U.ToArray<double>(), b.Solution.U.ToArray<double>());
        CollectionAssert.AreEqual(a.Solution.Z.ToArray<double>(), b.Solution.Z.ToArray<double>());
        Assert.HasCount(30, reported);
        Assert.AreEqual(a.History[^1], reported[^1]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = Admm.Solve(p, options, ct: cancelled.Token);
        Assert.AreEqual(0, stopped.Iterations);
        Assert.IsFalse(stopped.Converged);
        Assert.ThrowsExactly<ArgumentException>(() => Admm.Solve(p, options with { Gamma = 2 }));
        Assert.ThrowsExactly<ArgumentException>(() => Admm.Solve(p, options with { Relaxation = 2 }));
        Assert.ThrowsExactly<ArgumentException>(() => Admm.Solve(p, options with { Relaxation = 1.5, Gamma = 1.2 }));
        Assert.ThrowsExactly<ArgumentException>(() => Admm.Solve(p, options with { ConeScale = 0 }));
    }

    [TestMethod]
    public void TheTimeBudgetEndsTheRun()
    {
        var p = ConvexTestData.EnumerableProblem(ConvexLoss.Squared);
        var budget = TimeSpan.FromMilliseconds(150);
        var result = Admm.Solve(p, new SolverOptions(MaxIterations: 1_000_000, Tolerance: 0, TimeBudget: budget));
        Assert.IsFalse(result.Converged);
        Assert.IsGreaterThan(0, result.Iterations);
        Assert.IsLessThan(1_000_000, result.Iterations);
        // The clock is checked before every iteration, so no iteration starts after the budget: every step but the
        // last ends within it, and the run ends only once the budget has passed. (The last step's own time can fall
        // either side: the budget may run out between recording it and the next check. The total adds setup and the
        // final projection, a few milliseconds.)
        Assert.IsLessThan(budget.TotalSeconds, result.History[^2].Seconds);
        Assert.IsGreaterThanOrEqualTo(budget.TotalSeconds, result.Seconds);
        Assert.IsLessThan(budget.TotalSeconds + 1, result.Seconds);
    }

    [TestMethod]
    public void LogisticLossRunDecreasesTheObjective()
    {
        var (p, result) = SolvedProblems.Logistic.Value;
        var zero = p.Samples * Math.Log(2);
        Assert.IsLessThan(zero * 0.8, result.History[^1].Objective);
        var late = result.History[result.History.Count * 9 / 10].Objective;
        Assert.AreEqual(late, result.History[^1].Objective, 1e-3 * late, $"objective at 90%: {late:R}, final: {result.History[^1].Objective:R}");
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<SolverStep> report) : IProgress<SolverStep>
    {
        public void Report(SolverStep value) => report(value);
    }
}
