namespace Engine.Nn;

/// <summary>Binary cross-entropy on probabilities and on logits. Both carry their own gradient formula (PyTorch's),
/// which stays finite where the composed ops would not: at probabilities 0 and 1, and at logit 0, where abs and relu
/// have kinks that cancel in the loss.</summary>
public static partial class Losses
{
    /// <summary>-w [y log x + (1 - y) log(1 - x)] for probabilities x in [0, 1], each log clamped below at -100 (as
    /// PyTorch, so x = 0 or 1 gives a finite loss); weight broadcasts to the input's shape.</summary>
    public static Tensor Bce(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "Bce";
        var t = PairedTarget(input, target, op);
        var w = BroadcastWeight(input, weight, "weight", op);
        CheckReduction(reduction, op);
        if (input.Numel > 0)
        {
            var (lo, hi) = (input.Detach().Min().Item(), input.Detach().Max().Item());
            if (!(lo >= 0 && hi <= 1))
                throw new ArgumentException($"{op}: input values must be probabilities in [0, 1]; got values from {lo:G6} to {hi:G6} (use BceWithLogits for logits)");
        }
        Tensor loss;
        using (Autograd.NoGrad())
        {
            loss = -(t * ClampedLog(input) + (1 - t) * ClampedLog(1 - input));
            if (w is not null) loss *= w;
        }
        if ((input.RequiresGrad || t.RequiresGrad) && Autograd.IsEnabled)
        {
            loss.Record("Bce", [input, t], g =>
            {
                var gw = w is null ? g : g * w;
                return [
                    input.RequiresGrad ? gw * (input - t) / (input * (1 - input)).Maximum(1e-12) : null,
                    t.RequiresGrad ? gw * (ClampedLog(1 - input) - ClampedLog(input)) : null,
                ];
            });
        }
        return Reduce(loss, reduction, op);

        static Tensor ClampedLog(Tensor x) => x.Log().Maximum(-100);
    }

    /// <summary>Binary cross-entropy of logits, w [(1 - y) x + (1 + (p - 1) y) log(1 + exp(-x))], computed as
    /// max(x, 0) - x y + log(1 + exp(-|x|)) (plus the pos-weight term) so no exp overflows. posWeight p weighs the
    /// positive class (broadcast along the input, usually one per class in the last dim).</summary>
    public static Tensor BceWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BceWithLogits";
        var t = PairedTarget(input, target, op);
        var w = BroadcastWeight(input, weight, "weight", op);
        var p = BroadcastWeight(input, posWeight, "posWeight", op);
        CheckReduction(reduction, op);
        Tensor loss;
        using (Autograd.NoGrad())
        {
            // log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0), finite for any x.
            var softplusNeg = SoftplusOfNegative(input);
            loss = p is null ? (1 - t) * input + softplusNeg : (1 - t) * input + ((p - 1) * t + 1) * softplusNeg;
            if (w is not null) loss *= w;
        }
        if ((input.RequiresGrad || t.RequiresGrad) && Autograd.IsEnabled)
        {
            loss.Record("BceWithLogits", [input, t], g =>
            {
                var gw = w is null ? g : g * w;
                Tensor? gx = null, gt = null;
                if (input.RequiresGrad)
                    gx = p is null ? gw * (input.Sigmoid() - t) : gw * (input.Sigmoid() * ((p - 1) * t + 1) - p * t);
                if (t.RequiresGrad)
                    gt = p is null ? -gw * input : gw * ((p - 1) * SoftplusOfNegative(input) - input);
                return [gx, gt];
            });
        }
        return Reduce(loss, reduction, op);

        static Tensor SoftplusOfNegative(Tensor x) => x.Abs().Neg().Exp().Log1p() + x.Neg().Relu();
    }
}
