namespace Engine.Lab.Convex;

/// <summary>One iteration's metrics. Residuals are the solver's own (for ADMM the norms of the consensus and
/// slack constraints and of the change they induce in the dual); <see cref="Seconds"/> is wall time since the
/// solve started, setup (factorisation) included.</summary>
public sealed record SolverStep(int Iteration, double Seconds, double Objective, double PrimalResidual, double DualResidual, double ConstraintViolation);

/// <summary>What a convex solver returns: the solution, its per-iteration history, and whether the stopping rule
/// (rather than the iteration or time budget, or cancellation) ended the run.</summary>
public sealed record SolverResult(ConvexSolution Solution, IReadOnlyList<SolverStep> History, int Iterations, double Seconds, bool Converged);

/// <summary>Budget and parameters of a convex solver. <see cref="Rho"/> is the ADMM penalty, <see cref="Gamma"/>
/// the dual step (1 is the standard ADMM step), <see cref="Tolerance"/> the relative residual tolerance,
/// <see cref="Relaxation"/> ADMM's over-relaxation factor alpha in (0, 2) (1: none; 1.5-1.8 often converges faster).</summary>
public sealed record SolverOptions(int MaxIterations = 1000, double Tolerance = 1e-8, double Rho = 1.0, double Gamma = 1.0, TimeSpan? TimeBudget = null, double Relaxation = 1.0)
{
    private const double GoldenRatio = 1.6180339887498949;

    internal void Validate(string op)
    {
        if (MaxIterations < 1) throw new ArgumentException($"{op}: MaxIterations must be at least 1; got {MaxIterations}");
        if (!(Tolerance >= 0) || !double.IsFinite(Tolerance)) throw new ArgumentException($"{op}: Tolerance must be finite and >= 0; got {Tolerance}");
        if (!(Rho > 0) || !double.IsFinite(Rho)) throw new ArgumentException($"{op}: Rho must be finite and > 0; got {Rho}");
        // Glowinski's bound: ADMM with dual step gamma converges for gamma in (0, (1 + sqrt 5) / 2).
        if (!(Gamma > 0 && Gamma < GoldenRatio)) throw new ArgumentException($"{op}: Gamma must be in (0, 1.618) for the dual step to converge; got {Gamma}");
        if (!(Relaxation > 0 && Relaxation < 2)) throw new ArgumentException($"{op}: Relaxation must be in (0, 2); got {Relaxation}");
        // Each is a convergent modification of ADMM alone; together they have no convergence guarantee.
        if (Relaxation != 1 && Gamma != 1) throw new ArgumentException($"{op}: use either Relaxation or Gamma (the other at 1); got Relaxation {Relaxation}, Gamma {Gamma}");
        if (TimeBudget is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"{op}: TimeBudget must be positive; got {t}");
    }
}
