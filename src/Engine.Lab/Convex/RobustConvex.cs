using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>The result of <see cref="RobustConvex.Solve"/>: the solver's run, and at the returned point the robust
/// program's objective (worst-case loss over the box plus the group norms), its largest robust-constraint violation,
/// and the certified robust loss of the recovered network (<see cref="RobustConvex.CertifiedLoss"/>, an upper bound
/// on the loss under any attack of radius eps, whatever the solver's accuracy).</summary>
public sealed record RobustResult(SolverResult Run, double Epsilon, double RobustObjective, double RobustConstraintViolation, double CertifiedLoss);

/// <summary>The robust counterpart of the convex ReLU program for l_inf perturbations ||delta_k||_inf &lt;= eps of each
/// training input (the bias column is never perturbed), for binary classification with the logistic loss (labels
/// +-1) and for the squared loss. With v_k = sum_i d_ik (u_i - z_i) restricted to the perturbable coordinates and
/// r_k = sum_i d_ik x_k^T (u_i - z_i), the program (derived in docs/convex.md) is
/// <code>
/// minimise   sum_k worst_k + beta sum_i (||u_i||_2 + ||z_i||_2)
///            worst_k = log(1 + exp(-(y_k r_k - eps ||v_k||_1)))          (logistic)
///            worst_k = 0.5 (|r_k - y_k| + eps ||v_k||_1)^2                 (squared)
/// subject to (2 d_ik - 1) x_k^T u_i &gt;= eps ||u_i||_1 and the same for z_i, for all k, i
/// </code>
/// (loss terms summed, as in the standard program). The constraints keep every sample's activation
/// pattern fixed over its whole box, so the recovered network is linear there and worst_k is its exact worst loss.
/// <para>Solver: an augmented Lagrangian on the robust cones (the method of multipliers, as the standard program's
/// solver uses), each round minimising with the restarted FISTA the smooth part (robust losses + the penalty
/// 1/(2 delta) sum(max(0, lambda + delta g)^2 - lambda^2) of the violations g) plus the group norms by their prox,
/// then lambda = max(0, lambda + delta g). The l1 norms inside the losses and the cones are smoothed as
/// sqrt(t^2 + mu^2) - mu, mu = 1e-3. The multipliers keep the penalty bounded, so the smooth part stays well
/// conditioned (an exact or quadratic penalty would need delta -> infinity). Any leftover inaccuracy only loosens
/// the certificate, which is computed on the network itself.</para></summary>
public static class RobustConvex
{
    /// <summary>The smoothing of |t| (sqrt(t^2 + mu^2) - mu, within mu of |t|): the smoothed l1 norms are at most
    /// (d - 1) mu below the exact ones, so the cones of the returned point can be violated by up to eps (d - 1) mu,
    /// which the certificate (computed on the network, exactly) accounts for. 1e-3 rather than smaller: the
    /// smoothed norms' curvature grows as 1/mu (measured on breast-cancer: 1e-4, 1e-3 and 1e-2 end within 10% of
    /// each other in objective and violation after 1,000 iterations).</summary>
    private const double Smoothing = 1e-3;

    /// <summary>The penalty grows by this factor when <see cref="PenaltyCheckRounds"/> rounds cut the violation by
    /// less than 4x. Measured (3,000 iterations): on breast-cancer (P = 50, eps 0.05) checks every 5 rounds with
    /// growth 5 end at violation 0.027, every 3 with 10 at 0.008, every 2 with 10 at 0.0013; but every 2 rounds
    /// over-penalises xor (objective 11.40 at violation 1e-3, against 11.06 at 1e-4 for every 3) and misses the
    /// standard optimum at eps = 0 by 4e-4 (every 3: 8e-5).</summary>
    private const double PenaltyGrowth = 10;

    private const int PenaltyCheckRounds = 3;

    /// <summary>Inner iterations per round at most: multiplier updates after inexact inner solves approach the cones
    /// far faster than exact solves (which, far from the solution, take thousands of iterations each).</summary>
    private const int InnerIterations = 100;

    /// <summary>The first outer round solves to this relative tolerance, each next one 10x tighter down to
    /// <see cref="SolverOptions.Tolerance"/>: early multipliers are rough, so exact inner solves would be wasted.</summary>
    private const double FirstInnerTolerance = 1e-3;


    /// <summary>Solves the robust program for <paramref name="p"/>'s patterns (those of the clean inputs), from zero
    /// weights and multipliers with the initial penalty <see cref="SolverOptions.Rho"/>.
    /// <paramref name="biasColumnLast"/> says that X's last column is the constant bias column (not perturbed).
    /// <see cref="SolverOptions.MaxIterations"/> bounds the inner iterations of all rounds together. History
    /// objectives are the exact robust objective at each iterate; ConstraintViolation the largest exact violation of
    /// the robust cones.</summary>
    /// <param name="robustCones">False solves the relaxed program: robust loss terms, but the cones of the clean inputs
    /// (the patterns may then change inside a box, and the certificate falls back to interval bounds there).</param>
    /// <exception cref="ArgumentOutOfRangeException">eps is negative or not finite.</exception>
    public static RobustResult Solve(
        ConvexProblem p, double epsilon, SolverOptions o, bool biasColumnLast = true,
        IProgress<SolverStep>? progress = null, CancellationToken ct = default, bool robustCones = true)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(o);
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"RobustConvex.Solve: eps must be finite and >= 0; got {epsilon}");
        if (!(o.Rho > 0)) throw new ArgumentOutOfRangeException(nameof(o), $"RobustConvex.Solve: Rho (the initial penalty) must be > 0; got {o.Rho}");
        using var _ = Autograd.NoGrad();
        var program = new RobustProgram(p, epsilon, biasColumnLast, robustCones);
        var d = p.X.Size(1);
        var count = p.Patterns.Count;
        var identity = Tensor.Eye(d, dtype: DType.Float64);
        var w = Tensor.Zeros([d, 2 * count], DType.Float64);
        var multipliers = Tensor.Zeros([p.X.Size(0), 2 * count], DType.Float64);
        var penalty = o.Rho;
        var history = new List<SolverStep>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var iterations = 0;
        var converged = false;
        var stopped = false;
        // Tolerances are relative to the gradient's size at the start, as in R-FISTA.
        var start = new SmoothRobustPart(program, Smoothing, penalty, multipliers).ValueAndGradient(w).Gradient;
        var scale = Math.Max(1, Math.Sqrt(start.Square().Sum().Item()));
        var violationTolerance = Math.Max(o.Tolerance, program.ConeEpsilon * (d - 1) * Smoothing);
        var innerTolerance = Math.Max(FirstInnerTolerance, o.Tolerance);
        var checkedViolation = double.PositiveInfinity;
        for (var round = 1; !stopped && iterations < o.MaxIterations; round++)
        {
            var smooth = new SmoothRobustPart(program, Smoothing, penalty, multipliers);
            // The smooth part is a function of W itself (the l1 norms are), so FISTA sees it through X = I.
            var run = RestartedFista.Run(identity, smooth, p.Beta, w, Math.Min(InnerIterations, o.MaxIterations - iterations), innerTolerance * scale,
                it =>
                {
                    var record = new SolverStep(iterations + it.Iteration, clock.Elapsed.TotalSeconds,
                        program.Objective(it.W), it.StepLength, it.GradientMapping, program.Violation(it.W));
                    history.Add(record);
                    progress?.Report(record);
                    if (o.TimeBudget is { } budget && clock.Elapsed >= budget) stopped = true;
                    return !stopped;
                }, ct);
            w = run.W;
            iterations += run.Iterations;
            multipliers = smooth.UpdatedMultipliers(w);
            var violation = program.Violation(w);
            if (run.Converged && innerTolerance <= o.Tolerance && violation <= violationTolerance)
            {
                converged = true;
                break;
            }
            if (run.Converged) innerTolerance = Math.Max(innerTolerance / 10, o.Tolerance);
            // The multipliers do most of the work; the penalty grows only when rounds of them did not cut the violation
            // 4x (growing it every round would make the inner problems needlessly ill-conditioned).
            if (round % PenaltyCheckRounds == 0)
            {
                if (violation > violationTolerance && violation > checkedViolation / 4) penalty *= PenaltyGrowth;
                checkedViolation = violation;
            }
        }
        var solution = program.ToSolution(w);
        var result = new SolverResult(solution, history, iterations, clock.Elapsed.TotalSeconds, converged);
        var net = Recovery.ToNetwork(solution, biasColumnLast);
        var inputs = biasColumnLast ? ConvexDataSet.WithoutBias(p.X) : p.X;
        return new RobustResult(result, epsilon, program.Objective(w), program.Violation(w),
            CertifiedLoss(net, inputs, p.Y, epsilon, p.Loss));
    }

    /// <summary>The robust program's objective at <paramref name="s"/> (exact, no smoothing). It is the certified
    /// robust objective only where <see cref="ConstraintViolation"/> is zero.</summary>
    public static double Objective(ConvexProblem p, ConvexSolution s, double epsilon, bool biasColumnLast = true)
        => new RobustProgram(p, epsilon, biasColumnLast).Objective(Tensor.Cat([s.U, s.Z], 1));

    /// <summary>max over i, k of eps ||u_i||_1 - (2 d_ik - 1) x_k^T u_i (and z), at least 0.</summary>
    public static double ConstraintViolation(ConvexProblem p, ConvexSolution s, double epsilon, bool biasColumnLast = true)
        => new RobustProgram(p, epsilon, biasColumnLast).Violation(Tensor.Cat([s.U, s.Z], 1));

    /// <summary>Bounds on each sample's output of a Linear-ReLU-Linear network over the box ||delta||_inf &lt;= eps
    /// around its input: a hidden unit whose pre-activation keeps one sign on the whole box is exactly linear (or
    /// zero) there, so the stable active units are summed into one linear function, bounded exactly
    /// (centre +- eps ||sum a_j w_j||_1); each unit that can change sign adds its own interval [min(0, a h), max(0,
    /// a h)], h the upper end of its pre-activation. Valid for any weights; exact when no unit is unstable.</summary>
    /// <exception cref="ArgumentException">The network is not Linear-ReLU-Linear with one output.</exception>
    public static (Tensor Lower, Tensor Upper) OutputBounds(Sequential net, Tensor x, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(x);
        if (net.Count != 3 || net[0] is not Linear first || net[1] is not Relu || net[2] is not Linear second || second.OutFeatures != 1)
            throw new ArgumentException($"RobustConvex.OutputBounds: needs a Linear-ReLU-Linear network with one output; got {net}");
        if (x.Rank != 2 || x.Size(1) != first.InFeatures)
            throw new ArgumentException($"RobustConvex.OutputBounds: inputs {Shape.Format(x.Shape)} do not match the network's (samples,{first.InFeatures})");
        using var _ = Autograd.NoGrad();
        var w1 = first.Weight;                                    // [m, d]
        var a = second.Weight.Reshape(-1);                        // [m]
        var centre = Tensor.Linear(x.To(DType.Float64), w1, first.Bias);  // [n, m]
        var radius = epsilon * w1.Abs().Sum(1);                   // [m]
        var low = centre - radius;
        var high = centre + radius;
        var active = low.Ge(0).To(DType.Float64);                 // stable and on over the whole box
        var unstable = low.Lt(0).LogicalAnd(high.Gt(0)).To(DType.Float64);
        var linearCentre = (active * centre).Matmul(a);           // [n]
        var linearRadius = epsilon * (active * a).Matmul(w1).Abs().Sum(1);  // eps ||sum_active a_j w_j||_1
        var unstableTerms = unstable * high * a;                  // a_j h_j for the unstable units
        var offset = second.Bias is { } b ? b.Item() : 0.0;
        var lower = linearCentre - linearRadius + unstableTerms.Clamp(max: 0).Sum(1) + offset;
        var upper = linearCentre + linearRadius + unstableTerms.Clamp(min: 0).Sum(1) + offset;
        return (lower, upper);
    }

    /// <summary>Per-sample upper bounds on the loss under any perturbation of radius eps: the loss is monotone
    /// (logistic) or convex (squared) in the output, so its maximum over the output interval is at an end.</summary>
    public static Tensor CertifiedSampleLosses(Sequential net, Tensor x, Tensor y, double epsilon, ConvexLoss loss)
    {
        var (lower, upper) = OutputBounds(net, x, epsilon);
        using var _ = Autograd.NoGrad();
        return Attacks.SampleLosses(lower, y, loss).Maximum(Attacks.SampleLosses(upper, y, loss));
    }

    /// <summary>The certified robust loss: the sum of <see cref="CertifiedSampleLosses"/> (the programs' normalisation).</summary>
    public static double CertifiedLoss(Sequential net, Tensor x, Tensor y, double epsilon, ConvexLoss loss)
        => CertifiedSampleLosses(net, x, y, epsilon, loss).Sum().Item();

    /// <summary>The fraction of samples classified correctly under every perturbation of radius eps (the output
    /// interval lies on the label's side of 0).</summary>
    public static double CertifiedAccuracy(Sequential net, Tensor x, Tensor y, double epsilon)
    {
        var (lower, upper) = OutputBounds(net, x, epsilon);
        using var _ = Autograd.NoGrad();
        return Tensor.Where(y.Gt(0), lower, -upper).Gt(0).To(DType.Float64).Mean().Item();
    }
}
