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
/// <para>Solver: the program is convex but nonsmooth in three places (the l1 norms, the constraints, the group
/// norms). The group norms are kept exact through their prox; the l1 norms are smoothed as sqrt(v^2 + mu^2) - mu and
/// the constraints enter as an exact (l1) penalty rho max(0, violation), Huber-smoothed at mu; the smooth part is
/// minimised by the restarted FISTA of the gated program, over stages with mu shrinking tenfold and rho growing
/// while violations remain. First-order and prox-friendly, it needs no inner solves; any leftover inaccuracy only
/// loosens the certificate, which is computed on the network itself.</para></summary>
public static class RobustConvex
{
    private static readonly double[] SmoothingStages = [1e-2, 1e-3, 1e-4, 1e-5];

    /// <summary>Solves the robust program for <paramref name="p"/>'s patterns (those of the clean inputs).
    /// <paramref name="biasColumnLast"/> says that X's last column is the constant bias column (not perturbed).
    /// History objectives are the exact robust objective at each iterate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">eps is negative or not finite.</exception>
    public static RobustResult Solve(
        ConvexProblem p, double epsilon, SolverOptions o, bool biasColumnLast = true,
        IProgress<SolverStep>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(o);
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"RobustConvex.Solve: eps must be finite and >= 0; got {epsilon}");
        using var _ = Autograd.NoGrad();
        var program = new RobustProgram(p, epsilon, biasColumnLast);
        var d = p.X.Size(1);
        var count = p.Patterns.Count;
        var identity = Tensor.Eye(d, dtype: DType.Float64);
        var w = Tensor.Zeros([d, 2 * count], DType.Float64);
        var history = new List<SolverStep>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var iterations = 0;
        var converged = false;
        // Sum-normalised losses have multipliers of order |l'| <= 1 per sample; 10 usually binds from the start.
        var penalty = 10.0;
        var stopped = false;
        // The tolerance on the gradient mapping is relative to the gradient's size at the start, as in R-FISTA.
        var start = new SmoothRobustPart(program, SmoothingStages[0], penalty).ValueAndGradient(w).Gradient;
        var tolerance = o.Tolerance * Math.Max(1, Math.Sqrt(start.Square().Sum().Item()));
        for (var stage = 0; stage < SmoothingStages.Length && !stopped; stage++)
        {
            var mu = SmoothingStages[stage];
            var smooth = new SmoothRobustPart(program, mu, penalty);
            var stageIterations = Math.Max(1, (o.MaxIterations - iterations) / (SmoothingStages.Length - stage));
            // The smooth part is a function of W itself (the l1 norms are), so FISTA sees it through X = I.
            var run = RestartedFista.Run(identity, smooth, p.Beta, w, null, stageIterations, tolerance,
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
            converged = run.Converged && stage == SmoothingStages.Length - 1;
            // The exact penalty only binds once rho exceeds the constraints' multipliers; raise it while they are violated.
            if (program.Violation(w) > 1e-6) penalty *= 10;
            if (iterations >= o.MaxIterations) break;
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
