using BenchmarkDotNet.Attributes;
using Engine.Bench.Cases;
using Engine.Bench.Native;

namespace Engine.Bench.Suites;

/// <summary>A BenchmarkDotNet suite over one case family: Engine is the baseline of each parameter set, so the Ratio
/// column reads peer time / Engine time (the same speedup as --compare: above 1 Engine is faster).</summary>
[MemoryDiagnoser]
[CategoriesColumn]
public abstract class SuiteBase
{
    private BenchCase? current;

    protected BenchCase Case => current ?? throw new InvalidOperationException("GlobalSetup has not run");

    protected abstract BenchCase Create();

    [GlobalSetup]
    public void Setup()
    {
        TorchSharpRuntime.Prepare();
        current = Create();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        current?.Dispose();
        current = null;
    }

    [Benchmark(Baseline = true)]
    public void Engine() => Case.Engine();

    [Benchmark]
    public void TorchSharp() => Case.TorchSharp();
}
