namespace Engine.Nn.Models;

/// <summary>ResNet-20 for small images (He et al. 2016, section 4.2): a 3x3 conv to 16 channels with batch norm and
/// ReLU, three stages of three basic blocks with 16, 32 and 64 channels (the second and third stages halve the
/// resolution in their first block), global average pooling and a linear classifier: 269,722 parameters for 3 input
/// channels and 10 classes. Shortcuts are the paper's option A (identity, with stride-2 subsampling and zero-padded
/// extra channels where the shape changes), so they add no parameters. The pooling is global, so any input size works,
/// e.g. 28x28 (7x7 before pooling) and 32x32 (8x8). Names follow the common PyTorch CIFAR ResNet (conv1, bn1, layer1.0.conv1, ...,
/// linear); conv and linear weights start He-normal (fan in), as there.</summary>
public sealed class ResNet20 : Sequential
{
    public ResNet20(int inChannels = 3, int classes = 10, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (inChannels < 1 || classes < 1)
            throw new ArgumentException($"ResNet20: sizes must be positive; got in {inChannels}, classes {classes}");
        Add("conv1", new Conv2d(inChannels, 16, 3, padding: 1, bias: false, dtype: dtype, device: device, generator: generator));
        Add("bn1", new BatchNorm2d(16, dtype: dtype, device: device));
        Add("relu", new Relu());
        Add("layer1", Stage(16, 16, 1, dtype, device, generator));
        Add("layer2", Stage(16, 32, 2, dtype, device, generator));
        Add("layer3", Stage(32, 64, 2, dtype, device, generator));
        Add("avgpool", new AdaptiveAvgPool2d(1));
        Add("flatten", new Flatten());
        Add("linear", new Linear(64, classes, dtype: dtype, device: device, generator: generator));
        foreach (var m in Modules())
        {
            if (m is Conv2d conv) Init.KaimingNormal_(conv.Weight, generator: generator);
            else if (m is Linear linear) Init.KaimingNormal_(linear.Weight, generator: generator);
        }
    }

    /// <summary>The three stages of basic blocks (layer1, layer2, layer3).</summary>
    public IReadOnlyList<Sequential> Stages => this.OfType<Sequential>().ToList();

    private static Sequential Stage(int inChannels, int outChannels, int stride, DType dtype, Device? device, Generator? generator)
    {
        var stage = new Sequential();
        for (var i = 0; i < 3; i++)
            stage.Add(new BasicBlock(i == 0 ? inChannels : outChannels, outChannels, i == 0 ? stride : 1, dtype, device, generator));
        return stage;
    }
}

/// <summary>The residual block of ResNet-20: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3x3 convs without
/// bias, the first with the block's stride.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    public BasicBlock(int inChannels, int outChannels, int stride = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false, dtype: dtype, device: device, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels, dtype: dtype, device: device));
        Relu1 = RegisterModule("relu1", new Relu());
        Conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false, dtype: dtype, device: device, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels, dtype: dtype, device: device));
        Shortcut = RegisterModule<Module<Tensor, Tensor>>("shortcut",
            stride != 1 || inChannels != outChannels ? new ZeroPadShortcut(inChannels, outChannels, stride) : new Identity());
        Relu2 = RegisterModule("relu2", new Relu());
    }

    public Conv2d Conv1 { get; }

    public BatchNorm2d Bn1 { get; }

    public Relu Relu1 { get; }

    public Conv2d Conv2 { get; }

    public BatchNorm2d Bn2 { get; }

    public Module<Tensor, Tensor> Shortcut { get; }

    public Relu Relu2 { get; }

    protected override Tensor ForwardCore(Tensor input)
    {
        var y = Relu1.Forward(Bn1.Forward(Conv1.Forward(input)));
        y = Bn2.Forward(Conv2.Forward(y));
        return Relu2.Forward(y + Shortcut.Forward(input));
    }
}

/// <summary>Option A shortcut: takes every stride-th pixel and pads the extra output channels with zeros, split
/// evenly before and after (no parameters).</summary>
public sealed class ZeroPadShortcut : Module<Tensor, Tensor>
{
    public ZeroPadShortcut(int inChannels, int outChannels, int stride)
    {
        if (outChannels < inChannels || stride < 1)
            throw new ArgumentException($"ZeroPadShortcut: needs out channels >= in channels and a positive stride; got {inChannels} -> {outChannels}, stride {stride}");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Stride { get; }

    protected override Tensor ForwardCore(Tensor input)
    {
        var x = Stride == 1 ? input : input.Slice(-2, 0, input.Size(-2), Stride).Slice(-1, 0, input.Size(-1), Stride);
        var extra = OutChannels - InChannels;
        return extra == 0 ? x : x.Pad([0, 0, 0, 0, extra / 2, extra - extra / 2]);
    }

    protected override string ExtraRepr() => $"{InChannels}, {OutChannels}, stride={Stride}";
}
