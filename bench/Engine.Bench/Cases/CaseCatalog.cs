namespace Engine.Bench.Cases;

/// <summary>The suite's cases in a fixed order, made one at a time (each holds its inputs only while it runs), and
/// the acceptance thresholds on their speedups.</summary>
public static class CaseCatalog
{
    public static readonly int[] GemmSizes = [128, 256, 512, 1024, 2048];

    /// <summary>(m, k, n) of the Fashion-MNIST MLP's products: a batch of 128 through its first layer, 32 through its
    /// last.</summary>
    public static readonly (int M, int K, int N)[] MlpGemmShapes = [(128, 784, 256), (32, 256, 10)];

    public static readonly (int In, int Out)[] ConvChannels = [(1, 32), (32, 64)];

    public const int ConvBatch = 64;

    public static readonly int[] ElementwiseCounts = [64, 1_000_000];

    public static readonly (string Model, int Batch)[] TrainSteps = [("mlp", 32), ("mlp", 256), ("cnn", 64)];

    /// <summary>A case's key and how to make it (making one allocates its inputs and models).</summary>
    public sealed record Spec(string Key, Func<BenchCase> Create);

    public static IEnumerable<Spec> All()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            foreach (var n in GemmSizes) yield return new(GemmCase.KeyFor(dtype, n, n, n), () => new GemmCase(dtype, n, n, n));
            foreach (var (m, k, n) in MlpGemmShapes) yield return new(GemmCase.KeyFor(dtype, m, k, n), () => new GemmCase(dtype, m, k, n));
        }
        foreach (var (cin, cout) in ConvChannels)
            yield return new(ConvCase.KeyFor(cin, cout), () => new ConvCase(ConvBatch, cin, cout));
        foreach (var operation in ElementwiseCase.Operations)
            foreach (var count in ElementwiseCounts)
                yield return new(ElementwiseCase.KeyFor(operation, count), () => new ElementwiseCase(operation, count));
        foreach (var (model, batch) in TrainSteps)
            yield return new(TrainStepCase.KeyFor(model, batch), () => new TrainStepCase(model, batch));
    }

    /// <summary>The acceptance criteria of issue 4 as minimum speedups (peer time / Engine time), by result key.</summary>
    public static readonly IReadOnlyDictionary<string, double> Targets = new Dictionary<string, double>
    {
        ["sgemm_1024_vs_torchsharp"] = 1.5,
        ["sgemm_2048_vs_torchsharp"] = 1.5,
        ["sgemm_1024_vs_openblas"] = 0.75,
        ["sgemm_2048_vs_openblas"] = 0.75,
        ["sgemm_128_vs_torchsharp"] = 1.0,
        ["sgemm_256_vs_torchsharp"] = 1.0,
        ["add_64_vs_torchsharp"] = 10,
        ["mul_64_vs_torchsharp"] = 10,
        ["relu_64_vs_torchsharp"] = 10,
        ["add_1e6_vs_torchsharp"] = 0.9,
        ["mul_1e6_vs_torchsharp"] = 0.9,
        ["relu_1e6_vs_torchsharp"] = 0.9,
        ["mlp_step_b32_vs_torchsharp"] = 2.0,
        ["mlp_step_b256_vs_torchsharp"] = 1.2,
        ["cnn_step_b64_vs_torchsharp"] = 1.0,
    };

    public static string ResultKey(BenchCase c, Peer peer) => $"{c.Key}_vs_{peer.ToString().ToLowerInvariant()}";
}
