using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class RecoveryKktTests
{
    [TestMethod]
    public void RecoveryOfAFeasiblePointIsExact()
    {
        // u_i = a_i g_i is feasible for pattern i by construction (its own gate), so the network must reproduce the
        // convex predictions and objective to rounding.
        var p = ConvexTestData.EnumerableProblem(ConvexLoss.Squared, n: 25);
        var gates = p.Patterns.Gates;
        var count = p.Patterns.Count;
        var scaleU = Tensor.Wrap(Enumerable.Range(0, count).Select(i => i % 3 == 0 ? 0.5 + i * 0.01 : 0).ToArray(), 1, count);
        var scaleZ = Tensor.Wrap(Enumerable.Range(0, count).Select(i => i % 5 == 1 ? 0.3 : 0).ToArray(), 1, count);
        var s = new ConvexSolution((gates * scaleU).Contiguous(), (gates * scaleZ).Contiguous());
        Assert.AreEqual(0, s.ConstraintViolation(p));
        var net = Recovery.ToNetwork(s, biasColumnLast: true);
        CollectionAssert.AreEquivalent(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, net.StateDict().Keys.ToArray());
        Assert.AreEqual(s.ActiveNeurons(), net.StateDict()["0.weight"].Shape[0]);
        var features = p.X.Narrow(1, 0, 1).Contiguous();
        var diff = (net.Forward(features).Reshape(-1) - s.Predict(p)).Abs().Max().Item();
        Assert.IsLessThan(1e-12, diff);
        Assert.AreEqual(s.Objective(p), Recovery.NonconvexObjective(net, features, p.Y, p.Beta, p.Loss), 1e-12 * s.Objective(p));
        // Without the bias option the bias column stays an input.
        var plain = Recovery.ToNetwork(s);
        CollectionAssert.AreEquivalent(new[] { "0.weight", "2.weight", "2.bias" }, plain.StateDict().Keys.ToArray());
        Assert.IsLessThan(1e-12, (plain.Forward(p.X).Reshape(-1) - s.Predict(p)).Abs().Max().Item());
    }

    [TestMethod]
    public void RecoveryOfAdmmSolutionsIsExact()
    {
        foreach (var (p, result) in new[] { SolvedProblems.Squared.Value, SolvedProblems.Logistic.Value })
        {
            var s = result.Solution;
            Assert.IsLessThan(1e-13, s.ConstraintViolation(p), $"{p.Loss}");
            var net = Recovery.ToNetwork(s, biasColumnLast: true);
            var features = p.X.Narrow(1, 0, 1).Contiguous();
            var diff = (net.Forward(features).Reshape(-1) - s.Predict(p)).Abs().Max().Item();
            Assert.IsLessThan(1e-8, diff, $"{p.Loss}: recovered vs convex predictions");
            var convex = s.Objective(p);
            var recovered = Recovery.NonconvexObjective(net, features, p.Y, p.Beta, p.Loss);
            Assert.AreEqual(convex, recovered, 1e-6 * convex, $"{p.Loss}: recovered {recovered:R}, convex {convex:R}");
            // The projection that made the point feasible moved the objective by less than 1e-6 relative.
            Assert.AreEqual(result.History[^1].Objective, convex, 1e-6 * convex, $"{p.Loss}");
        }
    }

    [TestMethod]
    public void AdmmSolutionsSatisfyTheKktConditions()
    {
        foreach (var (p, result) in new[] { SolvedProblems.Squared.Value, SolvedProblems.Logistic.Value })
        {
            var report = Kkt.Check(p, result.Solution, activeTolerance: 1e-4);
            Console.WriteLine($"{p.Loss}: {report}");
            Assert.IsLessThan(0.02 * p.Beta, report.Stationarity, report.ToString());
            Assert.IsLessThan(1e-13, report.PrimalFeasibility, report.ToString());
            Assert.IsLessThan(p.Loss == ConvexLoss.Squared ? 1e-6 : 1e-4, report.ComplementarySlackness, report.ToString());
            // A point that is not optimal fails the check: zero weights leave the full loss gradient uncancelled.
            var zero = new ConvexSolution(Tensor.ZerosLike(result.Solution.U), Tensor.ZerosLike(result.Solution.Z));
            Assert.IsGreaterThan(0.1 * p.Beta, Kkt.Check(p, zero).Stationarity);
        }
    }
}
