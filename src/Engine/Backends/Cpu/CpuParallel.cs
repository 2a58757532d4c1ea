namespace Engine.Backends.Cpu;

/// <summary>Splits a loop across cores only when the work is large enough to pay for it, so small tensors stay on
/// the calling thread. Parallel loops run on a small set of dedicated worker threads (one fewer than
/// <see cref="MaxThreads"/>; the caller runs the first chunk) that wait on a handshake between jobs: no Task or
/// Parallel.For start-up, no allocation per loop, and wake-up in microseconds. Chunk boundaries depend only on the
/// count and the thread count, so results are reproducible. A loop started from inside another parallel loop, or
/// while another thread owns the workers, runs on its calling thread.</summary>
public static class CpuParallel
{
    /// <summary>Elementary operations below which a loop runs on one thread.</summary>
    public const long Threshold = 1 << 15;

    private static readonly object Gate = new();
    private static int maxThreads = Environment.ProcessorCount;
    private static Worker[] workers = [];

    [ThreadStatic] private static bool insideLoop;

    // The job the workers are running.
    private static Action<int, int>? jobBody;
    private static int jobCount;
    private static int jobChunk;
    private static int jobPending;
    private static Exception? jobError;
    private static readonly ManualResetEventSlim JobDone = new(false, spinCount: 200);

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
        if (threads <= 1 || insideLoop || !Monitor.TryEnter(Gate))
        {
            body(0, count);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            var chunk = (count + threads - 1) / threads;
            jobBody = body;
            jobCount = count;
            jobChunk = chunk;
            jobError = null;
            JobDone.Reset();
            // Chunk t covers [t * chunk, ...); with a rounded-up chunk the last threads may get nothing.
            var used = (count + chunk - 1) / chunk;
            Volatile.Write(ref jobPending, used - 1);
            for (var t = 1; t < used; t++) workers[t - 1].Start(t);
            insideLoop = true;
            try
            {
                body(0, Math.Min(count, chunk));
            }
            finally
            {
                insideLoop = false;
            }
            if (used > 1) JobDone.Wait();
            jobBody = null;
            // The chunk's own exception (an ArgumentException from a kernel, say), as a loop on one thread would throw it.
            if (jobError is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int needed)
    {
        if (workers.Length >= needed) return;
        var grown = new Worker[needed];
        Array.Copy(workers, grown, workers.Length);
        for (var i = workers.Length; i < needed; i++) grown[i] = new Worker(i + 1);
        workers = grown;
    }

    private static void RunChunk(int t)
    {
        insideLoop = true;
        try
        {
            var start = t * jobChunk;
            var end = Math.Min(jobCount, start + jobChunk);
            if (start < end) jobBody!(start, end);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref jobError, e, null);
        }
        finally
        {
            insideLoop = false;
            if (Interlocked.Decrement(ref jobPending) == 0) JobDone.Set();
        }
    }

    /// <summary>A background thread that runs one chunk per signal.</summary>
    private sealed class Worker
    {
        private readonly ManualResetEventSlim signal = new(false, spinCount: 200);
        private int chunk;

        public Worker(int id)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Engine CPU worker {id}" };
            thread.Start();
        }

        public void Start(int t)
        {
            chunk = t;
            signal.Set();
        }

        private void Loop()
        {
            while (true)
            {
                signal.Wait();
                signal.Reset();
                RunChunk(chunk);
            }
        }
    }
}
