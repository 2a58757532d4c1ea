using Engine.Lab.Convex;
using Engine.Nn;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class RobustConvexTests
{
    private static ConvexProblem SmallProblem(ConvexLoss loss, int n = 40, int patterns = 12, double beta = 0.5)
    {
        var data = ConvexData.Xor(n, 4, seed: 9);
        return new ConvexProblem(data.TrainX, data.TrainY, PatternSet.Sample(data.TrainX, patterns, seed: 2), beta, loss);
    }

    /// <summary>The worst loss of the fixed-pattern model sum_i d_ik (x + delta)^T (u_i - z_i) over the box, by brute
    /// force: the loss is convex in delta, so its maximum over the box (2 perturbable coordinates here) is at one of
    /// the 4 corners.</summary>
    private static double BruteForceWorstLoss(ConvexProblem p, Tensor u, Tensor z, double eps)
    {
        var x = p.X.ToArray<double>();
        var y = p.Y.ToArray<double>();
        var m = p.Patterns.Masks.ToArray<double>();
        var w = (u - z).Contiguous().ToArray<double>();
        int n = p.X.Size(0), d = p.X.Size(1), count = p.Patterns.Count;
        var total = 0.0;
        for (var k = 0; k < n; k++)
        {
            var worst = double.NegativeInfinity;
            foreach (var (s0, s1) in new[] { (1, 1), (1, -1), (-1, 1), (-1, -1) })
            {
                double[] point = [x[k * d] + s0 * eps, x[k * d + 1] + s1 * eps, x[k * d + 2]];
                var f = 0.0;
                for (var i = 0; i < count; i++)
                    for (var j = 0; j < d; j++)
                        f += m[k * count + i] * point[j] * w[j * count + i];
                var l = p.Loss == ConvexLoss.Logistic ? Math.Log(1 + Math.Exp(-y[k] * f)) : 0.5 * (f - y[k]) * (f - y[k]);
                worst = Math.Max(worst, l);
            }
            total += worst;
        }
        return total;
    }

    [TestMethod]
    [DataRow(ConvexLoss.Logistic)]
    [DataRow(ConvexLoss.Squared)]
    public void RobustObjectiveIsTheBruteForceWorstCaseOfTheFixedPatternModel(ConvexLoss loss)
    {
        var p = SmallProblem(loss);
        var u = Tensor.Randn([3, p.Patterns.Count], DType.Float64, new Generator(1)) * 0.3;
        var z = Tensor.Randn([3, p.Patterns.Count], DType.Float64, new Generator(2)) * 0.3;
        const double eps = 0.1;
        var norms = (u.Square().Sum(0).Sqrt().Sum() + z.Square().Sum(0).Sqrt().Sum()).Item();
        var expected = BruteForceWorstLoss(p, u, z, eps) + p.Beta * norms;
        Assert.AreEqual(expected, RobustConvex.Objective(p, new ConvexSolution(u, z), eps), 1e-10 * expected);
        Assert.AreEqual(new ConvexSolution(u, z).Objective(p), RobustConvex.Objective(p, new ConvexSolution(u, z), 0), 1e-10 * expected, "eps = 0 is the standard objective");
    }

    [TestMethod]
    public void OutputBoundsContainEveryPerturbedOutputAndAreAttainedWhenAllUnitsAreStable()
    {
        // Stable everywhere: the bounds are exact, attained at box corners.
        var stable = AttacksTests.AlwaysOnNetwork();
        var x = Tensor.FromArray(new[] { 0.1, -0.2, 0.3, -0.5, 0.4, 0.0 }, 2, 3);
        const double eps = 0.25;
        var (lower, upper) = RobustConvex.OutputBounds(stable, x, eps);
        var corners = Corners(x, eps);
        using (Autograd.NoGrad())
        {
            var outputs = corners.Select(c => stable.Forward(c).Reshape(-1).ToArray<double>()).ToArray();
            for (var k = 0; k < 2; k++)
            {
                Assert.AreEqual(outputs.Min(o => o[k]), lower.ToArray<double>()[k], 1e-12);
                Assert.AreEqual(outputs.Max(o => o[k]), upper.ToArray<double>()[k], 1e-12);
            }

            // A random net with units switching inside the boxes: still bounds, checked on random points of each box.
            var net = new Sequential(new Linear(3, 12, dtype: DType.Float64, generator: new Generator(7)), new Relu(), new Linear(12, 1, dtype: DType.Float64, generator: new Generator(8)));
            var points = Tensor.Randn([20, 3], DType.Float64, new Generator(9)) * 0.3;
            var (lo, hi) = RobustConvex.OutputBounds(net, points, 0.4);
            var generator = new Generator(10);
            for (var trial = 0; trial < 200; trial++)
            {
                var f = net.Forward(points + (Tensor.RandLike(points, generator) * 2 - 1) * 0.4).Reshape(-1);
                Assert.AreEqual(0, f.Lt(lo - 1e-12).Sum().Item() + f.Gt(hi + 1e-12).Sum().Item(), "outputs outside the bounds");
            }
        }
    }

    private static IEnumerable<Tensor> Corners(Tensor x, double eps)
    {
        for (var mask = 0; mask < 8; mask++)
        {
            var sign = Tensor.FromArray(Enumerable.Range(0, 3).Select(j => (mask >> j & 1) == 1 ? eps : -eps).ToArray(), 1, 3);
            yield return x + sign;
        }
    }

    [TestMethod]
    public void SolveIsFeasibleAndItsCertificateBoundsAStrongPgdAttack()
    {
        var p = SmallProblem(ConvexLoss.Logistic);
        const double eps = 0.05;
        var result = RobustConvex.Solve(p, eps, new SolverOptions(MaxIterations: 3000, Tolerance: 1e-9));
        Console.WriteLine($"robust objective {result.RobustObjective}, violation {result.RobustConstraintViolation}, certified {result.CertifiedLoss}");
        Assert.IsLessThanOrEqualTo(0.02, result.RobustConstraintViolation, "robust cones nearly hold (a first-order method after 3,000 iterations)");
        var net = Recovery.ToNetwork(result.Run.Solution, biasColumnLast: true);
        var inputs = ConvexDataSet.WithoutBias(p.X);
        var attacked = Attacks.Pgd(net, inputs, p.Y, new PgdOptions(eps, Steps: 100, Restarts: 10, Seed: 3), p.Loss);
        var pgdLoss = Attacks.Losses(net, attacked, p.Y, p.Loss).Sum().Item();
        var cleanLoss = Attacks.Losses(net, inputs, p.Y, p.Loss).Sum().Item();
        Assert.IsGreaterThan(cleanLoss, pgdLoss, "the attack finds something");
        Assert.IsLessThanOrEqualTo(result.CertifiedLoss + 1e-9, pgdLoss, $"certified {result.CertifiedLoss} >= PGD {pgdLoss}");
        // With the constraints (nearly) holding, the certificate is the program's own worst-case loss, and PGD on a
        // network linear over each box reaches it.
        var regulariser = p.Beta * (Norms(result.Run.Solution.U) + Norms(result.Run.Solution.Z));
        Console.WriteLine($"PGD loss {pgdLoss}, clean {cleanLoss}, program's worst-case loss {result.RobustObjective - regulariser}");
        Assert.AreEqual(result.RobustObjective - regulariser, result.CertifiedLoss, 0.05 * result.CertifiedLoss);
        Assert.AreEqual(result.CertifiedLoss, pgdLoss, 0.05 * result.CertifiedLoss);

        // Robustness costs: the robust optimum is above the standard one, which the same solver reaches at eps = 0.
        var standard = RobustConvex.Solve(p, 0, new SolverOptions(MaxIterations: 3000, Tolerance: 1e-9));
        Assert.IsGreaterThan(standard.RobustObjective, result.RobustObjective);
        Assert.AreEqual(standard.RobustObjective, standard.Run.Solution.Objective(p), 1e-9 * standard.RobustObjective);
        var admm = Admm.Solve(p, new SolverOptions(MaxIterations: 5000, Tolerance: 1e-10));
        Console.WriteLine($"eps = 0: {standard.RobustObjective} (violation {standard.RobustConstraintViolation}), ADMM {admm.Solution.Objective(p)} (violation {admm.Solution.ConstraintViolation(p)})");
        // A first-order method: after 3,000 iterations it is within ~4e-4 of ADMM's optimum (measured 4.3e-4).
        Assert.AreEqual(admm.Solution.Objective(p), standard.RobustObjective, 6e-4 * standard.RobustObjective, "at eps = 0 the robust solver solves the standard program");
    }

    [TestMethod]
    public void TheRelaxedProgramKeepsCleanConesAndItsCertificateStillBoundsPgd()
    {
        var p = SmallProblem(ConvexLoss.Logistic);
        const double eps = 0.1;
        var relaxed = RobustConvex.Solve(p, eps, new SolverOptions(MaxIterations: 1500, Tolerance: 1e-9), robustCones: false);
        Assert.IsLessThanOrEqualTo(1e-3, relaxed.Run.Solution.ConstraintViolation(p), "the clean cones hold (to a first-order method's accuracy)");
        var net = Recovery.ToNetwork(relaxed.Run.Solution, biasColumnLast: true);
        var inputs = ConvexDataSet.WithoutBias(p.X);
        var pgdLoss = Attacks.Losses(net, Attacks.Pgd(net, inputs, p.Y, new PgdOptions(eps, Steps: 100, Restarts: 10, Seed: 5), p.Loss), p.Y, p.Loss).Sum().Item();
        Assert.IsLessThanOrEqualTo(relaxed.CertifiedLoss + 1e-9, pgdLoss, $"certified {relaxed.CertifiedLoss} >= PGD {pgdLoss}");
        // Fewer constraints than the exact robust program: a lower (or equal) optimum of the same robust losses.
        var exact = RobustConvex.Solve(p, eps, new SolverOptions(MaxIterations: 1500, Tolerance: 1e-9));
        Assert.IsLessThan(exact.RobustObjective, relaxed.RobustObjective);
    }

    private static double Norms(Tensor blocks) => blocks.Square().Sum(0).Sqrt().Sum().Item();
}
