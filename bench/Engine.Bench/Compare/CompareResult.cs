using Engine.Bench.Cases;

namespace Engine.Bench.Compare;

/// <summary>Engine against one peer on one case.</summary>
public sealed record CompareResult(
    string Key, BenchCase Case, Peer Peer, double EngineSeconds, double PeerSeconds, double EngineBytesPerCall)
{
    /// <summary>Peer time / Engine time: above 1 Engine is faster.</summary>
    public double Speedup => PeerSeconds / EngineSeconds;

    public double? Target => CaseCatalog.Targets.TryGetValue(Key, out var t) ? t : null;

    public double? EngineThroughput => Throughput(EngineSeconds);

    public double? PeerThroughput => Throughput(PeerSeconds);

    private double? Throughput(double seconds) =>
        Case.WorkPerCall > 0 ? Case.WorkPerCall / seconds / Case.Throughput.Scale : null;
}
