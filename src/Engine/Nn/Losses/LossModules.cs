using System.Globalization;

namespace Engine.Nn;

/// <summary>Cross-entropy of logits against class indices or probabilities (see <see cref="Losses.CrossEntropy"/>).</summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
    : WeightedLoss(weight, reduction)
{
    public long IgnoreIndex { get; } = ignoreIndex;

    public double LabelSmoothing { get; } = labelSmoothing;

    protected override Tensor ForwardCore(Tensor input, Tensor target)
        => Losses.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
}

/// <summary>Negative log-likelihood of log-probabilities (see <see cref="Losses.Nll"/>).</summary>
public sealed class NllLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    : WeightedLoss(weight, reduction)
{
    public long IgnoreIndex { get; } = ignoreIndex;

    public override string TypeName => "NLLLoss";

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.Nll(input, target, Weight, IgnoreIndex, Reduction);
}

public sealed class MseLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override string TypeName => "MSELoss";

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.Mse(input, target, Reduction);
}

public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.L1(input, target, Reduction);
}

public sealed class SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1) : Loss(reduction)
{
    public double Beta { get; } = beta;

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.SmoothL1(input, target, Reduction, Beta);
}

public sealed class HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1) : Loss(reduction)
{
    public double Delta { get; } = delta;

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.Huber(input, target, Reduction, Delta);
}

/// <summary>Binary cross-entropy of probabilities (see <see cref="Losses.Bce"/>).</summary>
public sealed class BceLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : WeightedLoss(weight, reduction)
{
    public override string TypeName => "BCELoss";

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.Bce(input, target, Weight, Reduction);
}

/// <summary>Binary cross-entropy of logits (see <see cref="Losses.BceWithLogits"/>).</summary>
public sealed class BceWithLogitsLoss : WeightedLoss
{
    public BceWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
        : base(weight, reduction)
    {
        PosWeight = RegisterBuffer("pos_weight", posWeight);
    }

    public Tensor? PosWeight { get; }

    public override string TypeName => "BCEWithLogitsLoss";

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.BceWithLogits(input, target, Weight, PosWeight, Reduction);
}

/// <summary>Multi-class hinge loss (see <see cref="Losses.MultiMargin"/>).</summary>
public sealed class MultiMarginLoss(int p = 1, double margin = 1, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    : WeightedLoss(weight, reduction)
{
    public int P { get; } = p;

    public double Margin { get; } = margin;

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.MultiMargin(input, target, P, Margin, Weight, Reduction);
}

/// <summary>Binary hinge loss for targets in {-1, +1} (see <see cref="Losses.Hinge"/>).</summary>
public sealed class HingeLoss(double margin = 1, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public double Margin { get; } = margin;

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.Hinge(input, target, Margin, Reduction);

    protected override string ExtraRepr() => $"margin={Margin.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>KL divergence of log-probabilities (see <see cref="Losses.KlDiv"/>).</summary>
public sealed class KlDivLoss(Reduction reduction = Reduction.Mean, bool logTarget = false) : Loss(reduction)
{
    public bool LogTarget { get; } = logTarget;

    public override string TypeName => "KLDivLoss";

    protected override Tensor ForwardCore(Tensor input, Tensor target) => Losses.KlDiv(input, target, Reduction, LogTarget);
}

/// <summary>A loss with an optional per-class weight buffer (PyTorch's _WeightedLoss).</summary>
public abstract class WeightedLoss : Loss
{
    protected WeightedLoss(Tensor? weight, Reduction reduction)
        : base(reduction)
    {
        Weight = RegisterBuffer("weight", weight);
    }

    public Tensor? Weight { get; }
}
