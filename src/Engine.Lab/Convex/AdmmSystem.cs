namespace Engine.Lab.Convex;

/// <summary>The ADMM u-step matrix A = I + (c/rho) F^T F + G^T G (2dP x 2dP), factorised once and applied as
/// A^-1 in O(n d P + n^2) per solve, never formed. Two facts make that possible:
/// (2 D_j - I)^2 = I, so G^T G = blkdiag(X^T X) and B = I + G^T G is block diagonal with the one d x d block
/// K = I + X^T X; and F^T F has rank at most n, so by Woodbury
/// A^-1 = B^-1 - B^-1 F^T ((rho/c) I + F B^-1 F^T)^-1 F B^-1, where F B^-1 F^T = sum_j D_j X K^-1 X^T D_j =
/// 2 (X K^-1 X^T) o (M M^T) is n x n. Only K (d x d) and that n x n matrix are factorised (Cholesky), both
/// symmetric positive definite (K &gt;= I; the Schur product of two PSD matrices is PSD, plus (rho/c) I).
/// Direct factorisation of A would cost (2dP)^3/3 once and (2dP)^2 per iteration.</summary>
internal sealed class AdmmSystem
{
    private readonly BlockOperators ops;
    private readonly Tensor blockInverse;
    private readonly Tensor woodburyFactor;

    /// <param name="curvature">c: 1 for the squared loss; the logistic loss's curvature bound 1/4.</param>
    public AdmmSystem(BlockOperators ops, double rho, double curvature)
    {
        this.ops = ops;
        var x = ops.X;
        var d = x.Shape[1];
        var n = x.Shape[0];
        var eyeD = Tensor.Eye(d, dtype: DType.Float64);
        var block = eyeD + x.T.Matmul(x);
        // K^-1 explicitly: it is d x d and applied to all 2P columns at once as one GEMM.
        blockInverse = Linalg.CholeskySolve(Linalg.Cholesky(block), eyeD);
        var masks = ops.Masks2.Narrow(1, 0, ops.P);
        var capacitance = x.Matmul(blockInverse).Matmul(x.T) * masks.Matmul(masks.T) * 2 + Tensor.Eye(n, dtype: DType.Float64) * (rho / curvature);
        woodburyFactor = Linalg.Cholesky(capacitance);
    }

    /// <summary>A^-1 R for R [d, 2P].</summary>
    public Tensor Solve(Tensor r)
    {
        var y = blockInverse.Matmul(r);
        var t = Linalg.CholeskySolve(woodburyFactor, ops.Apply(y));
        return y - blockInverse.Matmul(ops.ApplyTransposed(t));
    }
}
