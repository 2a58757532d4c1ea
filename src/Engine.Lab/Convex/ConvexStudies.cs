namespace Engine.Lab.Convex;

/// <summary>The solvers on one program where all patterns are enumerated. The ReLU program (cones) and its gated
/// relaxation (no cones) have different optima in general (gated &lt;= ReLU: every ReLU-feasible point is
/// gated-feasible with w_i = u_i - z_i and no larger norms), so agreement is checked where it means something:
/// ADMM against the augmented Lagrangian on the ReLU program, and R-FISTA on the gated program against its certified
/// duality gap (an optimum bound independent of any solver), plus the ordering gated &lt;= ReLU.</summary>
public sealed record AgreementReport(
    int Samples, int Features, int Patterns,
    SolverResult Admm, SolverResult AugmentedLagrangian, double AdmmObjective, double AugmentedLagrangianObjective, double ReluRelativeDifference,
    SolverResult Fista, double GatedObjective, double GatedRelativeDualityGap);

/// <summary>The nonconvex baseline against the convex optimum: per initialisation the lowest objective met along the
/// whole run and the final one, and the counts: below the optimum by more than 1e-6 relative (impossible if the
/// optimum is right), at it (final within <see cref="AdamReport.ReachedTolerance"/> relative), and above.</summary>
public sealed record AdamReport(
    double ConvexOptimum, int Hidden, IReadOnlyList<double> LowestObjectives, IReadOnlyList<double> FinalObjectives,
    int Below, int Reached, int Above, double ReachedTolerance);

/// <summary>ADMM time per iteration at one problem size: the patterns P and the dimension 2 d P of the variable.</summary>
public sealed record ScalingPoint(int Patterns, int Dimension, double SecondsPerIteration);

/// <summary>The measured points and the exponent of the least-squares fit log t = a + exponent log(2 d P).</summary>
public sealed record ScalingReport(IReadOnlyList<ScalingPoint> Points, double Exponent);

/// <summary>The acceptance studies of the convex solvers, as small library functions (the CLI and the tests call them).</summary>
public static class ConvexStudies
{
    /// <summary>A 1-D regression problem whose patterns can all be enumerated: x uniform in [-1, 1], X = [x, 1]
    /// (d = 2 with the bias column), y = sin(3 x) + 0.1 noise, so a few ReLU kinks fit it.</summary>
    public static (Tensor X, Tensor Y) EnumerableData(int n = 50, ulong seed = 0)
    {
        if (n < 2) throw new ArgumentException($"ConvexStudies.EnumerableData: n must be at least 2; got {n}");
        var generator = new Generator(seed);
        var x = Tensor.Rand([n], DType.Float64, generator) * 2 - 1;
        var noise = Tensor.Randn([n], DType.Float64, generator);
        var y = (x * 3).Sin() + noise * 0.1;
        return (Tensor.Stack([x, Tensor.Ones([n], DType.Float64)], 1), y);
    }

    /// <summary>ADMM and the augmented Lagrangian on the ReLU program over all patterns of X, R-FISTA on its gated
    /// program (see <see cref="AgreementReport"/>).</summary>
    public static AgreementReport Agreement(Tensor x, Tensor y, double beta, ConvexLoss loss, SolverOptions options, CancellationToken ct = default)
    {
        var problem = new ConvexProblem(x, y, PatternSet.Enumerate(x), beta, loss);
        var admm = Admm.Solve(problem, options, null, ct);
        var al = AugmentedLagrangian.Solve(problem, options, null, ct);
        var fista = Fista.SolveGated(problem, options, null, ct);
        var admmObjective = admm.Solution.Objective(problem);
        var alObjective = al.Solution.Objective(problem);
        return new AgreementReport(
            x.Shape[0], x.Shape[1], problem.Patterns.Count,
            admm, al, admmObjective, alObjective, Math.Abs(admmObjective - alObjective) / Math.Abs(alObjective),
            fista, fista.Solution.Objective(problem), GatedDualityGap.Relative(problem, fista.Solution));
    }

    /// <summary>Trains the baseline from <paramref name="initialisations"/> random starts and compares each with
    /// <paramref name="convexOptimum"/> (the ReLU program's optimum over all patterns).</summary>
    public static AdamReport AdamVersusOptimum(
        Tensor x, Tensor y, double beta, ConvexLoss loss, double convexOptimum, BaselineOptions options, int initialisations = 20,
        double reachedTolerance = 1e-4, CancellationToken ct = default)
    {
        var runs = NonconvexBaseline.TrainRestarts(x, y, beta, loss, options, initialisations, ct);
        var lowest = runs.Select(r => Math.Min(r.Objective, r.History.Min(s => s.Objective))).ToArray();
        var final = runs.Select(r => r.Objective).ToArray();
        var scale = Math.Abs(convexOptimum);
        var below = lowest.Count(v => v < convexOptimum - 1e-6 * scale);
        var reached = final.Count(v => v >= convexOptimum - 1e-6 * scale && v <= convexOptimum + reachedTolerance * scale);
        return new AdamReport(convexOptimum, options.Hidden, lowest, final, below, reached, initialisations - below - reached, reachedTolerance);
    }

    /// <summary>ADMM on the ReLU program with <paramref name="patternCounts"/> sampled gates, each run for exactly
    /// <paramref name="iterations"/> iterations (no convergence test); the time per iteration is taken between the
    /// first and the last iteration, which leaves out the one-time factorisation.</summary>
    public static ScalingReport AdmmScaling(
        Tensor x, Tensor y, double beta, IReadOnlyList<int> patternCounts, int iterations = 20, ulong seed = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patternCounts);
        if (patternCounts.Count < 2) throw new ArgumentException($"ConvexStudies.AdmmScaling: need at least two sizes to fit an exponent; got {patternCounts.Count}");
        if (iterations < 3) throw new ArgumentException($"ConvexStudies.AdmmScaling: need at least 3 iterations per size; got {iterations}");
        var options = new SolverOptions(MaxIterations: iterations, Tolerance: 0);
        var points = patternCounts.Select(count =>
        {
            var problem = new ConvexProblem(x, y, PatternSet.Sample(x, count, seed), beta, ConvexLoss.Squared);
            var history = Admm.Solve(problem, options, null, ct).History;
            var perIteration = (history[^1].Seconds - history[0].Seconds) / (history.Count - 1);
            return new ScalingPoint(problem.Patterns.Count, 2 * x.Shape[1] * problem.Patterns.Count, perIteration);
        }).ToArray();
        return new ScalingReport(points, Slope(points.Select(p => Math.Log(p.Dimension)).ToArray(), points.Select(p => Math.Log(p.SecondsPerIteration)).ToArray()));
    }

    /// <summary>Least-squares slope of b against a.</summary>
    internal static double Slope(double[] a, double[] b)
    {
        var meanA = a.Average();
        var meanB = b.Average();
        var covariance = a.Zip(b, (u, v) => (u - meanA) * (v - meanB)).Sum();
        var variance = a.Sum(u => (u - meanA) * (u - meanA));
        if (variance == 0) throw new ArgumentException("ConvexStudies.Slope: all sizes are equal; the exponent is undefined");
        return covariance / variance;
    }
}
