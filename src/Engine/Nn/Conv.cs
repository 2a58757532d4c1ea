namespace Engine.Nn;

/// <summary>What Conv1d and Conv2d share (PyTorch's _ConvNd): the weight [out, in/groups, *kernel], the optional
/// bias [out], their default initialisation, and the printed arguments.</summary>
public abstract class ConvNd : Module<Tensor, Tensor>
{
    private protected ConvNd(
        int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups, bool bias,
        DType dtype, Device? device, Generator? generator)
    {
        var op = GetType().Name;
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"{op}: channel counts must be positive; got in {inChannels}, out {outChannels}");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{op}: groups {groups} must be positive and divide both the input channels {inChannels} and the output channels {outChannels}");
        if (kernelSize.Any(k => k < 1) || stride.Any(s => s < 1) || padding.Any(p => p < 0) || dilation.Any(d => d < 1))
            throw new ArgumentException(
                $"{op}: kernel size {PyRepr.Tuple(kernelSize)}, stride {PyRepr.Tuple(stride)} and dilation {PyRepr.Tuple(dilation)} must be positive and padding {PyRepr.Tuple(padding)} non-negative");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = Parameter("weight", Tensor.Zeros([outChannels, inChannels / groups, .. kernelSize], dtype, device));
        Bias = RegisterParameter("bias", bias ? Tensor.Zeros([outChannels], dtype, device) : null);
        ResetParameters(generator);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public IReadOnlyList<int> KernelSize { get; }

    public IReadOnlyList<int> Stride { get; }

    public IReadOnlyList<int> Padding { get; }

    public IReadOnlyList<int> Dilation { get; }

    public int Groups { get; }

    public Tensor Weight { get; }

    public Tensor? Bias { get; }

    /// <summary>PyTorch's default: weight by kaiming uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    /// with fan_in = in/groups * prod(kernel), then bias from the same range.</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.KaimingUniform_(Weight, Math.Sqrt(5), generator: generator);
        if (Bias is null) return;
        var bound = 1 / Math.Sqrt(Init.Fans(Weight).FanIn);
        Init.Uniform_(Bias, -bound, bound, generator);
    }

    protected override string ExtraRepr()
    {
        var zeros = new int[KernelSize.Count];
        var ones = Enumerable.Repeat(1, KernelSize.Count).ToArray();
        var s = $"{InChannels}, {OutChannels}, kernel_size={PyRepr.Tuple([.. KernelSize])}, stride={PyRepr.Tuple([.. Stride])}";
        if (!Padding.SequenceEqual(zeros)) s += $", padding={PyRepr.Tuple([.. Padding])}";
        if (!Dilation.SequenceEqual(ones)) s += $", dilation={PyRepr.Tuple([.. Dilation])}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s;
    }
}

/// <summary>1-D convolution over [N, C, L] (or unbatched [C, L]).</summary>
public sealed class Conv1d(
    int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
    DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    : ConvNd(inChannels, outChannels, [kernelSize], [stride], [padding], [dilation], groups, bias, dtype, device, generator)
{
    protected override Tensor ForwardCore(Tensor input)
        => Tensor.Conv1d(input, Weight, Bias, Stride[0], Padding[0], Dilation[0], Groups);
}

/// <summary>2-D convolution over [N, C, H, W] (or unbatched [C, H, W]); square arguments as ints, or (height, width)
/// pairs.</summary>
public sealed class Conv2d : ConvNd
{
    public Conv2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, dtype, device, generator)
    {
    }

    public Conv2d(
        int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(inChannels, outChannels, [kernelSize.H, kernelSize.W], [stride.H, stride.W], [padding.H, padding.W], [dilation.H, dilation.W],
            groups, bias, dtype, device, generator)
    {
    }

    protected override Tensor ForwardCore(Tensor input)
        => Tensor.Conv2d(input, Weight, Bias, (Stride[0], Stride[1]), (Padding[0], Padding[1]), (Dilation[0], Dilation[1]), Groups);
}
