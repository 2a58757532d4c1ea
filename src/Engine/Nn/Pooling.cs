namespace Engine.Nn;

/// <summary>2-D max pooling over [N, C, H, W]; the stride defaults to the kernel size.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    : Module<Tensor, Tensor>
{
    public int KernelSize { get; } = kernelSize;

    public int Stride { get; } = stride ?? kernelSize;

    public int Padding { get; } = padding;

    public int Dilation { get; } = dilation;

    public bool CeilMode { get; } = ceilMode;

    protected override Tensor ForwardCore(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding, Dilation, CeilMode);

    protected override string ExtraRepr()
        => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={PyRepr.Bool(CeilMode)}";
}

/// <summary>2-D average pooling over [N, C, H, W]; the stride defaults to the kernel size.</summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    : Module<Tensor, Tensor>
{
    public int KernelSize { get; } = kernelSize;

    public int Stride { get; } = stride ?? kernelSize;

    public int Padding { get; } = padding;

    public bool CeilMode { get; } = ceilMode;

    public bool CountIncludePad { get; } = countIncludePad;

    protected override Tensor ForwardCore(Tensor input) => input.AvgPool2d(KernelSize, Stride, Padding, CeilMode, CountIncludePad);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>Average pooling of [N, C, H, W] to a fixed output size, whatever the input size (global average pooling
/// with output size 1).</summary>
public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    private readonly bool square;

    public AdaptiveAvgPool2d(int outputSize)
        : this((outputSize, outputSize))
    {
        square = true;
    }

    public AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        if (outputSize.H < 1 || outputSize.W < 1)
            throw new ArgumentException($"AdaptiveAvgPool2d: the output size must be positive; got ({outputSize.H},{outputSize.W})");
        OutputSize = outputSize;
    }

    public (int H, int W) OutputSize { get; }

    protected override Tensor ForwardCore(Tensor input) => input.AdaptiveAvgPool2d(OutputSize.H, OutputSize.W);

    protected override string ExtraRepr() => $"output_size={(square ? PyRepr.Int(OutputSize.H) : PyRepr.Tuple(OutputSize.H, OutputSize.W))}";
}
