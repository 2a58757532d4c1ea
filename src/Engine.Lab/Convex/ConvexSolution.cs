namespace Engine.Lab.Convex;

/// <summary>A point (u_i, z_i), i = 1..P, of a convex program: <see cref="U"/> and <see cref="Z"/> are float64
/// [d, P] with u_i and z_i as columns (z_i enters the prediction with a minus sign).</summary>
public sealed class ConvexSolution
{
    public ConvexSolution(Tensor u, Tensor z)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(z);
        if (u.DType != DType.Float64 || z.DType != DType.Float64 || u.Rank != 2 || !u.Shape.SequenceEqual(z.Shape))
            throw new ArgumentException(
                $"ConvexSolution: U and Z must be float64 [d, P] of one shape; got {u.DType} {Shape.Format(u.Shape.ToArray())} and {z.DType} {Shape.Format(z.Shape.ToArray())}");
        U = u;
        Z = z;
    }

    public Tensor U { get; }

    public Tensor Z { get; }

    /// <summary>loss(Predict(p), y) + beta * sum_i (||u_i|| + ||z_i||).</summary>
    public double Objective(ConvexProblem p) =>
        ConvexObjective.Loss(p.Loss, Predict(p), p.Y) + p.Beta * (ColumnNorms(U).Sum() + ColumnNorms(Z).Sum());

    /// <summary>sum_i D_i X (u_i - z_i) on the training X: [n].</summary>
    public Tensor Predict(ConvexProblem p)
    {
        CheckFits(p);
        using var _ = Autograd.NoGrad();
        return (p.X.Matmul(U - Z) * p.Patterns.Masks).Sum(1);
    }

    /// <summary>The largest violation of a cone constraint: max over i and samples of max(0, -(2 D_i - I) X u_i),
    /// and the same for z_i.</summary>
    public double ConstraintViolation(ConvexProblem p)
    {
        CheckFits(p);
        using var _ = Autograd.NoGrad();
        var signs = p.Patterns.Masks * 2 - 1;
        var worst = Math.Max((-(signs * p.X.Matmul(U))).Max().Item(), (-(signs * p.X.Matmul(Z))).Max().Item());
        return Math.Max(worst, 0);
    }

    /// <summary>This point with every nonzero u_i and z_i replaced by its Euclidean projection onto its cone
    /// {w : (2 D_i - I) X w &gt;= 0} (exact up to rounding: violations end below ~1e-13 relative to the block's
    /// norm; see <see cref="ConeProjection"/>); zero blocks stay zero. Solvers whose iterates meet the cone
    /// constraints only in the limit (ADMM, augmented Lagrangian) return projected points, so that the recovered
    /// network reproduces the convex predictions to rounding; the move is as small as the violation.</summary>
    public ConvexSolution ProjectOntoCones(ConvexProblem p)
    {
        CheckFits(p);
        var (n, d, count) = (p.Samples, p.Features, p.Patterns.Count);
        var x = p.X.ToArray<double>();
        var masks = p.Patterns.Masks.ToArray<double>();
        var rows = new double[n * d];
        var column = new double[d];
        Tensor Project(Tensor blocks)
        {
            var data = blocks.ToArray<double>();
            for (var i = 0; i < count; i++)
            {
                var zero = true;
                for (var c = 0; c < d; c++) zero &= (column[c] = data[c * count + i]) == 0;
                if (zero) continue;
                for (var k = 0; k < n; k++)
                {
                    var sign = 2 * masks[k * count + i] - 1;
                    for (var c = 0; c < d; c++) rows[k * d + c] = sign * x[k * d + c];
                }
                var projected = ConeProjection.Project(rows, n, d, column);
                for (var c = 0; c < d; c++) data[c * count + i] = projected[c];
            }
            return Tensor.Wrap(data, d, count);
        }
        return new ConvexSolution(Project(U), Project(Z));
    }

    /// <summary>Neurons of the recovered network: the u_i and z_i with norm above <paramref name="tol"/>.</summary>
    public int ActiveNeurons(double tol = 1e-8) => ColumnNorms(U).Count(v => v > tol) + ColumnNorms(Z).Count(v => v > tol);

    /// <summary>||column i|| of a [d, P] matrix.</summary>
    internal static double[] ColumnNorms(Tensor m)
    {
        using var _ = Autograd.NoGrad();
        return m.Norm(2, [0]).ToArray<double>();
    }

    private void CheckFits(ConvexProblem p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (U.Shape[0] != p.Features || U.Shape[1] != p.Patterns.Count)
            throw new ArgumentException(
                $"ConvexSolution: U and Z of shape {Shape.Format(U.Shape.ToArray())} do not fit the problem: expected [d, P] = {Shape.Format([p.Features, p.Patterns.Count])}");
    }
}
