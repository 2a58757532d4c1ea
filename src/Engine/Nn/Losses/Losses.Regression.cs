namespace Engine.Nn;

/// <summary>Regression losses on input and target of one shape.</summary>
public static partial class Losses
{
    /// <summary>Squared error (input - target)^2.</summary>
    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
        => Reduce((input - PairedTarget(input, target, "Mse")).Square(), reduction, "Mse");

    /// <summary>Absolute error |input - target|.</summary>
    public static Tensor L1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
        => Reduce((input - PairedTarget(input, target, "L1")).Abs(), reduction, "L1");

    /// <summary>0.5 d^2 / beta where |d| &lt; beta, |d| - 0.5 beta elsewhere (d = input - target); beta = 0 is L1.</summary>
    public static Tensor SmoothL1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1)
    {
        const string op = "SmoothL1";
        if (!(beta >= 0)) throw new ArgumentException($"{op}: beta must be non-negative; got {beta}");
        var d = input - PairedTarget(input, target, op);
        var abs = d.Abs();
        return Reduce(beta == 0 ? abs : Tensor.Where(abs.Lt(beta), d.Square() * (0.5 / beta), abs - 0.5 * beta), reduction, op);
    }

    /// <summary>0.5 d^2 where |d| &lt; delta, delta (|d| - 0.5 delta) elsewhere (d = input - target): SmoothL1 scaled
    /// by delta.</summary>
    public static Tensor Huber(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1)
    {
        const string op = "Huber";
        if (!(delta > 0)) throw new ArgumentException($"{op}: delta must be positive; got {delta}");
        var d = input - PairedTarget(input, target, op);
        var abs = d.Abs();
        return Reduce(Tensor.Where(abs.Lt(delta), d.Square() * 0.5, (abs - 0.5 * delta) * delta), reduction, op);
    }
}
