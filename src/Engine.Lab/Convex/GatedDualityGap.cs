namespace Engine.Lab.Convex;

/// <summary>A certificate for the gated program that no solver produces: the Fenchel duality gap. For
/// min_w l(F w) + beta sum_i ||w_i|| the dual is max_theta -l*(-theta) subject to ||(D_i X)^T theta|| <= beta; the
/// point theta = -s l'(F w), scaled by s <= 1 into the dual constraints, gives primal - dual >= primal - optimum.
/// So a relative gap of 1e-6 proves the objective is within 1e-6 of the gated optimum, whatever computed it.</summary>
public static class GatedDualityGap
{
    /// <summary>(primal - dual) / |primal| at the gated weights W = U - Z of <paramref name="s"/>.</summary>
    public static double Relative(ConvexProblem p, ConvexSolution s)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        using var _ = Autograd.NoGrad();
        var w = s.U - s.Z;
        var h = new MaskedLoss(p.Patterns.Masks, p.Y, p.Loss);
        var xw = p.X.Matmul(w);
        var prediction = h.Predict(xw);
        var primal = ConvexLosses.Value(prediction, p.Y, p.Loss) + p.Beta * RestartedFista.GroupNorms(w);
        var g = ConvexLosses.Derivative(prediction, p.Y, p.Loss);
        var largest = p.X.Transpose(0, 1).Matmul(p.Patterns.Masks * g.Unsqueeze(1)).Square().Sum(0).Sqrt().Max().Item();
        var scale = largest <= p.Beta ? 1 : p.Beta / largest;
        var dual = -ConvexLosses.ConjugateAtNegative(g * -scale, p.Y, p.Loss);
        return (primal - dual) / Math.Abs(primal);
    }
}
