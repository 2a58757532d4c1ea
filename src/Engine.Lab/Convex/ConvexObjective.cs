namespace Engine.Lab.Convex;

/// <summary>The losses of the convex programs, in one normalisation used everywhere (solvers, recovery, Adam
/// baseline): summed over the samples, without a 1/n factor, so the ADMM u-step matches the paper's
/// A = I + (1/rho) F^T F and beta is on the same scale as a sum of per-sample losses.
/// Squared: 0.5 * sum_k (r_k - y_k)^2. Logistic: sum_k log(1 + exp(-y_k r_k)), labels y in {-1, +1}.
/// The convex objective adds beta * sum_i (||u_i||_2 + ||z_i||_2); the nonconvex one beta/2 times the squared
/// weights (see <see cref="Recovery.NonconvexObjective"/>).</summary>
public static class ConvexObjective
{
    /// <summary>The loss of predictions r against targets y, both [n] float64.</summary>
    public static double Loss(ConvexLoss loss, Tensor prediction, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(y);
        if (prediction.Rank != 1 || y.Rank != 1 || prediction.Shape[0] != y.Shape[0])
            throw new ArgumentException(
                $"ConvexObjective.Loss: prediction and targets must be [n] vectors of one length; got shapes {Shape.Format(prediction.Shape.ToArray())} and {Shape.Format(y.Shape.ToArray())}");
        return Loss(loss, prediction.ToArray<double>(), y.ToArray<double>());
    }

    internal static double Loss(ConvexLoss loss, ReadOnlySpan<double> r, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var k = 0; k < r.Length; k++)
            sum += loss == ConvexLoss.Squared ? 0.5 * (r[k] - y[k]) * (r[k] - y[k]) : Softplus(-y[k] * r[k]);
        return sum;
    }

    /// <summary>The derivative of the loss with respect to the predictions, written into <paramref name="gradient"/>.</summary>
    internal static void Gradient(ConvexLoss loss, ReadOnlySpan<double> r, ReadOnlySpan<double> y, Span<double> gradient)
    {
        for (var k = 0; k < r.Length; k++)
            gradient[k] = loss == ConvexLoss.Squared ? r[k] - y[k] : -y[k] * Sigmoid(-y[k] * r[k]);
    }

    /// <summary>log(1 + e^t) without overflow for large t and without losing the tail for very negative t.</summary>
    private static double Softplus(double t) => Math.Max(t, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t)));

    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));
}
