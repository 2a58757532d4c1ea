using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Backends.Cpu;

/// <summary>One SIMD register width as the GEMM micro-kernel sees it. Implemented by structs, so each
/// instantiation of the kernel is compiled on its own and these calls inline to single instructions.</summary>
internal unsafe interface IGemmLanes<TV, T>
    where TV : unmanaged
    where T : unmanaged
{
    static abstract int Count { get; }

    /// <summary>Rows of the micro-tile (MR): as many as the register file holds with two accumulators per row
    /// plus the two B registers and a broadcast.</summary>
    static abstract int TileRows { get; }

    static abstract TV Load(T* p);

    static abstract void Store(T* p, TV v);

    static abstract TV Broadcast(T x);

    /// <summary>a * b + c, fused where the hardware has FMA.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);
}

internal unsafe struct Lanes512<T> : IGemmLanes<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    /// <summary>AVX-512 has 32 registers: 16 accumulators + 3.</summary>
    public static int TileRows => 8;

    public static Vector512<T> Load(T* p) => Vector512.Load(p);

    public static void Store(T* p, Vector512<T> v) => v.Store(p);

    public static Vector512<T> Broadcast(T x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        => typeof(T) == typeof(float)
            ? Vector512.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
}

internal unsafe struct Lanes256<T> : IGemmLanes<Vector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;

    /// <summary>AVX2 has 16 registers: 12 accumulators + 3.</summary>
    public static int TileRows => 6;

    public static Vector256<T> Load(T* p) => Vector256.Load(p);

    public static void Store(T* p, Vector256<T> v) => v.Store(p);

    public static Vector256<T> Broadcast(T x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        => typeof(T) == typeof(float)
            ? Vector256.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector256.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
}

/// <summary>Plain scalars, for hardware without 256-bit SIMD.</summary>
internal unsafe struct ScalarLanes<T> : IGemmLanes<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => 1;

    public static int TileRows => 6;

    public static T Load(T* p) => *p;

    public static void Store(T* p, T v) => *p = v;

    public static T Broadcast(T x) => x;

    public static T MultiplyAdd(T a, T b, T c) => a * b + c;

    public static T Add(T a, T b) => a + b;
}

/// <summary>The register-tiled inner kernel of <see cref="PackedGemm{T, TL, TV}"/>: an MR x NR tile of C, with
/// NR = two registers of lanes, so 2*MR accumulators stay in registers for the whole K loop.</summary>
/// <remarks>MR rows come from the lanes (<see cref="IGemmLanes{TV, T}.TileRows"/>). MR = 6 gives 12 accumulators +
/// 2 B registers + 1 broadcast = 15 registers: it fits the 16 registers of AVX2 without spills. AVX-512 has 32, and
/// MR = 8 (19 registers) is used there: in cache the 6x32 and 8x32 float tiles run at the same ~170 GFLOP/s per core
/// (about 95% of the measured FMA peak; 12x32 and 14x32 were no faster either), but with 8 rows an A panel packs
/// with the 8x8 block transpose of <see cref="PanelTranspose"/>, power-of-two sizes need no edge tiles, and a split
/// of the rows across two threads falls on whole tiles (n = 256 on one thread: ~132 -> ~158 GFLOP/s). Per K step
/// the kernel issues 2*MR FMAs against MR broadcasts and 2 vector loads, within the load ports, so it is FMA-bound;
/// 2*MR independent FMA chains cover the FMA latency (4 cycles) on two FMA ports.</remarks>
internal static unsafe class GemmMicroKernel<T, TL, TV>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : struct, IGemmLanes<TV, T>
    where TV : unmanaged
{
    public static int MR => TL.TileRows;

    public static int NR => 2 * TL.Count;

    /// <summary>c[r*ldc + j] (+)= sum_p a[r*aLine + p*aStep] * b[p*ldb + j] for r &lt; MR, j &lt; NR. A is a packed
    /// MR-row panel (aLine = 1, aStep = MR) or, for small products, rows read in place; b has NR contiguous
    /// columns per K step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int kc, T* a, nint aLine, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate)
    {
        var n = TL.Count;
        if (Sse.IsSupported)
        {
            // C is touched only after the K loop and is usually cold (one visit per KC block): request it now so
            // the miss overlaps the loop (about +7% in the kernel on the reference machine with a large C).
            for (var r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 2 * n - 1);
            }
        }
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        TV c60 = default, c61 = default, c70 = default, c71 = default;
        // Strides are pre-scaled to bytes and row 2 pre-doubled so the loop needs no address arithmetic beyond
        // three pointer bumps (the JIT does not hoist these itself).
        T* a3 = a + 3 * aLine;
        T* a6 = a + 6 * aLine;
        var line2 = 2 * aLine;
        nint aStepBytes = aStep * sizeof(T), ldbBytes = ldb * sizeof(T);
        for (var p = 0; p < kc; p++)
        {
            var b0 = TL.Load(b);
            var b1 = TL.Load(b + n);
            var x = TL.Broadcast(a[0]);
            c00 = TL.MultiplyAdd(x, b0, c00);
            c01 = TL.MultiplyAdd(x, b1, c01);
            x = TL.Broadcast(a[aLine]);
            c10 = TL.MultiplyAdd(x, b0, c10);
            c11 = TL.MultiplyAdd(x, b1, c11);
            x = TL.Broadcast(a[line2]);
            c20 = TL.MultiplyAdd(x, b0, c20);
            c21 = TL.MultiplyAdd(x, b1, c21);
            x = TL.Broadcast(a3[0]);
            c30 = TL.MultiplyAdd(x, b0, c30);
            c31 = TL.MultiplyAdd(x, b1, c31);
            x = TL.Broadcast(a3[aLine]);
            c40 = TL.MultiplyAdd(x, b0, c40);
            c41 = TL.MultiplyAdd(x, b1, c41);
            x = TL.Broadcast(a3[line2]);
            c50 = TL.MultiplyAdd(x, b0, c50);
            c51 = TL.MultiplyAdd(x, b1, c51);
            if (MR == 8)
            {
                x = TL.Broadcast(a6[0]);
                c60 = TL.MultiplyAdd(x, b0, c60);
                c61 = TL.MultiplyAdd(x, b1, c61);
                x = TL.Broadcast(a6[aLine]);
                c70 = TL.MultiplyAdd(x, b0, c70);
                c71 = TL.MultiplyAdd(x, b1, c71);
                a6 = (T*)((byte*)a6 + aStepBytes);
            }
            a = (T*)((byte*)a + aStepBytes);
            a3 = (T*)((byte*)a3 + aStepBytes);
            b = (T*)((byte*)b + ldbBytes);
        }
        StoreRow(c, n, c00, c01, accumulate);
        StoreRow(c + ldc, n, c10, c11, accumulate);
        StoreRow(c + 2 * ldc, n, c20, c21, accumulate);
        StoreRow(c + 3 * ldc, n, c30, c31, accumulate);
        StoreRow(c + 4 * ldc, n, c40, c41, accumulate);
        StoreRow(c + 5 * ldc, n, c50, c51, accumulate);
        if (MR == 8)
        {
            StoreRow(c + 6 * ldc, n, c60, c61, accumulate);
            StoreRow(c + 7 * ldc, n, c70, c71, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, int n, TV lo, TV hi, bool accumulate)
    {
        if (accumulate)
        {
            lo = TL.Add(lo, TL.Load(c));
            hi = TL.Add(hi, TL.Load(c + n));
        }
        TL.Store(c, lo);
        TL.Store(c + n, hi);
    }
}
