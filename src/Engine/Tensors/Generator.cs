namespace Engine;

/// <summary>A seeded source of random tensors: a Philox4x32-10 key (the seed) and a block offset that advances with
/// each draw. Same seed, same sequence of calls, same numbers, on every backend.</summary>
public sealed class Generator
{
    /// <summary>PyTorch's default CPU seed, so an unseeded program is still deterministic.</summary>
    public const ulong DefaultSeed = 67280421310721;

    private static Generator defaultGenerator = new(DefaultSeed);
    private readonly Lock gate = new();
    private ulong offset;

    public Generator(ulong seed)
    {
        Seed = seed;
    }

    /// <summary>The generator used when an op is given none.</summary>
    public static Generator Default => defaultGenerator;

    public ulong Seed { get; private set; }

    /// <summary>Philox blocks consumed so far.</summary>
    public ulong Offset
    {
        get
        {
            lock (gate) return offset;
        }
        set
        {
            lock (gate) offset = value;
        }
    }

    /// <summary>Re-seeds the default generator (PyTorch's manual_seed).</summary>
    public static void ManualSeed(ulong seed) => defaultGenerator = new Generator(seed);

    /// <summary>Re-seeds this generator and rewinds it.</summary>
    public Generator Reseed(ulong seed)
    {
        lock (gate)
        {
            Seed = seed;
            offset = 0;
        }
        return this;
    }

    /// <summary>Reserves <paramref name="blocks"/> blocks and returns the first.</summary>
    internal ulong Advance(ulong blocks)
    {
        lock (gate)
        {
            var start = offset;
            offset += blocks;
            return start;
        }
    }

    /// <summary>A uniform integer in [0, n) drawn on the host (for permutations and sampling loops).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"NextInt: n must be positive; got {n}");
        var block = Advance(1);
        var (w0, _, _, _) = Philox.Block(Seed, block);
        return (int)(((ulong)w0 * (ulong)n) >> 32);
    }

    /// <summary>A uniform double in [0, 1) drawn on the host.</summary>
    public double NextDouble()
    {
        var block = Advance(1);
        var (w0, w1, _, _) = Philox.Block(Seed, block);
        return Philox.UniformDouble(w0, w1);
    }
}
