using System.Diagnostics;

namespace Engine.Bench.Compare;

/// <summary>A Stopwatch harness for the quick comparison: warm-up, a per-side call count that makes each sample
/// last at least a minimum time, then rounds in which every side takes one sample (the order alternating between
/// rounds, so a burst of load from elsewhere hits all sides alike), and the median per side.</summary>
public sealed class Harness(int rounds, double warmupSeconds, double minSampleSeconds)
{
    public int Rounds { get; } = rounds;

    /// <summary>Median seconds per call of each action, and the calls per sample used.</summary>
    public (double[] Seconds, int[] Calls) Measure(IReadOnlyList<Action> actions)
    {
        var calls = actions.Select(Calibrate).ToArray();
        var samples = new double[actions.Count][];
        for (var i = 0; i < actions.Count; i++) samples[i] = new double[Rounds];
        for (var r = 0; r < Rounds; r++)
            for (var j = 0; j < actions.Count; j++)
            {
                var i = r % 2 == 0 ? j : actions.Count - 1 - j;
                samples[i][r] = SecondsPerCall(actions[i], calls[i]);
            }
        return (samples.Select(Median).ToArray(), calls);
    }

    /// <summary>Managed bytes allocated per call, on all threads, over a few calls after warm-up.</summary>
    public static double AllocatedBytesPerCall(Action action, int calls)
    {
        action();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++) action();
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
    }

    private int Calibrate(Action action)
    {
        // At least the warm-up time, and enough calls for the JIT to have promoted the code a call runs (tiered
        // compilation recompiles a method after 30 calls) unless that would take more than a few seconds.
        var clock = Stopwatch.StartNew();
        var warm = 0;
        while (warm < 2 || clock.Elapsed.TotalSeconds < warmupSeconds || (warm < 32 && clock.Elapsed.TotalSeconds < 4 * warmupSeconds))
        {
            action();
            warm++;
        }
        // Time a handful of calls (one when a call is slow) to size the samples.
        var probe = clock.Elapsed.TotalSeconds / warm > minSampleSeconds ? 1 : 8;
        var perCall = SecondsPerCall(action, probe);
        return (int)Math.Clamp(Math.Ceiling(minSampleSeconds / perCall), 1, 1 << 24);
    }

    private static double SecondsPerCall(Action action, int calls)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
