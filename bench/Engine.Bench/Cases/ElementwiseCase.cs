using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Engine.Bench.Cases;

/// <summary>The elementwise and reduction operations a network runs between its products, on small (64) and large
/// (10^6) float32 tensors. Each call allocates its output and disposes it at once on both sides; the inputs do not
/// require gradients, so neither side records a graph. This measures per-op overhead at 64 elements and memory
/// bandwidth at 10^6.</summary>
public sealed class ElementwiseCase : BenchCase
{
    public static readonly string[] Operations = ["add", "mul", "relu", "tanh", "sum", "max", "softmax"];

    private readonly string operation;
    private readonly int count;
    private readonly Tensor a, b;
    private readonly TorchTensor ta, tb;
    private readonly Action engine, peer;

    public ElementwiseCase(string operation, int count)
    {
        this.operation = operation;
        this.count = count;
        // Softmax runs over rows of 1000 at 10^6 elements (a classifier's batch of logits), over one row at 64.
        int[] shape = operation == "softmax" && count >= 1000 && count % 1000 == 0 ? [count / 1000, 1000] : [count];
        var generator = new Generator(3);
        a = Tensor.Randn(shape, DType.Float32, generator);
        b = Tensor.Randn(shape, DType.Float32, generator);
        ta = TorchInterop.ToTorch(a);
        tb = TorchInterop.ToTorch(b);
        (engine, peer) = operation switch
        {
            "add" => Pair(() => { using var c = a + b; }, () => { using var c = ta + tb; }),
            "mul" => Pair(() => { using var c = a * b; }, () => { using var c = ta * tb; }),
            "relu" => Pair(() => { using var c = a.Relu(); }, () => { using var c = ta.relu(); }),
            "tanh" => Pair(() => { using var c = a.Tanh(); }, () => { using var c = ta.tanh(); }),
            "sum" => Pair(() => { using var c = a.Sum(); }, () => { using var c = ta.sum(); }),
            "max" => Pair(() => { using var c = a.Max(); }, () => { using var c = ta.max(); }),
            "softmax" => Pair(() => { using var c = a.Softmax(-1); }, () => { using var c = ta.softmax(-1); }),
            _ => throw new ArgumentException($"ElementwiseCase: unknown operation '{operation}'; expected one of {string.Join(", ", Operations)}"),
        };
        Shape = shape;
    }

    public int[] Shape { get; }

    /// <summary>"add_64", "add_1e6".</summary>
    public override string Key => KeyFor(operation, count);

    public static string KeyFor(string operation, int count) => $"{operation}_{SizeName(count)}";

    public override string Description => $"{operation} of float32 [{string.Join(",", Shape)}]{(operation is "add" or "mul" ? " and a second such tensor" : "")}";

    public override double WorkPerCall => count;

    public override (string Unit, double Scale) Throughput => ("Melem/s", 1e6);

    public override void Engine() => engine();

    public override void TorchSharp() => peer();

    private static (Action Engine, Action Peer) Pair(Action engine, Action peer) => (engine, peer);

    public static string SizeName(int count) => count switch
    {
        1_000_000 => "1e6",
        _ => count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override void Dispose()
    {
        a.Dispose();
        b.Dispose();
        ta.Dispose();
        tb.Dispose();
    }
}
