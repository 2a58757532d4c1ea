using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class MarginPatternsTests
{
    /// <summary>Four xor clusters (gaps between them) and breast-cancer's 30 features (gaps only in the tails).</summary>
    private static IEnumerable<object[]> Sets() => [["xor"], ["breast-cancer"]];

    private static Tensor TrainX(string set) => set == "xor" ? ConvexData.Xor(120, 4, seed: 3).TrainX : ConvexData.Load(set, seed: 1).TrainX;

    [TestMethod]
    [DynamicData(nameof(Sets))]
    public void EveryGateKeepsItsMarginOnEveryRowAndGeneratesItsPattern(string set)
    {
        var x = TrainX(set);
        var (n, d) = (x.Size(0), x.Size(1));
        var data = x.ToArray<double>();
        foreach (var eps in new[] { 0.0, 0.05, 0.1 })
        {
            var patterns = MarginPatterns.Sample(x, 40, eps, seed: 5);
            var (p, gates, masks) = (patterns.Count, patterns.Gates.ToArray<double>(), patterns.Masks.ToArray<double>());
            Assert.IsGreaterThan(1, p, $"{set}, eps {eps}: more than the linear pattern");
            for (var i = 0; i < p; i++)
            {
                var norm1 = 0.0;
                for (var j = 0; j < d - 1; j++) norm1 += Math.Abs(gates[j * p + i]);
                for (var k = 0; k < n; k++)
                {
                    var s = 0.0;
                    for (var j = 0; j < d; j++) s += data[k * d + j] * gates[j * p + i];
                    // The robust cone constraint of the gate itself, with the slack: s_ik x_k^T g >= (1 + slack) eps ||w||_1.
                    var signed = masks[k * p + i] == 1 ? s : -s;
                    Assert.IsGreaterThanOrEqualTo((1 + MarginPatterns.Slack) * eps * norm1 * (1 - 1e-12), signed,
                        $"{set}, eps {eps}: pattern {i}, row {k}: x.g = {s}, ||w||_1 = {norm1}, mask {masks[k * p + i]}");
                    if (eps == 0) Assert.AreNotEqual(0.0, s, "strictly off the hyperplane");
                }
            }
            for (var k = 0; k < n; k++) Assert.AreEqual(1.0, masks[k * p], "the first pattern is the linear neuron's, all ones");
        }
    }

    [TestMethod]
    public void PatternsAreDistinctFewerAtLargerEpsAndReproduciblePerSeed()
    {
        var x = TrainX("breast-cancer");
        var a = MarginPatterns.Sample(x, 60, 0.05, seed: 7);
        var columns = Columns(a.Masks);
        Assert.HasCount(a.Count, columns, "distinct");
        Assert.AreEqual(60, a.Count, "breast-cancer has enough margin patterns at eps 0.05");
        var again = MarginPatterns.Sample(x, 60, 0.05, seed: 7);
        CollectionAssert.AreEqual(a.Gates.ToArray<double>(), again.Gates.ToArray<double>(), "same seed, same gates");
        CollectionAssert.AreEqual(a.Masks.ToArray<double>(), again.Masks.ToArray<double>());
        Assert.IsFalse(columns.SetEquals(Columns(MarginPatterns.Sample(x, 60, 0.05, seed: 8).Masks)), "another seed, other patterns");
        // At a radius wider than any gap only the linear pattern is left.
        Assert.AreEqual(1, MarginPatterns.Sample(x, 10, 100, seed: 7).Count);
    }

    [TestMethod]
    public void BadInputsAreNamedInTheMessage()
    {
        var x = TrainX("xor");
        var negative = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarginPatterns.Sample(x, 10, -0.1, 1));
        StringAssert.Contains(negative.Message, "eps must be finite and >= 0; got -0.1");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarginPatterns.Sample(x, 10, double.NaN, 1));
        var count = Assert.ThrowsExactly<ArgumentException>(() => MarginPatterns.Sample(x, 0, 0.1, 1));
        StringAssert.Contains(count.Message, "count 0");
        var dtype = Assert.ThrowsExactly<ArgumentException>(() => MarginPatterns.Sample(x.To(DType.Float32), 10, 0.1, 1));
        StringAssert.Contains(dtype.Message, "Float32 (120,3)");
        var rank = Assert.ThrowsExactly<ArgumentException>(() => MarginPatterns.Sample(x.Reshape(-1), 10, 0.1, 1));
        StringAssert.Contains(rank.Message, "(360)");
        var noBias = Assert.ThrowsExactly<ArgumentException>(() => MarginPatterns.Sample(ConvexDataSet.WithoutBias(x).Contiguous(), 10, 0.1, 1));
        StringAssert.Contains(noBias.Message, "bias column, all ones");
        StringAssert.Contains(noBias.Message, "(120,2)");
        var biasOnly = Assert.ThrowsExactly<ArgumentException>(() => MarginPatterns.Sample(Tensor.Ones([5, 1], DType.Float64), 10, 0.1, 1));
        StringAssert.Contains(biasOnly.Message, "at least one feature besides the bias column");
    }

    [TestMethod]
    public void TheExactRobustProgramOnMarginPatternsFitsBetterAndResistsPgdBetterThanOnSampledPatternsOrTheStandardModel()
    {
        const double eps = 0.05, beta = 1;
        const int patterns = 20;
        var data = ConvexData.Load("breast-cancer", seed: 1);
        var (testX, trainX) = (ConvexDataSet.WithoutBias(data.TestX), ConvexDataSet.WithoutBias(data.TrainX));
        var attack = new PgdOptions(eps, Steps: 20, Restarts: 2, Seed: 1);
        double PgdAccuracy(Engine.Nn.Sequential net) => Attacks.Accuracy(net, Attacks.Pgd(net, testX, data.TestY, attack, ConvexLoss.Logistic), data.TestY);
        ConvexProblem Problem(PatternSet set) => new(data.TrainX, data.TrainY, set, beta, ConvexLoss.Logistic);

        var sampled = Problem(PatternSet.Sample(data.TrainX, patterns, seed: 1));
        var standard = Recovery.ToNetwork(Admm.Solve(sampled, new SolverOptions(MaxIterations: 1000, Tolerance: 1e-8)).Solution, biasColumnLast: true);
        var options = new SolverOptions(MaxIterations: 1500, Tolerance: 1e-8);
        var onSampled = RobustConvex.Solve(sampled, eps, options);
        var margin = Problem(MarginPatterns.Sample(data.TrainX, patterns, eps, seed: 1));
        var onMargin = RobustConvex.Solve(margin, eps, options);
        var net = Recovery.ToNetwork(onMargin.Run.Solution, biasColumnLast: true);
        double robustAccuracy = PgdAccuracy(net), standardAccuracy = PgdAccuracy(standard), sampledAccuracy = PgdAccuracy(Recovery.ToNetwork(onSampled.Run.Solution, biasColumnLast: true));
        var message = $"PGD test accuracy: robust on margin patterns {robustAccuracy}, on sampled patterns {sampledAccuracy}, standard {standardAccuracy}; robust objectives {onMargin.RobustObjective} (margin), {onSampled.RobustObjective} (sampled)";
        // Random gates leave most robust blocks no room (forced to zero): the exact program's optimum on margin patterns
        // is far lower, and its network resists PGD better than both others.
        Assert.IsLessThan(0.5 * onSampled.RobustObjective, onMargin.RobustObjective, message);
        Assert.IsGreaterThanOrEqualTo(standardAccuracy, robustAccuracy, message);
        Assert.IsGreaterThan(sampledAccuracy, robustAccuracy, message);
        // The certificate still bounds the attack on the training set.
        var pgdTrainLoss = Attacks.Losses(net, Attacks.Pgd(net, trainX, data.TrainY, attack, ConvexLoss.Logistic), data.TrainY, ConvexLoss.Logistic).Sum().Item();
        Assert.IsGreaterThanOrEqualTo(pgdTrainLoss - 1e-9, onMargin.CertifiedLoss, message);
    }

    private static HashSet<string> Columns(Tensor masks)
    {
        var (n, p) = (masks.Shape[0], masks.Shape[1]);
        var m = masks.ToArray<double>();
        return [.. Enumerable.Range(0, p).Select(i => string.Concat(Enumerable.Range(0, n).Select(k => m[k * p + i] > 0 ? '1' : '0')))];
    }
}
