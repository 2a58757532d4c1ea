namespace Engine.Nn;

/// <summary>Cross-entropy and negative log-likelihood.</summary>
public static partial class Losses
{
    /// <summary>Cross-entropy of unnormalised logits (PyTorch's cross_entropy). The input is [C], [N, C] or
    /// [N, C, d1, ...]; the target is either class indices (Int64, the input's shape without the class dim) or class
    /// probabilities (floating point, the input's shape).</summary>
    /// <param name="weight">Optional per-class weights [C].</param>
    /// <param name="ignoreIndex">A class-index target value that contributes neither loss nor gradient and is left
    /// out of the mean (class-index targets only).</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 - ε) target + ε / C uniform.</param>
    /// <remarks>Computed through log-softmax (stable for any logits). With class indices the gradient is one fused
    /// formula, w_y (softmax - onehot) scaled per row, rather than the chain log-softmax → gather → mean.</remarks>
    public static Tensor CrossEntropy(
        Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
    {
        const string op = "CrossEntropy";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"{op}: labelSmoothing must lie in [0, 1]; got {labelSmoothing}");
        CheckReduction(reduction, op);
        if (target.DType.IsFloatingPoint()) return ProbabilityCrossEntropy(input, target, weight, reduction, labelSmoothing);
        var rows = ToClassRows(input, target, op);
        var classWeight = ClassWeight(input, weight, rows.Classes, op);
        return ClassIndexCrossEntropy(rows, classWeight, Weigh(rows, classWeight, ignoreIndex, op), reduction, labelSmoothing);
    }

    /// <summary>Negative log-likelihood of log-probabilities (PyTorch's nll_loss): -weight[y] * input[n, y], with the
    /// shapes, weights, ignore index and reductions of <see cref="CrossEntropy"/>'s class-index form.</summary>
    public static Tensor Nll(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        const string op = "Nll";
        ArgumentNullException.ThrowIfNull(input);
        CheckReduction(reduction, op);
        var rows = ToClassRows(input, target, op);
        var tw = Weigh(rows, ClassWeight(input, weight, rows.Classes, op), ignoreIndex, op);
        var picked = rows.Rows.Gather(1, tw.Safe.Unsqueeze(1)).Squeeze(1);
        var perRow = tw.RowWeight is null ? -picked : -picked * tw.RowWeight;
        return ReduceRows(perRow, rows, tw, reduction);
    }

    /// <summary>Class-index cross-entropy over rows [R, C]. Forward: log-softmax, the target's entry, and (with
    /// smoothing) the row sum. Backward, for row n with incoming gradient s_n (the reduction's share):
    /// grad = s_n [((1 - ε) w_y + ε W / C) softmax - (1 - ε) w_y onehot(y) - (ε / C) w], W = Σ_c w_c (all 0 when
    /// the row is ignored): one exp, one row scale and one scatter over the logits.</summary>
    private static Tensor ClassIndexCrossEntropy(ClassRows r, Tensor? classWeight, TargetWeights tw, Reduction reduction, double eps)
    {
        var x = r.Rows;
        var classes = r.Classes;
        Tensor logp, perRow;
        using (Autograd.NoGrad())
        {
            logp = x.LogSoftmax(1);
            var picked = logp.Gather(1, tw.Safe.Unsqueeze(1)).Squeeze(1);
            perRow = tw.RowWeight is null ? -picked : -picked * tw.RowWeight;
            if (eps > 0)
            {
                var smooth = -(classWeight is null ? logp.Sum(1) : (logp * classWeight).Sum(1));
                if (tw.Keep is not null) smooth *= tw.Keep;
                perRow = perRow * (1 - eps) + smooth * (eps / classes);
            }
        }
        if (x.RequiresGrad && Autograd.IsEnabled)
            perRow.Record("CrossEntropy", [x], g => [CrossEntropyGrad(x, logp, g, classWeight, tw, eps)]);
        return ReduceRows(perRow, r, tw, reduction);
    }

    private static Tensor CrossEntropyGrad(Tensor x, Tensor logp, Tensor g, Tensor? classWeight, TargetWeights tw, double eps)
    {
        var classes = x.Shape[1];
        var s = g.Unsqueeze(1);
        var b = tw.RowWeight is null ? s * (1 - eps) : s * tw.RowWeight.Unsqueeze(1) * (1 - eps);
        Tensor? c = null;
        var a = b;
        if (eps > 0)
        {
            c = tw.Keep is null ? s * (eps / classes) : s * tw.Keep.Unsqueeze(1) * (eps / classes);
            a = classWeight is null ? b + c * classes : b + c * classWeight.Sum();
        }
        if (Autograd.IsEnabled)
        {
            // A recorded backward (createGraph): the same formula with differentiable ops.
            var grad = x.Softmax(1) * a - tw.Safe.OneHot(classes).To(x.DType) * b;
            return c is null ? grad : grad - (classWeight is null ? c : c * classWeight);
        }
        var gx = logp.Exp().Mul_(a);
        gx.ScatterAdd_(1, tw.Safe.Unsqueeze(1), -b);
        if (c is not null)
        {
            if (classWeight is null) gx.Sub_(c);
            else gx.Addcmul_(c, classWeight, -1);
        }
        return gx;
    }

    /// <summary>Cross-entropy against class probabilities: -Σ_c w_c target_c log softmax(input)_c, the mean dividing
    /// by the number of samples (elements / C), as PyTorch.</summary>
    private static Tensor ProbabilityCrossEntropy(Tensor input, Tensor target, Tensor? weight, Reduction reduction, double eps)
    {
        const string op = "CrossEntropy";
        CheckFloat(input, "input", op);
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: the input needs a class dim: shape (C), (N,C) or (N,C,d1,...); got a 0-dim tensor");
        if (!input.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException(
                $"{op}: probability target of shape {Shape.Format(target.Shape)} must have the input's shape {Shape.Format(input.Shape)} (class-index targets must be Int64)");
        CheckDevice(input, target, "target", op);
        var classDim = input.Rank == 1 ? 0 : 1;
        var classes = input.Shape[classDim];
        var t = target.To(input.DType);
        if (eps > 0) t = t * (1 - eps) + eps / classes;
        var product = input.LogSoftmax(classDim) * t;
        if (ClassWeight(input, weight, classes, op) is { } w)
        {
            var view = Enumerable.Repeat(1, input.Rank).ToArray();
            view[classDim] = classes;
            product *= w.Reshape(view);
        }
        return reduction switch
        {
            Reduction.None => -product.Sum(classDim),
            Reduction.Sum => -product.Sum(),
            _ => -product.Sum() / (input.Numel == 0 ? double.NaN : input.Numel / classes),
        };
    }
}
