using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

/// <summary>Small problems shared by the convex tests.</summary>
internal static class ConvexTestData
{
    /// <summary>n points x in [-1, 1] with a bias column ([n, 2]) and targets y = |x| - 0.3 + noise (squared) or
    /// sign(|x| - 0.5) (logistic, labels +-1): a ReLU network needs at least two neurons, the second
    /// problem is not linearly separable.</summary>
    public static (Tensor X, Tensor Y) OneFeatureWithBias(int n, ConvexLoss loss, int seed = 1)
    {
        var rng = new Random(seed);
        var x = new double[n * 2];
        var y = new double[n];
        for (var k = 0; k < n; k++)
        {
            var v = rng.NextDouble() * 2 - 1;
            x[2 * k] = v;
            x[2 * k + 1] = 1;
            y[k] = loss == ConvexLoss.Squared ? Math.Abs(v) - 0.3 + 0.05 * (rng.NextDouble() - 0.5) : Math.Abs(v) > 0.5 ? 1 : -1;
        }
        return (Tensor.Wrap(x, n, 2), Tensor.Wrap(y, n));
    }

    /// <summary>The exact (enumerated) program on <see cref="OneFeatureWithBias"/>.</summary>
    public static ConvexProblem EnumerableProblem(ConvexLoss loss, int n = 50, double beta = 0.05)
    {
        var (x, y) = OneFeatureWithBias(n, loss);
        return new ConvexProblem(x, y, PatternSet.Enumerate(x), beta, loss);
    }
}

/// <summary>ADMM runs shared by several test classes (each solve takes a few seconds).</summary>
internal static class SolvedProblems
{
    // From a sweep (rho 0.003..1, alpha 1 and 1.6, 20,000 iterations): small rho lowers the objective faster,
    // larger rho the cone violation; the squared run needs rho 0.03 for its violation (hence the projection's move)
    // to fall below 1e-6 within 4,000 iterations, the logistic one does best at 0.003.
    public static readonly Lazy<(ConvexProblem Problem, SolverResult Result)> Squared = new(() => Solve(ConvexLoss.Squared, 0.03, 4000));

    public static readonly Lazy<(ConvexProblem Problem, SolverResult Result)> Logistic = new(() => Solve(ConvexLoss.Logistic, 0.003, 3000));

    private static (ConvexProblem, SolverResult) Solve(ConvexLoss loss, double rho, int iterations)
    {
        var p = ConvexTestData.EnumerableProblem(loss);
        return (p, Admm.Solve(p, new SolverOptions(MaxIterations: iterations, Tolerance: 1e-9, Rho: rho, Relaxation: 1.6)));
    }
}
