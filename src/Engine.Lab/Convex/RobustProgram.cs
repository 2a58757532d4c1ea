namespace Engine.Lab.Convex;

/// <summary>The robust program's data and its exact and smoothed terms, on the stacked weights W = [U, Z] [d, 2P]
/// (<see cref="RobustConvex"/> states the program). Everything is a handful of dense products: X U, and
/// V = M (U - Z)^T, whose row k is v_k = sum_i d_ik (u_i - z_i).</summary>
internal sealed class RobustProgram
{
    private readonly ConvexProblem problem;
    private readonly Tensor masks;       // M [n, P]
    private readonly Tensor signs;       // 2M - 1 [n, P]
    private readonly Tensor perturbable; // e [d] (1, or 0 for the bias column), as a column [d, 1]

    /// <param name="robustCones">False keeps the cones of the clean inputs (eps 0 in the constraints) and robustifies
    /// only the loss terms: the relaxed program.</param>
    public RobustProgram(ConvexProblem p, double epsilon, bool biasColumnLast, bool robustCones = true)
    {
        problem = p;
        Epsilon = epsilon;
        ConeEpsilon = robustCones ? epsilon : 0;
        masks = p.Patterns.Masks;
        signs = masks * 2 - 1;
        var d = p.X.Size(1);
        var e = Enumerable.Repeat(1.0, d).ToArray();
        if (biasColumnLast) e[d - 1] = 0;
        perturbable = Tensor.FromArray(e, d, 1);
        DataScale = p.X.Square().Sum().Item();
    }

    public double Epsilon { get; }

    /// <summary>The radius the cone constraints hold for: eps, or 0 in the relaxed program.</summary>
    public double ConeEpsilon { get; }

    /// <summary>||X||_F^2: bounds the curvature the losses get through X.</summary>
    public double DataScale { get; }

    private int Patterns => masks.Size(1);

    public ConvexSolution ToSolution(Tensor w)
        => new(w.Narrow(1, 0, Patterns).Contiguous(), w.Narrow(1, Patterns, Patterns).Contiguous());

    /// <summary>The exact robust objective: the worst-case losses (summed, as the standard program's losses) plus beta
    /// times the group norms.</summary>
    public double Objective(Tensor w)
        => WorstLosses(w, absolute: t => t.Abs()).Sum().Item() + problem.Beta * w.Square().Sum(0).Sqrt().Sum().Item();

    /// <summary>The largest violation of the robust cone constraints (0 when all hold).</summary>
    public double Violation(Tensor w) => Math.Max(0, -Margins(w, t => t.Abs()).Min().Item());

    /// <summary>Per sample, the worst loss over the box given the fixed patterns, with |.| supplied (exact or smoothed).</summary>
    public Tensor WorstLosses(Tensor w, Func<Tensor, Tensor> absolute)
    {
        var difference = w.Narrow(1, 0, Patterns) - w.Narrow(1, Patterns, Patterns);        // U - Z [d, P]
        var v = masks.Matmul(difference.T);                                                  // [n, d]
        var prediction = (problem.X * v).Sum(1);                                             // r_k
        var spread = Epsilon * absolute(v).Matmul(perturbable).Reshape(-1);                 // eps ||v_k||_1
        return problem.Loss switch
        {
            ConvexLoss.Logistic => (spread - problem.Y * prediction).Softplus(threshold: 40), // as Attacks.SampleLosses
            ConvexLoss.Squared => 0.5 * (absolute(prediction - problem.Y) + spread).Square(),
            _ => throw new ArgumentOutOfRangeException(nameof(problem), $"RobustConvex: unknown loss {problem.Loss}"),
        };
    }

    /// <summary>(2 d_ik - 1) x_k^T w_i - eps ||w_i||_1 for every sample and column of W = [U, Z]: [n, 2P], all
    /// non-negative when the robust constraints hold.</summary>
    public Tensor Margins(Tensor w, Func<Tensor, Tensor> absolute)
    {
        var l1 = ConeEpsilon * (absolute(w) * perturbable).Sum(0);                               // [2P]
        return Tensor.Cat([signs, signs], 1) * problem.X.Matmul(w) - l1;
    }
}

/// <summary>The smooth part of one augmented-Lagrangian round: the robust losses plus
/// 1/(2 delta) sum(max(0, lambda + delta g)^2 - lambda^2) over the cone violations g = eps ||w_i||_1 - s_ik x_k^T w_i,
/// with |t| replaced by sqrt(t^2 + mu^2) - mu (at most |t|, equal at 0, so zero columns stay stationary). Gradients
/// come from autograd.</summary>
internal sealed class SmoothRobustPart(RobustProgram program, double mu, double penalty, Tensor multipliers) : ISmoothPart
{
    public double Value(Tensor v) => Evaluate(v).Item();

    public (double Value, Tensor Gradient) ValueAndGradient(Tensor v)
    {
        using var _ = Autograd.EnableGrad();
        var w = v.Detach();
        w.RequiresGrad = true;
        var value = Evaluate(w);
        var gradient = Autograd.Grad(value, w);
        return (value.Item(), gradient.Detach());
    }

    /// <summary>A deliberately small estimate (a long first step): the line search only shortens steps.</summary>
    public double Lipschitz(Tensor x) => program.DataScale;

    /// <summary>max(0, lambda + delta g(W)): the multipliers for the next round.</summary>
    public Tensor UpdatedMultipliers(Tensor w) => (multipliers - penalty * program.Margins(w, Absolute)).Clamp(min: 0);

    private Tensor Absolute(Tensor t) => (t.Square() + mu * mu).Sqrt() - mu;

    private Tensor Evaluate(Tensor w)
    {
        var losses = program.WorstLosses(w, Absolute).Sum();
        var shifted = (multipliers - penalty * program.Margins(w, Absolute)).Clamp(min: 0);
        return losses + (shifted.Square() - multipliers.Square()).Sum() / (2 * penalty);
    }
}
