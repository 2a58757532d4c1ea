namespace Engine.Nn;

/// <summary>Layer normalisation over the trailing <see cref="NormalizedShape"/> dims, with an elementwise weight
/// (ones) and bias (zeros) of that shape when <paramref name="elementwiseAffine"/>.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32, Device? device = null)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype, device)
    {
    }

    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32, Device? device = null)
    {
        NormalizedShape = NormShape.Check("LayerNorm", normalizedShape);
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        Weight = RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(NormalizedShape, dtype, device) : null);
        Bias = RegisterParameter("bias", elementwiseAffine && bias ? Tensor.Zeros(NormalizedShape, dtype, device) : null);
    }

    public int[] NormalizedShape { get; }

    public double Eps { get; }

    public bool ElementwiseAffine { get; }

    public Tensor? Weight { get; }

    public Tensor? Bias { get; }

    protected override Tensor ForwardCore(Tensor input) => Tensor.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    protected override string ExtraRepr()
        => $"{PyRepr.Tuple(NormalizedShape)}, eps={PyRepr.Float(Eps)}, elementwise_affine={PyRepr.Bool(ElementwiseAffine)}";
}

/// <summary>Root-mean-square normalisation over the trailing dims (PyTorch 2.4+): x / sqrt(mean(x^2) + eps) * weight,
/// weight initialised to ones; a null eps means the machine epsilon of the input's dtype.</summary>
public sealed class RmsNorm : Module<Tensor, Tensor>
{
    public RmsNorm(int normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32, Device? device = null)
        : this([normalizedShape], eps, elementwiseAffine, dtype, device)
    {
    }

    public RmsNorm(int[] normalizedShape, double? eps = null, bool elementwiseAffine = true, DType dtype = DType.Float32, Device? device = null)
    {
        NormalizedShape = NormShape.Check("RMSNorm", normalizedShape);
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        Weight = RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(NormalizedShape, dtype, device) : null);
    }

    public override string TypeName => "RMSNorm";

    public int[] NormalizedShape { get; }

    public double? Eps { get; }

    public bool ElementwiseAffine { get; }

    public Tensor? Weight { get; }

    protected override Tensor ForwardCore(Tensor input) => Tensor.RmsNorm(input, NormalizedShape, Weight, Eps);

    protected override string ExtraRepr()
        => $"{PyRepr.Tuple(NormalizedShape)}, eps={PyRepr.Float(Eps)}, elementwise_affine={PyRepr.Bool(ElementwiseAffine)}";
}

/// <summary>Group normalisation of [N, C, *]: channels split into groups, each normalised over its channels and
/// positions, then a per-channel weight (ones) and bias (zeros) when <paramref name="affine"/>.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32, Device? device = null)
    {
        if (numGroups < 1 || numChannels < 1 || numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: the number of channels {numChannels} must be positive and divisible by the number of groups {numGroups}");
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Affine = affine;
        Weight = RegisterParameter("weight", affine ? Tensor.Ones([numChannels], dtype, device) : null);
        Bias = RegisterParameter("bias", affine ? Tensor.Zeros([numChannels], dtype, device) : null);
    }

    public int NumGroups { get; }

    public int NumChannels { get; }

    public double Eps { get; }

    public bool Affine { get; }

    public Tensor? Weight { get; }

    public Tensor? Bias { get; }

    protected override Tensor ForwardCore(Tensor input)
    {
        if (input.Rank >= 2 && input.Size(1) != NumChannels)
            throw new ArgumentException($"GroupNorm: expected {NumChannels} channels in dim 1; got input of shape {Shape.Format(input.Shape)}");
        return Tensor.GroupNorm(input, NumGroups, Weight, Bias, Eps);
    }

    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={PyRepr.Float(Eps)}, affine={PyRepr.Bool(Affine)}";
}

internal static class NormShape
{
    public static int[] Check(string op, int[] normalizedShape)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d < 1))
            throw new ArgumentException($"{op}: the normalized shape must have at least one dim, all positive; got {Shape.Format(normalizedShape)}");
        return (int[])normalizedShape.Clone();
    }
}
