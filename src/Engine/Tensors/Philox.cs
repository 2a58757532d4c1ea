using System.Runtime.CompilerServices;

namespace Engine;

/// <summary>Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a counter-based
/// generator. Block <c>c</c> under key <c>k</c> gives four 32-bit words; any block can be computed independently, so
/// every backend produces the same stream for the same (seed, offset).</summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9;
    private const uint W1 = 0xBB67AE85;

    /// <summary>The four output words of counter (c0..c3) under key (k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (var round = 0; round < 10; round++)
        {
            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            var hi0 = (uint)(p0 >> 32);
            var lo0 = (uint)p0;
            var hi1 = (uint)(p1 >> 32);
            var lo1 = (uint)p1;
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>The engine's stream: key = seed, counter = (block index as 64 bits, 0, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) Block(ulong seed, ulong block)
        => Block((uint)block, (uint)(block >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));

    /// <summary>A float in [0, 1) from the top 24 bits of a word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UniformFloat(uint w) => (w >> 8) * (1.0f / 16777216.0f);

    /// <summary>A double in [0, 1) from 53 bits of two words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UniformDouble(uint hi, uint lo) => ((((ulong)hi) << 32 | lo) >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Blocks consumed per element: Float32 uniform/integer 1/4, Float64 uniform 1/2, Float32 normal 1/2,
    /// Float64 normal 1. A call with n elements advances the generator by ceil(n * this).</summary>
    public static ulong BlocksFor(int n, RandomKindInfo info) => info.ElementsPerBlock switch
    {
        4 => (ulong)((n + 3) / 4),
        2 => (ulong)((n + 1) / 2),
        _ => (ulong)n,
    };
}

/// <summary>How many elements one Philox block yields for a (kind, dtype) pair.</summary>
public readonly record struct RandomKindInfo(int ElementsPerBlock)
{
    public static RandomKindInfo For(Backends.RandomKind kind, DType dtype) => (kind, dtype) switch
    {
        (Backends.RandomKind.Uniform, DType.Float64) => new(2),
        (Backends.RandomKind.Normal, DType.Float32) => new(2),
        (Backends.RandomKind.Normal, DType.Float64) => new(1),
        _ => new(4),
    };
}
