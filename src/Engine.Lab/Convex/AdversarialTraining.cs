using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Convex;

/// <summary>How <see cref="AdversarialTraining"/> perturbs the training inputs before each step.</summary>
public enum AdversarialAttack { Fgsm, Pgd }

/// <summary>Settings of adversarial training: full-batch Adam for <see cref="Steps"/> steps on the nonconvex
/// objective (loss at the attacked inputs + beta/2 (||W1||_F^2 + ||b1||^2 + ||w2||^2)), each step first attacking the
/// current network (PGD: <see cref="PgdSteps"/> steps, one random start).</summary>
public sealed record AdversarialTrainingOptions(
    int Hidden, double Beta, ConvexLoss Loss, AdversarialAttack Attack, double Epsilon,
    int Steps = 500, double Lr = 1e-2, int PgdSteps = 10, ulong Seed = 0, TimeSpan? TimeBudget = null)
{
    public void Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), $"AdversarialTrainingOptions: hidden width must be >= 1; got {Hidden}");
        if (!(Beta >= 0)) throw new ArgumentOutOfRangeException(nameof(Beta), $"AdversarialTrainingOptions: beta must be >= 0; got {Beta}");
        if (!(Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"AdversarialTrainingOptions: eps must be >= 0; got {Epsilon}");
        if (Steps < 1 || PgdSteps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), $"AdversarialTrainingOptions: steps and PGD steps must be >= 1; got {Steps} and {PgdSteps}");
        if (!(Lr > 0)) throw new ArgumentOutOfRangeException(nameof(Lr), $"AdversarialTrainingOptions: lr must be > 0; got {Lr}");
    }
}

/// <summary>One adversarial-training step: time since the start and the regularised objective at the attacked inputs.</summary>
public sealed record AdversarialStep(int Step, double Seconds, double Objective);

public sealed record AdversarialTrainingResult(Sequential Network, IReadOnlyList<AdversarialStep> History, double Seconds);

/// <summary>The FGSM/PGD adversarial-training baseline (Goodfellow et al. 2015; Madry et al. 2018) for the robust
/// convex program: the same Linear-ReLU-Linear network as the recovered one (float64, PyTorch initialisation, output
/// bias fixed at 0 as in the recovered network), trained on the worst inputs an attack finds.</summary>
public static class AdversarialTraining
{
    /// <param name="x">Inputs without the bias column (the network has its own), float64 [n, d].</param>
    /// <param name="y">Labels in {-1, +1} (or squared-loss targets), float64 [n].</param>
    public static AdversarialTrainingResult Train(Tensor x, Tensor y, AdversarialTrainingOptions o, IProgress<AdversarialStep>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var generator = new Generator(o.Seed);
        var first = new Linear(x.Size(1), o.Hidden, dtype: DType.Float64, generator: generator);
        var second = new Linear(o.Hidden, 1, dtype: DType.Float64, generator: generator);
        using (Autograd.NoGrad()) second.Bias!.Zero_();
        second.Bias!.RequiresGrad = false;
        var net = new Sequential(first, new Relu(), second);
        var weights = new[] { first.Weight, first.Bias!, second.Weight };
        var optimizer = new Adam(weights, o.Lr);
        var pgd = new PgdOptions(o.Epsilon, o.PgdSteps, Restarts: 1);
        var history = new List<AdversarialStep>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var step = 1; step <= o.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            var attacked = o.Attack == AdversarialAttack.Fgsm
                ? Attacks.Fgsm(net, x, y, o.Epsilon, o.Loss)
                : Attacks.Pgd(net, x, y, pgd with { Seed = o.Seed + (ulong)step }, o.Loss);
            optimizer.ZeroGrad();
            var objective = Attacks.SampleLosses(net.Forward(attacked), y, o.Loss).Sum()
                + o.Beta / 2 * weights.Select(w => w.Square().Sum()).Aggregate((a, b) => a + b);
            objective.Backward();
            optimizer.Step();
            var record = new AdversarialStep(step, clock.Elapsed.TotalSeconds, objective.Item());
            history.Add(record);
            progress?.Report(record);
            if (o.TimeBudget is { } budget && clock.Elapsed >= budget) break;
        }
        net.Eval();
        return new AdversarialTrainingResult(net, history, clock.Elapsed.TotalSeconds);
    }
}
