using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Conversions between Bool tensors (one byte per element, 0 or 1) and SIMD lane masks (all bits set where
/// true) of any element width, for the vectorised comparisons and where(). A mask travels as the bit field of its
/// lanes' sign bits, which is width-independent.</summary>
internal static class BoolMask
{
    /// <summary>For each 8-bit pattern, the 8 bytes (0 or 1) it spells, lowest bit first.</summary>
    private static readonly ulong[] Spread = BuildSpread();

    /// <summary>Lane k holds 1 &lt;&lt; k, to test bit k of a broadcast bit field.</summary>
    private static readonly Vector512<uint> LaneBits32 = Vector512.Create(1u, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);

    private static readonly Vector512<ulong> LaneBits64 = Vector512.Create(1ul, 2, 4, 8, 16, 32, 64, 128);

    /// <summary>Writes the mask's lanes as Vector512&lt;T&gt;.Count bytes at y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector512<T> mask, ref byte y, nuint i)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 1) (mask.AsByte() & Vector512<byte>.One).StoreUnsafe(ref y, i);
        else StoreBits(mask.ExtractMostSignificantBits(), Vector512<T>.Count, ref y, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector256<T> mask, ref byte y, nuint i)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 1) (mask.AsByte() & Vector256<byte>.One).StoreUnsafe(ref y, i);
        else StoreBits(mask.ExtractMostSignificantBits(), Vector256<T>.Count, ref y, i);
    }

    /// <summary>The mask that is true where the Vector512&lt;T&gt;.Count bytes at c[i] are nonzero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load512<T>(ref byte c, nuint i)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 1) return (~Vector512.Equals(Vector512.LoadUnsafe(ref c, i), Vector512<byte>.Zero)).As<byte, T>();
        var bits = LoadBits(ref c, i, Vector512<T>.Count);
        return Unsafe.SizeOf<T>() == 4
            ? Vector512.Equals(Vector512.Create((uint)bits) & LaneBits32, LaneBits32).As<uint, T>()
            : Vector512.Equals(Vector512.Create(bits) & LaneBits64, LaneBits64).As<ulong, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load256<T>(ref byte c, nuint i)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 1) return (~Vector256.Equals(Vector256.LoadUnsafe(ref c, i), Vector256<byte>.Zero)).As<byte, T>();
        var bits = LoadBits(ref c, i, Vector256<T>.Count);
        return Unsafe.SizeOf<T>() == 4
            ? Vector256.Equals(Vector256.Create((uint)bits) & LaneBits32.GetLower(), LaneBits32.GetLower()).As<uint, T>()
            : Vector256.Equals(Vector256.Create(bits) & LaneBits64.GetLower(), LaneBits64.GetLower()).As<ulong, T>();
    }

    /// <summary>Bit k set where byte c[i + k] is nonzero, for count = 4, 8 or 16 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LoadBits(ref byte c, nuint i, int count)
    {
        var bytes = count == 16
            ? Vector128.LoadUnsafe(ref c, i)
            : count == 8
                ? Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i))).AsByte()
                : Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref c, i))).AsByte();
        return (~Vector128.Equals(bytes, Vector128<byte>.Zero)).ExtractMostSignificantBits() & ((1u << count) - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBits(ulong bits, int count, ref byte y, nuint i)
    {
        if (count == 4)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref y, i), (uint)Spread[bits & 0xF]);
            return;
        }
        for (var k = 0; k < count; k += 8) Unsafe.WriteUnaligned(ref Unsafe.Add(ref y, i + (nuint)k), Spread[(bits >> k) & 0xFF]);
    }

    private static ulong[] BuildSpread()
    {
        var table = new ulong[256];
        for (var p = 0; p < 256; p++)
            for (var k = 0; k < 8; k++)
                if ((p >> k & 1) != 0) table[p] |= 1ul << (8 * k);
        return table;
    }
}
