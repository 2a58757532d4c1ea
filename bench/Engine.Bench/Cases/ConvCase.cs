using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Engine.Bench.Cases;

/// <summary>Conv2d forward and backward, 3x3, padding 1, over a batch of 28x28 images: y = conv(x), then
/// y.backward(gy) with a dense random gy (as a layer inside a network receives). Weight and bias gradients always;
/// the input gradient only when the layer has more than one input channel (a first layer's input is data, which
/// needs no gradient). Gradients are dropped before each call, so every call allocates them afresh on both
/// sides.</summary>
public sealed class ConvCase : BenchCase
{
    private const int Size = 28;
    private readonly int batch, inChannels, outChannels;
    private readonly Nn.Conv2d conv;
    private readonly Tensor x, gy;
    private readonly torch.nn.Module<TorchTensor, TorchTensor> tconv;
    private readonly TorchTensor tx, tgy;

    public ConvCase(int batch, int inChannels, int outChannels)
    {
        (this.batch, this.inChannels, this.outChannels) = (batch, inChannels, outChannels);
        var generator = new Generator(2);
        conv = new Nn.Conv2d(inChannels, outChannels, 3, padding: 1, generator: generator);
        x = Tensor.Randn([batch, inChannels, Size, Size], DType.Float32, generator);
        gy = Tensor.Randn([batch, outChannels, Size, Size], DType.Float32, generator);
        x.RequiresGrad = InputGradient;
        tconv = torch.nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        TorchInterop.CopyParameters(conv, tconv);
        tx = TorchInterop.ToTorch(x, requiresGrad: InputGradient);
        tgy = TorchInterop.ToTorch(gy);
    }

    private bool InputGradient => inChannels > 1;

    public override string Key => KeyFor(inChannels, outChannels);

    public static string KeyFor(int inChannels, int outChannels) => $"conv_fwd_bwd_{inChannels}to{outChannels}";

    public override string Description =>
        $"conv2d 3x3 pad 1, [{batch},{inChannels},{Size},{Size}] -> {outChannels} channels, forward + backward (weight, bias{(InputGradient ? ", input" : "")})";

    // Forward, weight gradient and (when computed) input gradient each cost one product of this size.
    public override double WorkPerCall => (InputGradient ? 3 : 2) * 2.0 * batch * outChannels * inChannels * 9 * Size * Size;

    public override (string Unit, double Scale) Throughput => ("GFLOP/s", 1e9);

    public override void Engine()
    {
        conv.ZeroGrad();
        x.Grad?.Dispose();
        x.Grad = null;
        using var scope = TensorScope.Enter();
        conv.Forward(x).Backward(gy);
    }

    public override void TorchSharp()
    {
        tconv.zero_grad();
        tx.grad?.Dispose();
        if (InputGradient) tx.grad = null;
        using var scope = torch.NewDisposeScope();
        tconv.forward(tx).backward([tgy]);
    }

    public override void Dispose()
    {
        x.Dispose();
        gy.Dispose();
        tconv.Dispose();
        tx.Dispose();
        tgy.Dispose();
    }
}
