namespace Engine.Lab.Convex;

/// <summary>The linear maps of the convex program on the stacked variable W = [U, Z] ([d, 2P]: the u_i, then the
/// z_i, as columns), without ever forming F or G: with masks M [n, P], F W = sum_i D_i X (u_i - z_i) and
/// G W = (2 D_j - I) X w_j for every block j, so each map is one GEMM with X plus elementwise work.</summary>
internal sealed class BlockOperators
{
    public BlockOperators(ConvexProblem problem)
    {
        X = problem.X;
        P = problem.Patterns.Count;
        var masks = problem.Patterns.Masks;
        Masks2 = Tensor.Cat([masks, masks], 1);
        ConeSigns = Masks2 * 2 - 1;
        var signs = new double[2 * P];
        for (var j = 0; j < 2 * P; j++) signs[j] = j < P ? 1 : -1;
        BlockSigns = Tensor.Wrap(signs, 1, 2 * P);
    }

    public Tensor X { get; }

    public int P { get; }

    /// <summary>[D_1..D_P, D_1..D_P] as an [n, 2P] mask.</summary>
    public Tensor Masks2 { get; }

    /// <summary>2 M2 - 1: the sign of each sample in each block's cone constraint.</summary>
    public Tensor ConeSigns { get; }

    /// <summary>+1 for the u blocks, -1 for the z blocks: [1, 2P].</summary>
    public Tensor BlockSigns { get; }

    /// <summary>F W: the convex model's predictions [n].</summary>
    public Tensor Apply(Tensor w) => Predict(X.Matmul(w));

    /// <summary>F W from X W [n, 2P], when that product is already at hand.</summary>
    public Tensor Predict(Tensor xw) => (xw * Masks2).Matmul(BlockSigns.Reshape(-1));

    /// <summary>F^T q for q [n]: block j is sign_j X^T D_j q, [d, 2P].</summary>
    public Tensor ApplyTransposed(Tensor q) => X.T.Matmul(Masks2 * q.Unsqueeze(1)) * BlockSigns;

    /// <summary>G W: every block's cone values (2 D_j - I) X w_j, [n, 2P] (feasible where all are &gt;= 0).</summary>
    public Tensor Cone(Tensor w) => ConeSigns * X.Matmul(w);

    /// <summary>G^T T for T [n, 2P].</summary>
    public Tensor ConeTransposed(Tensor t) => X.T.Matmul(ConeSigns * t);

    /// <summary>W = [U, Z] from a solution.</summary>
    public static Tensor Stack(ConvexSolution s) => Tensor.Cat([s.U, s.Z], 1);

    /// <summary>The solution held by W = [U, Z] (contiguous copies).</summary>
    public ConvexSolution Split(Tensor w) => new(w.Narrow(1, 0, P).Contiguous(), w.Narrow(1, P, P).Contiguous());
}
