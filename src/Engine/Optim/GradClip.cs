namespace Engine.Optim;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place on the parameters'
/// gradients; parameters without a gradient are skipped.</summary>
public static class GradClip
{
    /// <summary>Scales all gradients together by min(1, maxNorm / (total + 1e-6)), where total is the norm of the
    /// gradients seen as one vector (p-norm of the per-tensor p-norms; the largest |g| for infinity).</summary>
    /// <returns>The total norm before clipping, as a 0-dim Float64 tensor.</returns>
    public static Tensor ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentException($"ClipGradNorm: maxNorm must be non-negative; got {maxNorm}");
        if (!(normType > 0)) throw new ArgumentException($"ClipGradNorm: normType must be positive or infinity; got {normType}");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return Tensor.Scalar(0, DType.Float64);
        using var noGrad = Autograd.NoGrad();
        var norms = Tensor.Stack(grads.Select(g => g.Norm(normType).To(DType.Float64)).ToArray());
        var total = norms.Norm(normType);
        if (errorIfNonfinite && !double.IsFinite(total.Item()))
            throw new InvalidOperationException(
                $"ClipGradNorm: the total norm of order {normType} of the gradients is {total.Item()}, so they cannot be clipped; pass errorIfNonfinite: false to skip this check");
        var coef = (maxNorm / (total + 1e-6)).Minimum(1.0);
        foreach (var g in grads) g.Mul_(coef);
        return total;
    }

    /// <summary>Clamps every gradient element to [-clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentException($"ClipGradValue: clipValue must be non-negative; got {clipValue}");
        using var noGrad = Autograd.NoGrad();
        foreach (var p in parameters)
            p.Grad?.Clamp_(-clipValue, clipValue);
    }
}
