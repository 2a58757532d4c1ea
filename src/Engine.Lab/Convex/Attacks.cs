using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>Settings of a projected-gradient attack (Madry et al. 2018): <see cref="Restarts"/> runs from uniform
/// random starts in the box, each <see cref="Steps"/> signed-gradient steps of <see cref="StepSize"/> (default
/// 2.5 eps / steps, so a run can cross the box), projected back onto the box after every step.</summary>
public sealed record PgdOptions(double Epsilon, int Steps = 50, int Restarts = 5, double? StepSize = null, ulong Seed = 0)
{
    public double Step => StepSize ?? 2.5 * Epsilon / Steps;

    public void Validate()
    {
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"PgdOptions: epsilon must be finite and >= 0; got {Epsilon}");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), $"PgdOptions: steps must be >= 1; got {Steps}");
        if (Restarts < 1) throw new ArgumentOutOfRangeException(nameof(Restarts), $"PgdOptions: restarts must be >= 1; got {Restarts}");
        if (!(Step > 0) && Epsilon > 0) throw new ArgumentOutOfRangeException(nameof(StepSize), $"PgdOptions: step size must be > 0; got {Step}");
    }
}

/// <summary>l_inf evasion attacks on a binary classifier with one output (an <see cref="Engine.Nn"/> module in
/// float64, e.g. the recovered Linear-ReLU-Linear network): each sample x is moved within the box
/// ||delta||_inf &lt;= eps to increase its own loss (<see cref="SampleLosses"/>). The inputs are the network's (no bias
/// column).</summary>
public static class Attacks
{
    /// <summary>The per-sample loss of outputs f against labels/targets y: log(1 + exp(-y f)) (logistic) or
    /// 0.5 (f - y)^2 (squared); [samples]. Differentiable.</summary>
    public static Tensor SampleLosses(Tensor output, Tensor y, ConvexLoss loss)
    {
        var f = output.Reshape(-1);
        return loss switch
        {
            // softplus(-y f) = log(1 + exp(-y f)). Above its threshold softplus returns its input; at 40 the error,
            // log(1 + e^-40) ~ 4e-18, is below float64 resolution (the default 20 would leave 2e-9).
            ConvexLoss.Logistic => (-(y * f)).Softplus(threshold: 40),
            ConvexLoss.Squared => 0.5 * (f - y).Square(),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), $"Attacks: unknown loss {loss}"),
        };
    }

    /// <summary>The fraction of samples whose output has the label's sign (0 counts as wrong).</summary>
    public static double Accuracy(Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var _ = Autograd.NoGrad();
        return model.Forward(x).Reshape(-1).Mul(y).Gt(0).To(DType.Float64).Mean().Item();
    }

    /// <summary>The fast gradient sign method (Goodfellow et al. 2015): x + eps sign(grad_x loss), one step.</summary>
    public static Tensor Fgsm(Module<Tensor, Tensor> model, Tensor x, Tensor y, double epsilon, ConvexLoss loss)
    {
        Check(model, x, y, "Fgsm");
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"Attacks.Fgsm: epsilon must be >= 0; got {epsilon}");
        using var _ = Autograd.NoGrad();
        return x + epsilon * InputGradient(model, x, y, loss).Sign();
    }

    /// <summary>Projected gradient ascent on each sample's loss from several random starts; returns, per sample, the
    /// perturbed input with the highest loss seen at any step of any restart (so more restarts never weaken it).</summary>
    public static Tensor Pgd(Module<Tensor, Tensor> model, Tensor x, Tensor y, PgdOptions options, ConvexLoss loss)
    {
        Check(model, x, y, "Pgd");
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var _ = Autograd.NoGrad();
        var generator = new Generator(options.Seed);
        var eps = options.Epsilon;
        var lower = x - eps;
        var upper = x + eps;
        var best = x;
        var bestLoss = Losses(model, x, y, loss);
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var current = x + (Tensor.RandLike(x, generator) * 2 - 1) * eps;
            for (var step = 0; step < options.Steps; step++)
            {
                current = (current + options.Step * InputGradient(model, current, y, loss).Sign()).Maximum(lower).Minimum(upper);
                var losses = Losses(model, current, y, loss);
                var better = losses.Gt(bestLoss).Reshape(-1, 1);
                best = Tensor.Where(better, current, best);
                bestLoss = losses.Maximum(bestLoss);
            }
        }
        return best;
    }

    /// <summary>The per-sample losses at <paramref name="x"/>, without a graph.</summary>
    public static Tensor Losses(Module<Tensor, Tensor> model, Tensor x, Tensor y, ConvexLoss loss)
    {
        using var _ = Autograd.NoGrad();
        return SampleLosses(model.Forward(x), y, loss);
    }

    /// <summary>d(sum of sample losses)/dx: each sample's loss depends only on its own row, so this is every sample's
    /// own gradient at once. Parameters' .Grad are left untouched.</summary>
    private static Tensor InputGradient(Module<Tensor, Tensor> model, Tensor x, Tensor y, ConvexLoss loss)
    {
        using var _ = Autograd.EnableGrad();
        var input = x.Detach();
        input.RequiresGrad = true;
        return Autograd.Grad(SampleLosses(model.Forward(input), y, loss).Sum(), input);
    }

    private static void Check(Module<Tensor, Tensor> model, Tensor x, Tensor y, string op)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank != 2 || y.Rank != 1 || y.Size(0) != x.Size(0) || x.DType != DType.Float64 || y.DType != DType.Float64)
            throw new ArgumentException($"Attacks.{op}: needs float64 inputs [samples, features] and labels [samples]; got {x.DType} {Shape.Format(x.Shape)} and {y.DType} {Shape.Format(y.Shape)}");
    }
}
