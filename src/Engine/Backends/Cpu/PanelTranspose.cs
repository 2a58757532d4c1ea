using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Backends.Cpu;

/// <summary>Packs lines that are contiguous along K (a transposed B, e.g. the weight of a linear layer) into
/// step-major GEMM panels with in-register 8x8 (float) or 4x4 (double) transposes. The scalar loop does one load
/// and one store per element; a block transpose moves 64 elements in 8 loads, 24 shuffles and 8 stores.</summary>
internal static unsafe class PanelTranspose
{
    /// <summary>dst[p * width + l] = src[l * lineStride + p] for l &lt; width, p &lt; kc; false (nothing written)
    /// when the hardware or the width has no block path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryPack<T>(T* src, nint lineStride, int width, int kc, T* dst)
        where T : unmanaged
    {
        if (!Avx.IsSupported) return false;
        if (typeof(T) == typeof(float) && width % 8 == 0)
        {
            var s = (float*)src;
            var d = (float*)dst;
            var p = 0;
            for (; p + 8 <= kc; p += 8)
                for (var l = 0; l < width; l += 8) Transpose8x8(s + l * lineStride + p, lineStride, d + p * width + l, width);
            for (; p < kc; p++)
                for (var l = 0; l < width; l++) d[p * width + l] = s[l * lineStride + p];
            return true;
        }
        if (typeof(T) == typeof(double) && width % 4 == 0)
        {
            var s = (double*)src;
            var d = (double*)dst;
            var p = 0;
            for (; p + 4 <= kc; p += 4)
                for (var l = 0; l < width; l += 4) Transpose4x4(s + l * lineStride + p, lineStride, d + p * width + l, width);
            for (; p < kc; p++)
                for (var l = 0; l < width; l++) d[p * width + l] = s[l * lineStride + p];
            return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ss, float* d, nint ds)
    {
        // Rows a..h, 8 steps each. Interleave pairs, then quads, then swap 128-bit halves.
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ss);
        var r2 = Avx.LoadVector256(s + 2 * ss);
        var r3 = Avx.LoadVector256(s + 3 * ss);
        var r4 = Avx.LoadVector256(s + 4 * ss);
        var r5 = Avx.LoadVector256(s + 5 * ss);
        var r6 = Avx.LoadVector256(s + 6 * ss);
        var r7 = Avx.LoadVector256(s + 7 * ss);
        var t0 = Avx.UnpackLow(r0, r1);                                                       // a0 b0 a1 b1 | a4 b4 a5 b5
        var t1 = Avx.UnpackHigh(r0, r1);                                                      // a2 b2 a3 b3 | a6 b6 a7 b7
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);                                                   // a0 b0 c0 d0 | a4 b4 c4 d4
        var u1 = Avx.Shuffle(t0, t2, 0xEE);                                                   // a1 b1 c1 d1 | a5 b5 c5 d5
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);                                                   // e0 f0 g0 h0 | e4 f4 g4 h4
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ds, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ds, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ds, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ds, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ds, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ds, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * ds, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(double* s, nint ss, double* d, nint ds)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ss);
        var r2 = Avx.LoadVector256(s + 2 * ss);
        var r3 = Avx.LoadVector256(s + 3 * ss);
        var t0 = Avx.UnpackLow(r0, r1);                                                       // a0 b0 | a2 b2
        var t1 = Avx.UnpackHigh(r0, r1);                                                      // a1 b1 | a3 b3
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(d, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(d + ds, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(d + 2 * ds, Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(d + 3 * ds, Avx.Permute2x128(t1, t3, 0x31));
    }
}
