using System.Diagnostics;

namespace Engine.Lab.Convex;

/// <summary>R-FISTA (restarted accelerated proximal gradient, as in scnn) for the gated-ReLU program: the convex
/// program without cone constraints, loss(sum_i D_i X w_i, y) + beta sum_i ||w_i||_2.</summary>
/// <remarks>Without the cones the pair (u_i, z_i) of the ReLU program only enters through w_i = u_i - z_i, and
/// min ||u|| + ||z|| subject to u - z = w is ||w|| (take u = w, z = 0), so one weight per pattern solves the same
/// program with half the variables; the solution reports U = W and Z = 0.</remarks>
public static class Fista
{
    /// <summary>Solves the gated program of <paramref name="p"/> from W = 0 (or <paramref name="warmStart"/>'s U - Z).
    /// Stops when the gradient mapping's norm is at most <see cref="SolverOptions.Tolerance"/> times
    /// max(1, ||gradient of the loss at 0||), after <see cref="SolverOptions.MaxIterations"/> steps, or when
    /// <see cref="SolverOptions.TimeBudget"/> is spent. Rho and Gamma are not used.</summary>
    /// <returns>One <see cref="SolverStep"/> per iteration: the objective, PrimalResidual = the step length ||W_k -
    /// W_{k-1}||_F, DualResidual = the gradient mapping's norm, ConstraintViolation = 0 (the program has no
    /// constraints; the cone violation of the gated solution is <see cref="ConvexSolution.ConstraintViolation"/>).</returns>
    public static SolverResult SolveGated(
        ConvexProblem p, SolverOptions o, IProgress<SolverStep>? progress = null, CancellationToken ct = default, ConvexSolution? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate("Fista.SolveGated");
        using var _ = Autograd.NoGrad();
        var clock = Stopwatch.StartNew();
        var d = p.X.Shape[1];
        var h = new MaskedLoss(p.Patterns.Masks, p.Y, p.Loss);
        var w0 = warmStart is null ? Tensor.Zeros([d, p.Patterns.Count], DType.Float64) : warmStart.U - warmStart.Z;
        var tolerance = o.Tolerance * Math.Max(1, GradientNormAtZero(p.X, h, p.Patterns.Count));
        var history = new List<SolverStep>();
        var run = RestartedFista.Run(p.X, h, p.Beta, w0, o.MaxIterations, tolerance, it =>
        {
            var step = new SolverStep(it.Iteration, clock.Elapsed.TotalSeconds, it.Objective, it.StepLength, it.GradientMapping, 0);
            history.Add(step);
            progress?.Report(step);
            return !SolverChecks.OutOfTime(clock, o);
        }, ct);
        var solution = new ConvexSolution(run.W, Tensor.Zeros([d, p.Patterns.Count], DType.Float64));
        return new SolverResult(solution, history, run.Iterations, clock.Elapsed.TotalSeconds, run.Converged);
    }

    /// <summary>||X^T dh/dV(0)||_F, the scale of the gradients: relative tolerances are taken against it.</summary>
    internal static double GradientNormAtZero(Tensor x, ISmoothPart h, int columns)
    {
        var zero = Tensor.Zeros([x.Shape[0], columns], DType.Float64);
        var g = x.Transpose(0, 1).Matmul(h.ValueAndGradient(zero).Gradient);
        return Math.Sqrt(RestartedFista.Dot(g, g));
    }
}
