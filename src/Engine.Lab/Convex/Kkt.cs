namespace Engine.Lab.Convex;

/// <summary>How far a point is from satisfying the KKT conditions of a convex program (all values &gt;= 0, zero at
/// an exact optimum). <see cref="Stationarity"/>: the largest, over blocks j, of ||F_j^T grad + beta w_j/||w_j|| -
/// G_j^T mu_j|| for nonzero w_j and of max(0, ||F_j^T grad - G_j^T mu_j|| - beta) for zero w_j (the subgradient
/// of the group norm is the unit ball there), with the best multipliers mu_j &gt;= 0 supported on the block's active
/// constraints. <see cref="PrimalFeasibility"/>: the largest cone violation. <see cref="ComplementarySlackness"/>:
/// the largest mu_jk (G_j w_j)_k.</summary>
public sealed record KktReport(double Stationarity, double PrimalFeasibility, double ComplementarySlackness);

/// <summary>The KKT check of a solution, independent of the solver that produced it: it needs no dual variables,
/// since for each block the best cone multipliers are found by nonnegative least squares over the constraints
/// active at the point (those with (G_j w_j)_k &lt;= activeTolerance; all of them for a zero block).</summary>
public static class Kkt
{
    /// <summary>Coordinate-descent sweeps of the per-block nonnegative least squares.</summary>
    private const int Sweeps = 2000;

    /// <param name="gated">The gated-ReLU program (no cone constraints): multipliers are zero.</param>
    public static KktReport Check(ConvexProblem p, ConvexSolution s, bool gated = false, double activeTolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        using var _ = Autograd.NoGrad();
        var ops = new BlockOperators(p);
        var w = BlockOperators.Stack(s);
        var (n, d, blocks) = (p.Samples, p.Features, 2 * ops.P);
        var r = ops.Apply(w).ToArray<double>();
        var gradient = new double[n];
        ConvexObjective.Gradient(p.Loss, r, p.Y.ToArray<double>(), gradient);
        var a = ops.ApplyTransposed(Tensor.Wrap(gradient, n)).ToArray<double>();
        var cone = ops.Cone(w).ToArray<double>();
        var signs = ops.ConeSigns.ToArray<double>();
        var x = p.X.ToArray<double>();
        var wData = w.ToArray<double>();
        var norms = w.Norm(2, [0]).ToArray<double>();
        double stationarity = 0, slackness = 0;
        for (var j = 0; j < blocks; j++)
        {
            // target = F_j^T grad + beta xi_j, which G_j^T mu_j must cancel.
            var target = new double[d];
            for (var c = 0; c < d; c++) target[c] = a[c * blocks + j] + (norms[j] > 0 ? p.Beta * wData[c * blocks + j] / norms[j] : 0);
            var rows = new List<double[]>();
            var values = new List<double>();
            for (var k = 0; k < n && !gated; k++)
            {
                if (norms[j] > 0 && cone[k * blocks + j] > activeTolerance) continue;
                var row = new double[d];
                for (var c = 0; c < d; c++) row[c] = signs[k * blocks + j] * x[k * d + c];
                rows.Add(row);
                values.Add(cone[k * blocks + j]);
            }
            var (residual, mu) = NonnegativeLeastSquares(rows, target);
            stationarity = Math.Max(stationarity, norms[j] > 0 ? residual : Math.Max(0, residual - p.Beta));
            for (var k = 0; k < mu.Length; k++) slackness = Math.Max(slackness, mu[k] * Math.Abs(values[k]));
        }
        return new KktReport(stationarity, s.ConstraintViolation(p), slackness);
    }

    /// <summary>min over mu &gt;= 0 of ||target - sum_k mu_k rows_k|| by cyclic coordinate descent (each coordinate
    /// minimised exactly, then clipped at 0): returns the residual norm and mu.</summary>
    private static (double Residual, double[] Mu) NonnegativeLeastSquares(List<double[]> rows, double[] target)
    {
        var residual = (double[])target.Clone();
        var mu = new double[rows.Count];
        var squares = rows.Select(row => row.Sum(v => v * v)).ToArray();
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            var largestStep = 0.0;
            for (var k = 0; k < rows.Count; k++)
            {
                if (squares[k] == 0) continue;
                var row = rows[k];
                var dot = 0.0;
                for (var c = 0; c < row.Length; c++) dot += row[c] * residual[c];
                var next = Math.Max(0, mu[k] + dot / squares[k]);
                var step = next - mu[k];
                if (step == 0) continue;
                mu[k] = next;
                for (var c = 0; c < row.Length; c++) residual[c] -= step * row[c];
                largestStep = Math.Max(largestStep, Math.Abs(step) * Math.Sqrt(squares[k]));
            }
            if (largestStep < 1e-15) break;
        }
        return (Math.Sqrt(residual.Sum(v => v * v)), mu);
    }
}
