namespace Engine.Nn;

/// <summary>Loss functions with PyTorch's semantics (torch.nn.functional's names in .NET style). Each takes the
/// prediction first and the target second and returns a 0-dim tensor, or per-element losses with
/// <see cref="Reduction.None"/>. The families live in the partial files beside this one; the shared checks are here.</summary>
public static partial class Losses
{
    /// <summary>Applies an elementwise loss's reduction (None, Mean or Sum).</summary>
    private static Tensor Reduce(Tensor loss, Reduction reduction, string op)
    {
        CheckReduction(reduction, op);
        return reduction switch
        {
            Reduction.None => loss,
            Reduction.Mean => loss.Mean(),
            _ => loss.Sum(),
        };
    }

    /// <summary>Every loss but KlDiv takes None, Mean or Sum.</summary>
    private static void CheckReduction(Reduction reduction, string op)
    {
        if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
            throw new ArgumentException($"{op}: reduction must be None, Mean or Sum; got {reduction} (BatchMean is defined only for KlDiv)");
    }

    private static void CheckFloat(Tensor t, string what, string op)
    {
        ArgumentNullException.ThrowIfNull(t, what);
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: {what} must be floating point; got {t.DType} of shape {Shape.Format(t.Shape)} (convert with To(DType.Float32))");
    }

    /// <summary>Checks an elementwise loss's operands (floating point, one shape, one device) and returns the target in
    /// the input's dtype.</summary>
    private static Tensor PairedTarget(Tensor input, Tensor target, string op)
    {
        CheckFloat(input, "input", op);
        CheckFloat(target, "target", op);
        if (!input.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"{op}: input of shape {Shape.Format(input.Shape)} and target of shape {Shape.Format(target.Shape)} must have the same shape");
        CheckDevice(input, target, "target", op);
        return target.To(input.DType);
    }

    private static void CheckDevice(Tensor input, Tensor other, string what, string op)
    {
        if (other.Device != input.Device)
            throw new ArgumentException($"{op}: {what} is on {other.Device} but the input is on {input.Device}");
    }

    /// <summary>An optional elementwise weight, checked to broadcast to the input's shape, in the input's dtype.</summary>
    private static Tensor? BroadcastWeight(Tensor input, Tensor? weight, string what, string op)
    {
        if (weight is null) return null;
        CheckFloat(weight, what, op);
        CheckDevice(input, weight, what, op);
        var fits = weight.Rank <= input.Rank;
        for (var i = 1; fits && i <= weight.Rank; i++) fits = weight.Shape[^i] == 1 || weight.Shape[^i] == input.Shape[^i];
        if (!fits)
            throw new ArgumentException($"{op}: {what} of shape {Shape.Format(weight.Shape)} does not broadcast to the input's shape {Shape.Format(input.Shape)}");
        return weight.To(input.DType);
    }
}
