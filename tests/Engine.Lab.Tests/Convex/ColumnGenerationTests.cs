using Engine.Lab.Convex;
using Engine.Nn;

namespace Engine.Lab.Tests.Convex;

/// <summary>The pieces that move ADMM off a fixed random pattern set: the network lift and ADMM's start at a primal
/// point, the dual-certificate search, the state extension and pattern growth.</summary>
[TestClass]
public sealed class ColumnGenerationTests
{
    /// <summary>A random Linear(3, m) -> ReLU -> Linear(m, 1) float64 network without biases.</summary>
    private static Sequential RandomNetwork(int m, ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(3, m, bias: false, DType.Float64, generator: g), new Relu(), new Linear(m, 1, bias: false, DType.Float64, generator: g));
    }

    private static (Tensor X, Tensor Y) ThreeFeatures(int n)
    {
        var x = Tensor.Randn([n, 3], DType.Float64, new Generator(5));
        var y = Tensor.Randn([n], DType.Float64, new Generator(6));
        return (x, y);
    }

    [TestMethod]
    public void TheLiftedPointPredictsLikeTheNetworkIsFeasibleAndCostsNoMore()
    {
        var (x, y) = ThreeFeatures(40);
        var net = RandomNetwork(12, 3);
        var extra = Tensor.Randn([3, 20], DType.Float64, new Generator(9));
        var lifted = NetworkLift.Lift(x, net, extra);
        var p = new ConvexProblem(x, y, lifted.Patterns, 0.3, ConvexLoss.Squared);
        Tensor predicted;
        using (Autograd.NoGrad()) predicted = net.Forward(x).Reshape(-1);
        var difference = (lifted.Point.Predict(p) - predicted).Abs().Max().Item();
        Assert.IsLessThan(1e-12, difference, "the lift reproduces the network on X");
        Assert.IsLessThan(1e-12, lifted.Point.ConstraintViolation(p), "each neuron lies in its pattern's cone");
        Assert.IsLessThanOrEqualTo(Recovery.NonconvexObjective(net, x, y, 0.3, ConvexLoss.Squared) + 1e-12, lifted.Point.Objective(p), "AM-GM: the lift costs no more");
        // The neurons' patterns come first, then the extra gates' new ones.
        Assert.IsLessThanOrEqualTo(12, lifted.NeuronPatterns);
        Assert.AreEqual(PatternSet.FromGates(x, Tensor.Cat([((Linear)net[0]).Weight.Detach().T, extra], 1).Contiguous()).Count, lifted.Patterns.Count);
        // Recovering the lifted point gives back the network's function.
        var back = Recovery.ToNetwork(lifted.Point);
        using (Autograd.NoGrad())
            Assert.IsLessThan(1e-12, (back.Forward(x).Reshape(-1) - predicted).Abs().Max().Item());
    }

    [TestMethod]
    public void TheLiftRefusesOtherNetworks()
    {
        var (x, _) = ThreeFeatures(10);
        var withBias = new Sequential(new Linear(3, 4, bias: true, DType.Float64), new Relu(), new Linear(4, 1, bias: false, DType.Float64));
        var error = Assert.ThrowsExactly<ArgumentException>(() => NetworkLift.Lift(x, withBias));
        StringAssert.Contains(error.Message, "NetworkLift.Lift");
        Assert.ThrowsExactly<ArgumentException>(() => NetworkLift.Lift(x, new Sequential(new Linear(2, 4, bias: false, DType.Float64), new Relu(), new Linear(4, 1, bias: false, DType.Float64))));
    }

    [TestMethod]
    public void AdmmStartedAtTheOptimumBeginsNearIt()
    {
        var (p, solved) = SolvedProblems.Squared.Value;
        var optimum = solved.Solution.Objective(p);
        var options = new SolverOptions(MaxIterations: 20, Tolerance: 0, Rho: 0.03);
        var warm = Admm.SolveFrom(p, options, Admm.StartAt(p, solved.Solution, options)).Result;
        var cold = Admm.Solve(p, options);
        // The start carries the consensus dual (so the first V-step keeps the point) but not the cone duals, so ADMM
        // drifts off the optimum in its first iterations; its first iterate is still far closer than a cold start's.
        var (warmGap, coldGap) = (warm.History[0].Objective - optimum, cold.History[0].Objective - optimum);
        Assert.IsLessThan(0.2 * coldGap, Math.Abs(warmGap), $"first iterate: warm gap {warmGap}, cold gap {coldGap}, optimum {optimum}");
        Assert.IsGreaterThan(optimum * 0.01, coldGap, "20 iterations from zero are far from the optimum");
        var error = Assert.ThrowsExactly<ArgumentException>(() => Admm.StartAt(p, new ConvexSolution(Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([2, 3], DType.Float64)), options));
        StringAssert.Contains(error.Message, "Admm.StartAt");
    }

    [TestMethod]
    public void ExtendingTheStateKeepsTheOldBlocksAndAddsZeroOnes()
    {
        var (x, y) = ThreeFeatures(30);
        var p = new ConvexProblem(x, y, PatternSet.Sample(x, 5, 1), 0.1, ConvexLoss.Squared);
        var (_, state) = Admm.SolveFrom(p, new SolverOptions(MaxIterations: 15), null);
        var extended = state.Extend(3);
        Assert.AreEqual(p.Patterns.Count + 3, extended.Patterns);
        var (old, next) = (p.Patterns.Count, extended.Patterns);
        foreach (var (before, after) in new[] { (state.W, extended.W), (state.V, extended.V), (state.Lambda, extended.Lambda), (state.S, extended.S), (state.Nu, extended.Nu) })
        {
            var (a, b) = (before.ToArray<double>(), after.ToArray<double>());
            var rows = before.Shape[0];
            for (var r = 0; r < rows; r++)
                for (var j = 0; j < next; j++)
                {
                    Assert.AreEqual(j < old ? a[r * 2 * old + j] : 0, b[r * 2 * next + j], $"u block {j}, row {r}");
                    Assert.AreEqual(j < old ? a[r * 2 * old + old + j] : 0, b[r * 2 * next + next + j], $"z block {j}, row {r}");
                }
        }
        Assert.ThrowsExactly<ArgumentException>(() => state.Extend(-1));
    }

    [TestMethod]
    public void TheSearchReportsTrueValuesAndFindsTheBestGateInTwoDimensions()
    {
        var (x, y) = ConvexTestData.OneFeatureWithBias(50, ConvexLoss.Squared);
        var theta = y; // -l'(0) for the squared loss at the zero point
        var found = PatternSearch.Search(x, theta, 30, 10, 4);
        var (xs, ts) = (x.ToArray<double>(), theta.ToArray<double>());
        double Value(double g0, double g1) => Math.Abs(Enumerable.Range(0, 50).Sum(k => ts[k] * Math.Max(0, xs[2 * k] * g0 + xs[2 * k + 1] * g1)));
        var gates = found.Gates.ToArray<double>();
        var count = found.Values.Length;
        for (var i = 0; i < count; i++)
        {
            var (g0, g1) = (gates[i], gates[count + i]);
            Assert.AreEqual(1, Math.Sqrt(g0 * g0 + g1 * g1), 1e-12, "unit gates");
            Assert.AreEqual(Value(g0, g1), found.Values[i], 1e-9, "the reported value is |theta^T (X g)_+|");
            if (i > 0) Assert.IsLessThanOrEqualTo(found.Values[i - 1], found.Values[i], "sorted");
        }
        // The maximum over the unit circle, by a fine grid of angles.
        var grid = Enumerable.Range(0, 20000).Max(a => Value(Math.Cos(a * Math.PI / 10000), Math.Sin(a * Math.PI / 10000)));
        Assert.IsGreaterThanOrEqualTo(grid * (1 - 1e-6), found.Largest, $"search {found.Largest} vs grid {grid}");
        Assert.IsLessThanOrEqualTo(grid * (1 + 1e-6), found.Largest);
    }

    [TestMethod]
    public void AtTheExactOptimumTheSearchFindsNothingAboveBeta()
    {
        var (p, solved) = SolvedProblems.Squared.Value;
        var theta = -ConvexLosses.Derivative(solved.Solution.Predict(p), p.Y, p.Loss);
        var found = PatternSearch.Search(p.X, theta, 50, 20, 2);
        Assert.IsLessThan(p.Beta * 1.01, found.Largest, "the optimum over all patterns satisfies the dual certificate");
        var atZero = PatternSearch.Search(p.X, -ConvexLosses.Derivative(Tensor.Zeros([p.Samples], DType.Float64), p.Y, p.Loss), 50, 20, 2);
        Assert.IsGreaterThan(p.Beta * 2, atZero.Largest, "zero is not optimal, and the search says so");
    }

    [TestMethod]
    public void GrowthFromThreePatternsReachesTheFullProgramsOptimum()
    {
        var (p, solved) = SolvedProblems.Squared.Value;
        var optimum = solved.Solution.Objective(p);
        var start = PatternSet.Sample(p.X, 3, 7);
        var fixedRun = Admm.Solve(new ConvexProblem(p.X, p.Y, start, p.Beta, p.Loss), new SolverOptions(MaxIterations: 600, Tolerance: 1e-9, Rho: 0.03));
        var grown = PatternGrowth.Solve(p.X, p.Y, p.Beta, p.Loss, start, new SolverOptions(Tolerance: 1e-9, Rho: 0.03),
            new PatternGrowthOptions(Rounds: 6, IterationsPerRound: 600, AddPerRound: 10, SearchStarts: 40, Seed: 3));
        Assert.IsGreaterThan(start.Count, grown.Problem.Patterns.Count, "patterns were added");
        var objective = grown.Run.Solution.Objective(grown.Problem);
        Assert.IsLessThan(fixedRun.Solution.Objective(new ConvexProblem(p.X, p.Y, start, p.Beta, p.Loss)) - 1e-3, objective, "growth beats the three sampled patterns");
        Assert.AreEqual(optimum, objective, 2e-3 * optimum, $"the grown program reaches the full optimum {optimum}");
        Assert.IsGreaterThanOrEqualTo(optimum - 1e-6 * optimum, objective + 1e-4, "no pattern subset goes below the full optimum");
        for (var i = 1; i < grown.Rounds.Count; i++)
            Assert.IsLessThanOrEqualTo(grown.Rounds[i - 1].Objective + 1e-3, grown.Rounds[i].Objective, "rounds do not get worse");
        Assert.ThrowsExactly<ArgumentException>(() => PatternGrowth.Solve(p.X, p.Y, p.Beta, p.Loss, start, new SolverOptions(), new PatternGrowthOptions(Rounds: 0)));
    }
}
