using Engine.Bench.Cases;

namespace Engine.Bench.Compare;

/// <summary>The --compare mode: every case of the catalog (or those whose key contains the filter) measured with
/// the Stopwatch harness, Engine and its peers side by side.</summary>
public static class CompareRunner
{
    public const string RatioDefinition =
        "speedup = peer median time / Engine median time for the same work (> 1: Engine is faster, < 1: the peer is)";

    public static IReadOnlyList<CompareResult> Run(Harness harness, string? filter, TextWriter progress)
    {
        var results = new List<CompareResult>();
        foreach (var spec in CaseCatalog.All())
        {
            if (filter is not null && !spec.Key.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            using var c = spec.Create();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var actions = new List<Action> { c.Engine };
            actions.AddRange(c.Peers.Select(p => (Action)(() => c.Run(p))));
            var (seconds, calls) = harness.Measure(actions);
            var bytes = Harness.AllocatedBytesPerCall(c.Engine, Math.Clamp(calls[0], 1, 20));
            var line = $"{c.Key,-22} Engine {Format.Time(seconds[0])}";
            for (var i = 0; i < c.Peers.Count; i++)
            {
                var result = new CompareResult(CaseCatalog.ResultKey(c, c.Peers[i]), c, c.Peers[i], seconds[0], seconds[i + 1], bytes);
                results.Add(result);
                line += $", {Format.PeerName(c.Peers[i])} {Format.Time(seconds[i + 1])} ({result.Speedup:0.00}x)";
            }
            progress.WriteLine(line);
        }
        return results;
    }
}
