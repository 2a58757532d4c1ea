namespace Engine.Bench.Cases;

/// <summary>The implementations a case can run besides Engine.</summary>
public enum Peer
{
    TorchSharp,
    OpenBlas,
}

/// <summary>One workload, run by Engine and by its peers on identical inputs. BenchmarkDotNet suites and the
/// --compare harness both call these methods, so the two modes measure the same code.</summary>
public abstract class BenchCase : IDisposable
{
    /// <summary>The case's name in the compare table and JSON keys, e.g. "sgemm_1024".</summary>
    public abstract string Key { get; }

    /// <summary>What one call does, for the table's legend.</summary>
    public abstract string Description { get; }

    /// <summary>The peers this case runs against.</summary>
    public virtual IReadOnlyList<Peer> Peers => [Peer.TorchSharp];

    /// <summary>Units of work per call (floating-point operations, elements, samples) for the throughput column; 0
    /// when no throughput is reported.</summary>
    public virtual double WorkPerCall => 0;

    /// <summary>Unit of <see cref="WorkPerCall"/> per second, already scaled: "GFLOP/s" divides by 1e9.</summary>
    public virtual (string Unit, double Scale) Throughput => ("", 1);

    public abstract void Engine();

    public void Run(Peer peer)
    {
        switch (peer)
        {
            case Peer.TorchSharp: TorchSharp(); break;
            case Peer.OpenBlas: OpenBlas(); break;
            default: throw new ArgumentOutOfRangeException(nameof(peer), peer, null);
        }
    }

    public abstract void TorchSharp();

    public virtual void OpenBlas() => throw new NotSupportedException($"{Key}: no OpenBLAS implementation");

    public abstract void Dispose();
}
