namespace Engine.Lab.Convex;

/// <summary>The data term of the convex programs as a function of V = X W [n, K]: loss(sum_k s_k D_k V_k, y), where
/// column k of <c>signedMasks</c> is s_k diag(D_k) with s_k = +1 for a u-column and -1 for a z-column. The gated
/// program uses the masks as they are (one column per pattern), the ReLU program [masks, -masks] over [U, Z].</summary>
internal sealed class MaskedLoss(Tensor signedMasks, Tensor y, ConvexLoss loss) : ISmoothPart
{
    public Tensor Predict(Tensor v) => (signedMasks * v).Sum(1);

    public double Value(Tensor v) => ConvexLosses.Value(Predict(v), y, loss);

    public (double Value, Tensor Gradient) ValueAndGradient(Tensor v)
    {
        var prediction = Predict(v);
        var dPrediction = ConvexLosses.Derivative(prediction, y, loss);
        return (ConvexLosses.Value(prediction, y, loss), signedMasks * dPrediction.Unsqueeze(1));
    }

    /// <summary>curvature(loss) ||F||^2 with F: W -> sum_k s_k D_k X w_k, by power iteration.</summary>
    public double Lipschitz(Tensor x) => ConvexLosses.Curvature(loss) * RestartedFista.SquaredNorm(
        w => Predict(x.Matmul(w)),
        r => x.Transpose(0, 1).Matmul(signedMasks * r.Unsqueeze(1)),
        Tensor.Ones([x.Shape[1], signedMasks.Shape[1]], DType.Float64));
}
