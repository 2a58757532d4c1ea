using System.Diagnostics;

namespace Engine.Lab.Convex;

/// <summary>ADMM for the convex ReLU program (Bai, Gautam, Sojoudi 2022), scaled form. Variables: W = [U, Z] (the
/// u-step), its group-sparse copy V (consensus W = V), the slack s = G W &gt;= 0 of the cone constraints; scaled
/// duals lambda (consensus) and nu (slack). One iteration:
/// W = A^-1 [(1/rho) F^T q + V - lambda + G^T (s - nu)]; V = group soft-threshold of W + lambda at beta/rho;
/// s = max(G W + nu, 0); lambda += gamma (W - V); nu += gamma (G W - s).
/// G is the cone map scaled by sigma = <see cref="SolverOptions.ConeScale"/> (the constraint sigma G W = s is the same
/// set, so the solution is unchanged): the cone constraint then has the penalty rho sigma^2 while the consensus keeps
/// rho. Measured on the enumerable n = 50 problem and on breast-cancer, sigma below 1 (e.g. 1/sqrt(mean ||x_k||^2),
/// which balances the two blocks of A) is slower: feasibility, not the consensus, is what lags; 1 is the default.
/// For the squared loss q = y and A = I + (1/rho) F^T F + G^T G (the exact u-step). For the logistic loss the
/// u-step is one majorise-minimise step: the loss is replaced at the current prediction r0 by its quadratic upper
/// bound with the fixed curvature 1/4 (the logistic Hessian's bound), which gives q = r0/4 - grad loss(r0) and
/// A = I + (1/(4 rho)) F^T F + G^T G: the step is again a linear solve with a matrix factorised once, it never
/// increases the subproblem objective (no line search), and one step per iteration is the majorised ADMM, which
/// converges like the exact one; Newton steps would need a new factorisation every step.
/// The returned solution is V (exactly group sparse) with each block projected onto its cone (exactly feasible). Stops when the primal residual ||(W - V, G W - s)|| and the
/// dual residual rho ||(V - V_prev) + G^T (s - s_prev)|| are both below Tolerance times their scale
/// (max(1, ||(W, G W)||, ||(V, s)||) and max(1, rho ||lambda + G^T nu||)). Deterministic: no randomness, and the
/// engine's kernels give identical results run to run.</summary>
public static class Admm
{

    /// <summary>Solves <paramref name="p"/>; reports every iteration to <paramref name="progress"/>. Cancellation
    /// and the time budget end the run early with the current iterate (Converged false).</summary>
    public static SolverResult Solve(ConvexProblem p, SolverOptions o, IProgress<SolverStep>? progress = null, CancellationToken ct = default) =>
        SolveFrom(p, o, null, progress, ct).Result;

    /// <summary><see cref="Solve"/> started from <paramref name="start"/> (all of ADMM's variables, duals included, as
    /// an earlier run on the same patterns left them, or <see cref="AdmmState.Extend"/>ed onto a grown pattern set, or <see cref="StartAt"/> a primal point;
    /// null: all zero), returning the final state as well, so a run can be continued where it stopped.</summary>
    public static (SolverResult Result, AdmmState State) SolveFrom(
        ConvexProblem p, SolverOptions o, AdmmState? start, IProgress<SolverStep>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate("Admm.Solve");
        using var _ = Autograd.NoGrad();
        var clock = Stopwatch.StartNew();
        var ops = new BlockOperators(p);
        var curvature = p.Loss == ConvexLoss.Squared ? 1.0 : 0.25;
        var rho = o.Rho;
        var sigma = o.ConeScale;
        var system = new AdmmSystem(ops, rho, curvature, sigma);
        Tensor ConeTransposed(Tensor t) => ops.ConeTransposed(t) * sigma;
        var (n, d, twoP) = (p.Samples, p.Features, 2 * ops.P);
        if (start is not null && (start.Features != d || start.Samples != n || start.Patterns != ops.P))
            throw new ArgumentException(
                $"Admm.Solve: the start state is for d = {start.Features}, n = {start.Samples}, P = {start.Patterns}; the problem has d = {d}, n = {n}, P = {ops.P}");
        var w = start?.W ?? Tensor.Zeros([d, twoP], DType.Float64);
        var v = start?.V ?? Tensor.Zeros([d, twoP], DType.Float64);
        var lambda = start?.Lambda ?? Tensor.Zeros([d, twoP], DType.Float64);
        var s = start?.S ?? Tensor.Zeros([n, twoP], DType.Float64);
        var nu = start?.Nu ?? Tensor.Zeros([n, twoP], DType.Float64);
        var y = p.Y.ToArray<double>();
        var history = new List<SolverStep>();
        var converged = false;
        // Six products with X per iteration, each reused: X W (cone values and, for the logistic loss, the next
        // u-step's prediction), X V (the objective and violation of the reported point), G^T s and G^T nu (the
        // u-step's right side, the dual residual and its scale), and the two inside the solve. For the squared loss
        // the u-step's data term (1/rho) F^T y is constant.
        var constantData = p.Loss == ConvexLoss.Squared ? ops.ApplyTransposed(p.Y) * (1 / rho) : null;
        var xw = p.X.Matmul(w);
        var gts = ConeTransposed(s);
        var gtnu = ConeTransposed(nu);
        for (var iteration = 1; iteration <= o.MaxIterations; iteration++)
        {
            if (ct.IsCancellationRequested || o.TimeBudget is { } budget && clock.Elapsed >= budget) break;
            var data = constantData ?? ops.ApplyTransposed(Targets(p.Loss, ops.Predict(xw), y)) * (1 / rho);
            w = system.Solve(data + v - lambda + gts - gtnu);
            var vPrevious = v;
            xw = p.X.Matmul(w);
            var gw = ops.ConeSigns * xw * sigma;
            var sPrevious = s;
            // Over-relaxation (Boyd et al. 2011, section 3.4.3): the V-, s- and dual steps see alpha W + (1 - alpha)
            // V_prev in place of W (and likewise for G W and s_prev); alpha = 1 is plain ADMM.
            var (wr, gwr) = o.Relaxation == 1 ? (w, gw) : (w * o.Relaxation + vPrevious * (1 - o.Relaxation), gw * o.Relaxation + sPrevious * (1 - o.Relaxation));
            v = GroupSoftThreshold(wr + lambda, p.Beta / rho);
            s = (gwr + nu).Maximum(0);
            lambda = lambda + (wr - v) * o.Gamma;
            nu = nu + (gwr - s) * o.Gamma;
            var gtsPrevious = gts;
            gts = ConeTransposed(s);
            gtnu = ConeTransposed(nu);

            var primal = Math.Sqrt(SquaredNorm(w - v) + SquaredNorm(gw - s));
            var dual = rho * Norm(v - vPrevious + gts - gtsPrevious);
            var primalScale = Math.Max(1, Math.Max(Math.Sqrt(SquaredNorm(w) + SquaredNorm(gw)), Math.Sqrt(SquaredNorm(v) + SquaredNorm(s))));
            var dualScale = Math.Max(1, rho * Norm(lambda + gtnu));
            var xv = p.X.Matmul(v);
            var objective = ConvexObjective.Loss(p.Loss, ops.Predict(xv), p.Y) + p.Beta * v.Norm(2, [0]).Sum().Item();
            var violation = Math.Max(0, (-(ops.ConeSigns * xv)).Max().Item());
            var step = new SolverStep(iteration, clock.Elapsed.TotalSeconds, objective, primal, dual, violation);
            history.Add(step);
            progress?.Report(step);
            if (primal <= o.Tolerance * primalScale && dual <= o.Tolerance * dualScale)
            {
                converged = true;
                break;
            }
        }
        // No ADMM variable is both group sparse and cone feasible (V is sparse, s >= 0 holds only for the slack, and
        // W differs from both until the limit), so the returned point is V with each nonzero block projected onto its
        // cone: exactly feasible to rounding, hence recovered exactly by a ReLU network, and as close to V as V is to
        // feasibility. The history describes V itself.
        return (new SolverResult(ops.Split(v).ProjectOntoCones(p), history, history.Count, clock.Elapsed.TotalSeconds, converged),
            new AdmmState(w, v, lambda, s, nu));
    }

    /// <summary>A start for <see cref="SolveFrom"/> at the primal point <paramref name="point"/> (e.g. a trained
    /// network lifted by <see cref="NetworkLift"/>): W = V = [U, Z], the slack s = max(sigma G W, 0) (equal to sigma G W
    /// where the point is feasible), the cone dual zero, and the consensus dual lambda = (beta/rho) w_i/||w_i|| on each
    /// nonzero block (zero elsewhere): the subgradient that makes the V-step return V itself. With lambda = 0 the first
    /// V-step would shrink every block by beta/rho and, for small rho, erase the point.</summary>
    public static AdmmState StartAt(ConvexProblem p, ConvexSolution point, SolverOptions o)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate("Admm.StartAt");
        if (point.U.Shape[0] != p.Features || point.U.Shape[1] != p.Patterns.Count)
            throw new ArgumentException(
                $"Admm.StartAt: the point is [d, P] = {Shape.Format(point.U.Shape.ToArray())}; the problem has d = {p.Features}, P = {p.Patterns.Count}");
        using var _ = Autograd.NoGrad();
        var ops = new BlockOperators(p);
        var w = BlockOperators.Stack(point);
        var s = (ops.Cone(w) * o.ConeScale).Maximum(0);
        var norms = w.Norm(2, [0], keepDim: true);
        var lambda = (w / norms.Maximum(double.Epsilon)) * (p.Beta / o.Rho);
        return new AdmmState(w, w, lambda, s, Tensor.Zeros(s.Shape.ToArray(), DType.Float64));
    }

    /// <summary>Scales each column of <paramref name="w"/> [d, B] by max(0, 1 - t/||column||): the proximal map of
    /// t * sum of column norms (columns with norm &lt;= t become exactly zero).</summary>
    public static Tensor GroupSoftThreshold(Tensor w, double t)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Rank != 2) throw new ArgumentException($"Admm.GroupSoftThreshold: needs a matrix [d, B] of column groups; got shape {Shape.Format(w.Shape.ToArray())}");
        if (!(t >= 0)) throw new ArgumentException($"Admm.GroupSoftThreshold: the threshold must be >= 0; got {t}");
        using var _ = Autograd.NoGrad();
        var norms = w.Norm(2, [0], keepDim: true);
        // Zero columns stay zero: clamp the divisor so 0/0 never appears.
        var scale = (1 - t / norms.Maximum(double.Epsilon)).Maximum(0);
        return w * scale;
    }

    /// <summary>The u-step's data vector q: y for the squared loss; r0/4 - grad loss(r0) for the logistic bound.</summary>
    private static Tensor Targets(ConvexLoss loss, Tensor prediction, double[] y)
    {
        if (loss == ConvexLoss.Squared) return Tensor.Wrap(y, y.Length);
        var r = prediction.ToArray<double>();
        var q = new double[r.Length];
        ConvexObjective.Gradient(loss, r, y, q);
        for (var k = 0; k < q.Length; k++) q[k] = 0.25 * r[k] - q[k];
        return Tensor.Wrap(q, q.Length);
    }

    private static double SquaredNorm(Tensor t) => t.Square().Sum().Item();

    private static double Norm(Tensor t) => Math.Sqrt(SquaredNorm(t));
}
