namespace Engine.Backends.Cpu;

/// <summary>Splits a loop across cores only when the work is large enough to pay for it, so small tensors stay on
/// the calling thread.</summary>
public static class CpuParallel
{
    /// <summary>Elementary operations below which a loop runs on one thread.</summary>
    public const long Threshold = 1 << 15;

    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>Threads used by the CPU kernels (defaults to the logical core count; ENGINE_THREADS overrides).</summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = Math.Max(1, value);
    }

    static CpuParallel()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("ENGINE_THREADS"), out var n) && n > 0) maxThreads = n;
    }

    /// <summary>Runs body(start, end) over [0, count) in contiguous chunks; <paramref name="costPerItem"/> is an
    /// estimate of the work per index used against <see cref="Threshold"/>.</summary>
    public static void For(int count, long costPerItem, Action<int, int> body)
    {
        if (count <= 0) return;
        var threads = (int)Math.Min(Math.Min(maxThreads, count), Math.Max(1, count * Math.Max(costPerItem, 1) / Threshold));
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        var chunk = (count + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var start = t * chunk;
            var end = Math.Min(count, start + chunk);
            if (start < end) body(start, end);
        });
    }
}
