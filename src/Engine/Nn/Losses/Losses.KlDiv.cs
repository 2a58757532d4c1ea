namespace Engine.Nn;

/// <summary>Kullback-Leibler divergence.</summary>
public static partial class Losses
{
    /// <summary>PyTorch's kl_div: pointwise target (log target - input) for an input of log-probabilities, with
    /// 0 log 0 = 0; with <paramref name="logTarget"/> the target is given as log-probabilities too and the pointwise
    /// loss is exp(target) (target - input). <see cref="Reduction.BatchMean"/> (sum / batch size) gives the true KL
    /// divergence per sample; <see cref="Reduction.Mean"/> averages over every element, as PyTorch's default does.</summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        const string op = "KlDiv";
        var t = PairedTarget(input, target, op);
        Tensor pointwise;
        if (logTarget) pointwise = t.Exp() * (t - input);
        else
        {
            // xlogy(t, t) with the log taken of 1 where t = 0, so neither the value nor a gradient sees log 0.
            var safe = Tensor.Where(t.Eq(0), Tensor.OnesLike(t), t);
            pointwise = t * (safe.Log() - input);
        }
        if (reduction != Reduction.BatchMean) return Reduce(pointwise, reduction, op);
        var batch = input.Rank == 0 ? 1 : input.Shape[0];
        return pointwise.Sum() / batch;
    }
}
