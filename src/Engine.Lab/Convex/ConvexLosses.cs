namespace Engine.Lab.Convex;

/// <summary>The losses of <see cref="ConvexObjective"/> (summed: squared 0.5 ||r - y||^2, logistic
/// sum log(1 + exp(-y r))) as tensor expressions on predictions r [n] and targets y [n], for the tensor-based solvers
/// and the autograd-trained baseline.</summary>
internal static class ConvexLosses
{
    public static double Value(Tensor r, Tensor y, ConvexLoss loss) => ConvexObjective.Loss(loss, r, y);

    /// <summary>The loss as a differentiable scalar tensor (the nonconvex baseline trains on it).</summary>
    public static Tensor Scalar(Tensor r, Tensor y, ConvexLoss loss) => loss switch
    {
        ConvexLoss.Squared => (r - y).Square().Sum() * 0.5,
        ConvexLoss.Logistic => (-(y * r)).Softplus().Sum(),
        _ => throw new ArgumentException($"ConvexLosses: unknown loss {loss}"),
    };

    /// <summary>d loss / d r.</summary>
    public static Tensor Derivative(Tensor r, Tensor y, ConvexLoss loss) => loss switch
    {
        ConvexLoss.Squared => r - y,
        ConvexLoss.Logistic => -y * (-(y * r)).Sigmoid(),
        _ => throw new ArgumentException($"ConvexLosses: unknown loss {loss}"),
    };

    /// <summary>The convex conjugate l*(v) = sup_r v.r - l(r) at v = -theta, for a dual point theta:
    /// squared 0.5 ||v||^2 + v.y; logistic sum q log q + (1 - q) log(1 - q) with q = -v y, which must lie in [0, 1]
    /// (theta = -s l'(r) with s in [0, 1] does).</summary>
    public static double ConjugateAtNegative(Tensor theta, Tensor y, ConvexLoss loss)
    {
        switch (loss)
        {
            case ConvexLoss.Squared:
                var v = -theta;
                return 0.5 * v.Square().Sum().Item() + (v * y).Sum().Item();
            case ConvexLoss.Logistic:
                var q = (theta * y).Clamp(0, 1);
                // x log x -> 0 at x = 0: the clamp inside the log keeps 0 * log(0) from turning into NaN.
                return (q * q.Clamp(min: 1e-300).Log() + (1 - q) * (1 - q).Clamp(min: 1e-300).Log()).Sum().Item();
            default:
                throw new ArgumentException($"ConvexLosses: unknown loss {loss}");
        }
    }

    /// <summary>The largest second derivative of the loss in one prediction (1 squared, 1/4 logistic).</summary>
    public static double Curvature(ConvexLoss loss) => loss switch
    {
        ConvexLoss.Squared => 1,
        ConvexLoss.Logistic => 0.25,
        _ => throw new ArgumentException($"ConvexLosses: unknown loss {loss}"),
    };
}
