using System.Diagnostics;

namespace Engine.Lab.Convex;

/// <summary>The constrained ReLU program by the method of multipliers, as scnn solves it: the cone constraints
/// c = (2 D_i - I) X u_i >= 0 and (2 D_i - I) X z_i >= 0 move into the objective through the augmented Lagrangian
/// loss + beta sum(||u_i|| + ||z_i||) + 1/(2 delta) sum(max(0, lambda - delta c)^2 - lambda^2), which R-FISTA
/// minimises (the group norms by their prox); then lambda = max(0, lambda - delta c), and delta grows when the
/// violation did not shrink enough.</summary>
public static class AugmentedLagrangian
{
    /// <summary>The penalty grows by this factor when an outer round cut the violation by less than
    /// <see cref="RequiredDecrease"/>.</summary>
    private const double PenaltyGrowth = 10;

    private const double RequiredDecrease = 0.25;

    /// <summary>The first outer round solves its subproblem to this relative tolerance; each next one to 1/100 of the
    /// relative violation left by the round before (never looser than the last), down to
    /// <see cref="SolverOptions.Tolerance"/>: while the multipliers are rough, exact subproblems would be wasted.</summary>
    private const double FirstInnerTolerance = 1e-3;

    /// <summary>Solves the ReLU program of <paramref name="p"/> from U = Z = 0 and zero multipliers, with the initial
    /// penalty delta = <see cref="SolverOptions.Rho"/>. Converged when an inner solve at the final tolerance
    /// (<see cref="SolverOptions.Tolerance"/> times max(1, ||gradient of the loss at 0||) on the gradient mapping) ends
    /// with a constraint violation of at most Tolerance times max(1, max |y|). <see cref="SolverOptions.MaxIterations"/>
    /// bounds the inner iterations of all rounds together. Gamma is not used.</summary>
    /// <returns>One <see cref="SolverStep"/> per inner iteration: the objective of the ReLU program at the iterate
    /// (without the penalty), PrimalResidual = ||max(0, -c)||_F, DualResidual = the inner gradient mapping's norm,
    /// ConstraintViolation = max(0, -c) at its largest.</returns>
    public static SolverResult Solve(ConvexProblem p, SolverOptions o, IProgress<SolverStep>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate("AugmentedLagrangian.Solve");
        using var _ = Autograd.NoGrad();
        var clock = Stopwatch.StartNew();
        var d = p.X.Shape[1];
        var count = p.Patterns.Count;
        var masks = p.Patterns.Masks;
        var loss = new MaskedLoss(Tensor.Cat([masks, -masks], 1), p.Y, p.Loss);
        var signs = masks * 2 - 1;
        var part = new Penalised(loss, Tensor.Cat([signs, signs], 1), Tensor.Zeros([p.X.Shape[0], 2 * count], DType.Float64), o.Rho);
        var scale = Math.Max(1, Fista.GradientNormAtZero(p.X, loss, 2 * count));
        var violationScale = Math.Max(1, p.Y.Abs().Max().Item());
        var violationTolerance = o.Tolerance * violationScale;

        var w = Tensor.Zeros([d, 2 * count], DType.Float64);
        var history = new List<SolverStep>();
        var iterations = 0;
        var previousViolation = double.PositiveInfinity;
        var stopped = false;
        var converged = false;
        var innerTolerance = Math.Max(o.Tolerance, FirstInnerTolerance);
        while (!stopped && iterations < o.MaxIterations)
        {
            var run = RestartedFista.Run(p.X, part, p.Beta, w, o.MaxIterations - iterations, innerTolerance * scale, it =>
            {
                var (gapNorm, violation) = part.Violation(it.XW);
                var objective = loss.Value(it.XW) + p.Beta * RestartedFista.GroupNorms(it.W);
                var step = new SolverStep(iterations + it.Iteration, clock.Elapsed.TotalSeconds, objective, gapNorm, it.GradientMapping, violation);
                history.Add(step);
                progress?.Report(step);
                stopped = SolverChecks.OutOfTime(clock, o);
                return !stopped;
            }, ct);
            iterations += run.Iterations;
            w = run.W;
            var roundViolation = part.Violation(run.XW).Max;
            if (run.Converged && innerTolerance == o.Tolerance && roundViolation <= violationTolerance)
            {
                converged = true;
                break;
            }
            part.UpdateMultipliers(run.XW);
            if (roundViolation > RequiredDecrease * previousViolation) part.Delta *= PenaltyGrowth;
            previousViolation = roundViolation;
            innerTolerance = Math.Max(o.Tolerance, Math.Min(innerTolerance, 0.01 * roundViolation / violationScale));
        }
        var solution = new ConvexSolution(w.Narrow(1, 0, count).Contiguous(), w.Narrow(1, count, count).Contiguous());
        return new SolverResult(solution, history, iterations, clock.Elapsed.TotalSeconds, converged);
    }

    /// <summary>The loss plus the multiplier penalty on c = signs * V, V = X [U, Z].</summary>
    private sealed class Penalised(MaskedLoss loss, Tensor signs, Tensor multipliers, double delta) : ISmoothPart
    {
        private Tensor multipliers = multipliers;

        public double Delta { get; set; } = delta;

        /// <summary>max(0, lambda - delta c): the multipliers the next update gives, and the penalty's active part.</summary>
        private Tensor Shifted(Tensor v) => (multipliers - signs * v * Delta).Clamp(min: 0);

        public double Value(Tensor v) => loss.Value(v) + Penalty(Shifted(v));

        public (double Value, Tensor Gradient) ValueAndGradient(Tensor v)
        {
            var (value, gradient) = loss.ValueAndGradient(v);
            var shifted = Shifted(v);
            return (value + Penalty(shifted), gradient - signs * shifted);
        }

        private double Penalty(Tensor shifted) => (shifted.Square() - multipliers.Square()).Sum().Item() / (2 * Delta);

        /// <summary>The loss's constant plus delta ||X||^2 for the penalty (|signs| = 1 keeps each column's norm).</summary>
        public double Lipschitz(Tensor x) => loss.Lipschitz(x) + Delta * RestartedFista.SquaredNorm(
            w => x.Matmul(w), r => x.Transpose(0, 1).Matmul(r), Tensor.Ones([x.Shape[1], 1], DType.Float64));

        public void UpdateMultipliers(Tensor v) => multipliers = Shifted(v);

        /// <summary>||max(0, -c)||_F and its largest entry.</summary>
        public (double Norm, double Max) Violation(Tensor v)
        {
            var gap = (-(signs * v)).Clamp(min: 0);
            return (Math.Sqrt(gap.Square().Sum().Item()), gap.Max().Item());
        }
    }
}
