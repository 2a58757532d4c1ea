using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class NonconvexBaselineTests
{
    [TestMethod]
    [DataRow(BaselineOptimizer.Adam, 1e-2)]
    [DataRow(BaselineOptimizer.Sgd, 1e-3)]
    public void TrainingLowersTheRegularisedObjective(BaselineOptimizer optimizer, double lr)
    {
        var (x, y) = ConvexStudies.EnumerableData(20, seed: 3);
        var r = NonconvexBaseline.Train(x, y, 0.5, ConvexLoss.Squared, new BaselineOptions(8, optimizer, lr, MaxIterations: 300, Seed: 4));
        Assert.AreEqual(300, r.Iterations);
        Assert.AreEqual(300, r.History.Count);
        Assert.IsTrue(r.Objective < 0.5 * r.History[0].Objective, $"{r.History[0].Objective} -> {r.Objective}");
        // The objective the baseline reports is the one Recovery evaluates for recovered networks.
        Assert.AreEqual(Recovery.NonconvexObjective(r.Network, x, y, 0.5, ConvexLoss.Squared), r.Objective, 1e-12 * r.Objective);
        Assert.IsTrue(r.History.Zip(r.History.Skip(1)).All(q => q.Second.Seconds >= q.First.Seconds));
    }

    [TestMethod]
    public void KeepBestReturnsTheLowestNetworkAlongASpikyPath()
    {
        // A learning rate this large makes Adam's path spiky: the last iterate is not the best one.
        var (x, y) = ConvexStudies.EnumerableData(20, seed: 3);
        var options = new BaselineOptions(8, LearningRate: 0.5, MaxIterations: 150, Seed: 4);
        var last = NonconvexBaseline.Train(x, y, 0.5, ConvexLoss.Squared, options);
        var lowest = last.History.Min(s => s.Objective);
        Assert.IsGreaterThan(lowest * 1.005, last.Objective, "the test needs a path whose end is above its lowest point");
        var best = NonconvexBaseline.Train(x, y, 0.5, ConvexLoss.Squared, options with { KeepBest = true });
        Assert.AreEqual(lowest, best.Objective, 1e-12 * lowest, "the same path, so the same lowest point");
        Assert.AreEqual(lowest, Recovery.NonconvexObjective(best.Network, x, y, 0.5, ConvexLoss.Squared), 1e-12 * lowest, "the returned network is that point");
    }

    [TestMethod]
    public void LogisticObjectiveMatchesRecovery()
    {
        var (x, y) = ConvexStudies.EnumerableData(20, seed: 3);
        var labels = Tensor.Where(y.Gt(0), Tensor.Ones([20], DType.Float64), -1.0);
        var r = NonconvexBaseline.Train(x, labels, 0.1, ConvexLoss.Logistic, new BaselineOptions(4, MaxIterations: 50));
        Assert.AreEqual(Recovery.NonconvexObjective(r.Network, x, labels, 0.1, ConvexLoss.Logistic), r.Objective, 1e-12 * r.Objective);
    }

    [TestMethod]
    public void RejectsBadInputs()
    {
        var (x, y) = ConvexStudies.EnumerableData(20);
        var e = Assert.ThrowsExactly<ArgumentException>(() => NonconvexBaseline.Train(x, y.Narrow(0, 0, 5), 1, ConvexLoss.Squared, new BaselineOptions(4)));
        StringAssert.Contains(e.Message, "(5)");
        Assert.ThrowsExactly<ArgumentException>(() => NonconvexBaseline.Train(x, y, 1, ConvexLoss.Squared, new BaselineOptions(0)));
        Assert.ThrowsExactly<ArgumentException>(() => NonconvexBaseline.TrainRestarts(x, y, 1, ConvexLoss.Squared, new BaselineOptions(4), 0));
    }
}
