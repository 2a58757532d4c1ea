namespace Engine.Lab.Convex;

/// <summary>The smooth part h(V) of a composite objective h(X W) + beta sum_k ||w_k||_2, seen through V = X W [n, K]:
/// every smooth term of the convex programs (the loss of the masked predictions, the augmented-Lagrangian penalty of
/// the cone constraints) depends on the weights only through X W, so one GEMM gives all of them.</summary>
internal interface ISmoothPart
{
    double Value(Tensor v);

    /// <summary>h(V) and dh/dV, an [n, K] tensor (the gradient in W is X^T dh/dV).</summary>
    (double Value, Tensor Gradient) ValueAndGradient(Tensor v);

    /// <summary>An estimate of the Lipschitz constant of W -> X^T dh/dV(X W); the line search corrects it.</summary>
    double Lipschitz(Tensor x);
}

/// <summary>One accepted R-FISTA step: the new point, its smooth and full objectives, the length of the step
/// ||W_k - W_{k-1}||_F and the norm of the gradient mapping ||(Y - W_k) / step||_F at the extrapolated point Y
/// (zero exactly at a minimiser).</summary>
internal readonly record struct FistaIterate(int Iteration, Tensor W, Tensor XW, double Smooth, double Objective, double StepLength, double GradientMapping);

/// <summary>The result of <see cref="RestartedFista.Run"/>: the last point (and X times it), the accepted steps, and
/// whether the gradient mapping fell below the tolerance.</summary>
internal readonly record struct FistaRun(Tensor W, Tensor XW, int Iterations, bool Converged);

/// <summary>Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) with backtracking line search and adaptive
/// restarts (O'Donoghue and Candes 2015) for h(X W) + beta sum_k ||w_k||_2, the prox being the group soft-threshold of
/// each column. Restarts reset the momentum whenever the step points against the previous one or the objective rises,
/// which makes the method monotone in practice and linearly convergent on the locally strongly convex programs here.</summary>
internal static class RestartedFista
{
    /// <summary>The largest number of halvings of the step in one line search. Reaching it means the objective is not
    /// smooth at the scale of rounding errors (the step then is below 2^-60 of the estimate), which is a bug.</summary>
    private const int MaxBacktracks = 60;

    /// <param name="x">Data [n, d].</param>
    /// <param name="h">The smooth part.</param>
    /// <param name="beta">Weight of the group norms (non-negative).</param>
    /// <param name="w0">Starting point [d, K].</param>
    /// <param name="maxIterations">Accepted steps at most.</param>
    /// <param name="tolerance">Stop when the gradient mapping's norm is at most this (absolute; the caller scales it).</param>
    /// <param name="onIteration">Called after every accepted step; returning false stops the run (time budget, outer
    /// stopping rules).</param>
    public static FistaRun Run(
        Tensor x, ISmoothPart h, double beta, Tensor w0, int maxIterations, double tolerance,
        Func<FistaIterate, bool> onIteration, CancellationToken ct)
    {
        using var _ = Autograd.NoGrad();
        var step = 1 / Math.Max(h.Lipschitz(x), 1e-300);
        var w = w0;
        var xw = x.Matmul(w);
        var y = w;
        var xy = xw;
        var t = 1.0;
        var previousObjective = double.PositiveInfinity;
        for (var k = 1; k <= maxIterations; k++)
        {
            ct.ThrowIfCancellationRequested();
            var (hy, gradV) = h.ValueAndGradient(xy);
            var grad = x.Transpose(0, 1).Matmul(gradV);
            Tensor next, xNext, diff;
            double hNext;
            var backtracks = 0;
            while (true)
            {
                next = Admm.GroupSoftThreshold(y - grad * step, step * beta);
                xNext = x.Matmul(next);
                hNext = h.Value(xNext);
                diff = next - y;
                var model = hy + Dot(grad, diff) + Dot(diff, diff) / (2 * step);
                // The slack absorbs rounding in h near a minimiser, where both sides agree to ~1e-16 relative.
                if (hNext <= model + 1e-12 * Math.Abs(hy)) break;
                if (++backtracks > MaxBacktracks)
                    throw new InvalidOperationException($"R-FISTA: the line search failed after {MaxBacktracks} halvings (step {step:g3}); the smooth part is not smooth or returns NaN (h = {hNext})");
                step /= 2;
            }
            var objective = hNext + beta * GroupNorms(next);
            var gradientMapping = Math.Sqrt(Dot(diff, diff)) / step;
            var move = next - w;
            var stepLength = Math.Sqrt(Dot(move, move));
            // Gradient restart: the momentum (next - w) points against the proximal step (next - y).
            var restart = Dot(diff, move) < 0 || objective > previousObjective;
            double momentum;
            if (restart)
            {
                t = 1;
                momentum = 0;
            }
            else
            {
                var tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
                momentum = (t - 1) / tNext;
                t = tNext;
            }
            // X is linear, so X y follows from X w and X next without another product.
            y = momentum == 0 ? next : next + move * momentum;
            xy = momentum == 0 ? xNext : xNext + (xNext - xw) * momentum;
            w = next;
            xw = xNext;
            previousObjective = objective;
            var converged = gradientMapping <= tolerance;
            if (!onIteration(new FistaIterate(k, w, xw, hNext, objective, stepLength, gradientMapping)) || converged)
                return new FistaRun(w, xw, k, converged);
        }
        return new FistaRun(w, xw, maxIterations, false);
    }

    /// <summary>sum_k ||w_k||_2 over the columns.</summary>
    public static double GroupNorms(Tensor w) => w.Square().Sum(0).Sqrt().Sum().Item();

    public static double Dot(Tensor a, Tensor b) => (a * b).Sum().Item();

    /// <summary>The largest eigenvalue of A^T A by power iteration, for a linear map given by
    /// <paramref name="apply"/> (A) and <paramref name="adjoint"/> (A^T) on tensors shaped like <paramref name="start"/>.
    /// It approaches from below; the line search makes up the rest.</summary>
    public static double SquaredNorm(Func<Tensor, Tensor> apply, Func<Tensor, Tensor> adjoint, Tensor start, int iterations = 30)
    {
        var v = start / Math.Sqrt(Dot(start, start));
        var value = 0.0;
        for (var i = 0; i < iterations; i++)
        {
            var av = apply(v);
            value = Dot(av, av);
            if (value == 0) return 0;
            var next = adjoint(av);
            v = next / Math.Sqrt(Dot(next, next));
        }
        return value;
    }
}
