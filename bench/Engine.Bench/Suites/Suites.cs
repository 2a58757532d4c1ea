using BenchmarkDotNet.Attributes;
using Engine.Bench.Cases;

namespace Engine.Bench.Suites;

[BenchmarkCategory("gemm")]
public class GemmSuite : SuiteBase
{
    [Params("sgemm", "dgemm")]
    public string Kind { get; set; } = "sgemm";

    /// <summary>"n" for an n x n x n product, "m x k x n" otherwise.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "128";

    public static IEnumerable<string> Shapes =>
        CaseCatalog.GemmSizes.Select(n => $"{n}").Concat(CaseCatalog.MlpGemmShapes.Select(s => $"{s.M}x{s.K}x{s.N}"));

    protected override BenchCase Create()
    {
        var dims = Shape.Split('x').Select(int.Parse).ToArray();
        var (m, k, n) = dims.Length == 1 ? (dims[0], dims[0], dims[0]) : (dims[0], dims[1], dims[2]);
        return new GemmCase(Kind == "sgemm" ? DType.Float32 : DType.Float64, m, k, n);
    }

    /// <summary>Fails (DllNotFoundException) where libopenblas0-pthread is not installed.</summary>
    [Benchmark]
    public void OpenBlas() => Case.OpenBlas();
}

[BenchmarkCategory("conv")]
public class ConvSuite : SuiteBase
{
    [Params("1to32", "32to64")]
    public string Channels { get; set; } = "1to32";

    protected override BenchCase Create()
    {
        var parts = Channels.Split("to").Select(int.Parse).ToArray();
        return new ConvCase(CaseCatalog.ConvBatch, parts[0], parts[1]);
    }
}

[BenchmarkCategory("elementwise")]
public class ElementwiseSuite : SuiteBase
{
    [ParamsSource(nameof(Operations))]
    public string Operation { get; set; } = "add";

    [ParamsSource(nameof(Counts))]
    public int Count { get; set; } = 64;

    public static IEnumerable<string> Operations => ElementwiseCase.Operations;

    public static IEnumerable<int> Counts => CaseCatalog.ElementwiseCounts;

    protected override BenchCase Create() => new ElementwiseCase(Operation, Count);
}

[BenchmarkCategory("train")]
public class TrainStepSuite : SuiteBase
{
    [ParamsSource(nameof(Steps))]
    public string Step { get; set; } = "mlp_b32";

    public static IEnumerable<string> Steps => CaseCatalog.TrainSteps.Select(s => $"{s.Model}_b{s.Batch}");

    protected override BenchCase Create()
    {
        var parts = Step.Split("_b");
        return new TrainStepCase(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Packed-popcount K-NN against the float-distance formulation (the baseline, so the Ratio column reads
/// popcount time / float time). Engine-only: no TorchSharp peer.</summary>
[MemoryDiagnoser]
[CategoriesColumn]
[BenchmarkCategory("knn")]
public class KnnSuite
{
    private KnnCase? current;

    /// <summary>"train x test x bits".</summary>
    [Params("6000x1000x1000")]
    public string Size { get; set; } = "6000x1000x1000";

    private KnnCase Case => current ?? throw new InvalidOperationException("GlobalSetup has not run");

    [GlobalSetup]
    public void Setup()
    {
        var dims = Size.Split('x').Select(int.Parse).ToArray();
        current = new KnnCase(dims[0], dims[1], dims[2]);
        if (!Case.Popcount().SequenceEqual(Case.FloatDistance()))
            throw new InvalidOperationException("KnnSuite: the popcount and float-distance K-NN disagree");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        current?.Dispose();
        current = null;
    }

    [Benchmark(Baseline = true)]
    public int[] FloatDistance() => Case.FloatDistance();

    [Benchmark]
    public int[] Popcount() => Case.Popcount();
}
