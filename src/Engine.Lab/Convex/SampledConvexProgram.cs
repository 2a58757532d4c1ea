using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>A sampled convex program solved and mapped to a ReLU network: the sampled problem, the R-FISTA run on its
/// gated program, the cone decomposition of that solution (a feasible point of the ReLU program on the same patterns
/// with the same predictions), the recovered network, the gated optimum and the network's nonconvex objective.</summary>
public sealed record ScpResult(ConvexProblem Problem, SolverResult Gated, ConvexSolution Relu, Sequential Network, double GatedObjective, double RecoveredObjective);

/// <summary>One row of <see cref="SampledConvexProgram.GapStudy"/>: gate vectors drawn and the distinct patterns they
/// gave; the gated optimum on them; the recovered network's nonconvex objective and its relative gap to the full
/// program's optimum, (recovered - full) / |full|; and, when asked, the optimum of the constrained ReLU program on the
/// same patterns (the augmented Lagrangian) with its gap.</summary>
public sealed record ScpPoint(
    int Sampled, int Patterns, double GatedObjective, double RecoveredObjective, double RecoveredGap, double? ConstrainedObjective, double? ConstrainedGap);

/// <summary>The sampled convex program (SCP): gated program on P random patterns, solved by R-FISTA (it has no
/// constraints, so first-order methods apply), then turned into a ReLU network.</summary>
/// <remarks>A gated weight w_i need not lie in its cone K_i = {u : (2 D_i - I) X u >= 0}, so the plain recovery map
/// would not reproduce the gated predictions. The gate g_i that generated D_i lies inside K_i (strictly, for gates
/// drawn from a density), so z_i = t_i g_i and u_i = w_i + t_i g_i, with the least t_i >= 0 putting u_i in K_i, is a
/// closed-form cone decomposition: u_i - z_i = w_i keeps D_i X (u_i - z_i) = D_i X w_i, both lie in K_i, and the
/// recovered network therefore computes the gated model's training predictions exactly. It pays
/// beta (||u_i|| + ||z_i|| - ||w_i||) over the gated optimum; that price, and the patterns the sample misses, are the gap
/// to the full program.</remarks>
public static class SampledConvexProgram
{
    /// <summary>Samples <paramref name="patterns"/> gates (<see cref="PatternSet.Sample"/>), solves the gated program
    /// with <see cref="Fista.SolveGated"/>, decomposes and recovers the network.</summary>
    public static ScpResult Solve(
        Tensor x, Tensor y, double beta, ConvexLoss loss, int patterns, ulong seed, SolverOptions options, CancellationToken ct = default)
    {
        var problem = new ConvexProblem(x, y, PatternSet.Sample(x, patterns, seed), beta, loss);
        var gated = Fista.SolveGated(problem, options, null, ct);
        var relu = ConeDecomposition(problem, gated.Solution.U - gated.Solution.Z);
        var network = Recovery.ToNetwork(relu);
        return new ScpResult(problem, gated, relu, network, gated.Solution.Objective(problem),
            Recovery.NonconvexObjective(network, x, y, beta, loss));
    }

    /// <summary>u_i = w_i + t_i g_i, z_i = t_i g_i with the least t_i >= 0 such that (2 D_i - I) X u_i >= 0, for gated
    /// weights W [d, P] and the gates of <paramref name="p"/>'s patterns (see the class remarks).</summary>
    /// <exception cref="ArgumentException">W has the wrong shape, or a gate lies on its cone's boundary at a row
    /// where w_i violates the cone, so no shift along it repairs w_i.</exception>
    public static ConvexSolution ConeDecomposition(ConvexProblem p, Tensor gatedWeights)
    {
        const string op = "SampledConvexProgram.ConeDecomposition";
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(gatedWeights);
        var d = p.X.Shape[1];
        var count = p.Patterns.Count;
        if (gatedWeights.Rank != 2 || gatedWeights.Shape[0] != d || gatedWeights.Shape[1] != count)
            throw new ArgumentException($"{op}: expected gated weights of shape {Shape.Format([d, count])}; got {Shape.Format(gatedWeights.Shape)}");
        using var _ = Autograd.NoGrad();
        var signs = p.Patterns.Masks * 2 - 1;
        var need = (-(signs * p.X.Matmul(gatedWeights))).Clamp(min: 0);
        var margin = signs * p.X.Matmul(p.Patterns.Gates);
        var stuck = (need.Gt(0) & margin.Le(0)).Sum().Item();
        if (stuck > 0)
            throw new ArgumentException($"{op}: {stuck} (row, pattern) pairs violate the cone where the pattern's gate has no margin; gates must lie strictly inside their cones (sampled gates do)");
        var shift = (need / margin.Clamp(min: double.Epsilon)).Amax([0], keepDim: true);
        var z = p.Patterns.Gates * shift;
        return new ConvexSolution(gatedWeights + z, z);
    }

    /// <summary>For each count in <paramref name="patternCounts"/>: <see cref="Solve"/> with that many gates, and the
    /// relative gap of the recovered network's objective to <paramref name="fullOptimum"/> (the optimum of the ReLU
    /// program over all patterns, e.g. <see cref="AugmentedLagrangian"/> on <see cref="PatternSet.Enumerate"/>). The
    /// network is a feasible point of that full program, so the gap is non-negative up to the solvers' tolerances.
    /// With <paramref name="constrained"/> it also solves the ReLU program on the same sampled patterns by the
    /// augmented Lagrangian, whose gap isolates the patterns missing from the sample.</summary>
    public static IReadOnlyList<ScpPoint> GapStudy(
        Tensor x, Tensor y, double beta, ConvexLoss loss, IReadOnlyList<int> patternCounts, double fullOptimum, SolverOptions options,
        bool constrained = true, ulong seed = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patternCounts);
        if (patternCounts.Count == 0) throw new ArgumentException("SampledConvexProgram.GapStudy: no pattern counts given");
        var scale = Math.Abs(fullOptimum);
        return [.. patternCounts.Select(count =>
        {
            var scp = Solve(x, y, beta, loss, count, seed, options, ct);
            double? constrainedObjective = constrained
                ? AugmentedLagrangian.Solve(scp.Problem, options, null, ct).Solution.Objective(scp.Problem)
                : null;
            return new ScpPoint(count, scp.Problem.Patterns.Count, scp.GatedObjective, scp.RecoveredObjective,
                (scp.RecoveredObjective - fullOptimum) / scale, constrainedObjective, (constrainedObjective - fullOptimum) / scale);
        })];
    }
}
