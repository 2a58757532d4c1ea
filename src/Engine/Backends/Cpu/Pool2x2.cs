using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Max and average pooling for the common 2x2 window with stride 2, no padding and no dilation, on one
/// (n, c) plane at a time, vectorised across output columns: a vector of outputs reads two input vectors per row,
/// split into even and odd columns (the window's left and right taps). The results are bit-identical to the
/// general loops in CpuBackend.Pool.cs (same comparisons, same order of additions); the tests check that.</summary>
/// <remarks>Rows are covered by whole vectors, the last one shifted left to end at the row's end (recomputing a few
/// outputs, which is harmless as outputs never feed inputs); rows narrower than a vector, and machines without
/// 128-bit SIMD, take the scalar loop. 128-bit vectors rather than wider ones keep narrow rows (7 outputs for a
/// 14x14 input) on the vector path: 256-bit ones made 28x28 about 1.5x faster but sent 14x14 to the scalar loop,
/// whose data-dependent branches made it ~6x slower there.</remarks>
internal static class Pool2x2
{
    public static bool Applies(in Pool2dParams p, int h, int w, int oh, int ow)
        => p is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0, DilationH: 1, DilationW: 1 }
           && 2 * oh <= h && 2 * ow <= w
           && w < 1 << 24; // tap offsets (0, 1, w, w+1) travel as exact floating-point lanes

    /// <summary>y and the flat argmax within the plane. Window order (0,0), (0,1), (1,0), (1,1): the first
    /// maximum wins, and a NaN wins (the last NaN, as the general loop's "v &gt; best || IsNaN(v)").</summary>
    public static void Max<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector128<T>.Count;
        var vectors = Vector128.IsHardwareAccelerated && ow >= lanes;
        for (var r = 0; r < oh; r++)
        {
            var top = x.Slice(2 * r * w, w);
            var bottom = x.Slice((2 * r + 1) * w, w);
            var ys = y.Slice(r * ow, ow);
            var ids = indices.Slice(r * ow, ow);
            long rowStart = 2 * r * w;
            if (!vectors)
            {
                for (var o = 0; o < ow; o++)
                {
                    var (best, offset) = (top[2 * o], 0);
                    Take(ref best, ref offset, top[2 * o + 1], 1);
                    Take(ref best, ref offset, bottom[2 * o], w);
                    Take(ref best, ref offset, bottom[2 * o + 1], w + 1);
                    ys[o] = best;
                    ids[o] = rowStart + 2 * o + offset;
                }
                continue;
            }
            var right = Vector128.Create(T.One);
            var below = Vector128.Create(T.CreateTruncating(w));
            var belowRight = Vector128.Create(T.CreateTruncating(w + 1));
            for (var o0 = 0; o0 < ow; o0 += lanes)
            {
                var o = Math.Min(o0, ow - lanes);
                var (t0, t1) = Deinterleave(Vector128.Create(top.Slice(2 * o, lanes)), Vector128.Create(top.Slice(2 * o + lanes, lanes)));
                var (b0, b1) = Deinterleave(Vector128.Create(bottom.Slice(2 * o, lanes)), Vector128.Create(bottom.Slice(2 * o + lanes, lanes)));
                // A tournament of contiguous groups, each earlier than its rival, reproduces the sequential scan.
                var topOffset = Vector128<T>.Zero;
                Take(ref t0, ref topOffset, t1, right);
                var bottomOffset = below;
                Take(ref b0, ref bottomOffset, b1, belowRight);
                Take(ref t0, ref topOffset, b0, bottomOffset);
                t0.CopyTo(ys.Slice(o, lanes));
                StoreIndices(topOffset, rowStart + 2 * o, ids.Slice(o, lanes));
            }
        }
    }

    /// <summary>y = (((0 + x00) + x01) + x10) + x11) / 4, the general loop's sum and divisor.</summary>
    public static void Avg<T>(ReadOnlySpan<T> x, Span<T> y, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector128<T>.Count;
        var vectors = Vector128.IsHardwareAccelerated && ow >= lanes;
        var four = T.CreateTruncating(4);
        for (var r = 0; r < oh; r++)
        {
            var top = x.Slice(2 * r * w, w);
            var bottom = x.Slice((2 * r + 1) * w, w);
            var ys = y.Slice(r * ow, ow);
            if (!vectors)
            {
                for (var o = 0; o < ow; o++) ys[o] = (T.Zero + top[2 * o] + top[2 * o + 1] + bottom[2 * o] + bottom[2 * o + 1]) / four;
                continue;
            }
            for (var o0 = 0; o0 < ow; o0 += lanes)
            {
                var o = Math.Min(o0, ow - lanes);
                var (t0, t1) = Deinterleave(Vector128.Create(top.Slice(2 * o, lanes)), Vector128.Create(top.Slice(2 * o + lanes, lanes)));
                var (b0, b1) = Deinterleave(Vector128.Create(bottom.Slice(2 * o, lanes)), Vector128.Create(bottom.Slice(2 * o + lanes, lanes)));
                var sum = Vector128<T>.Zero + t0 + t1 + b0 + b1;
                (sum / Vector128.Create(four)).CopyTo(ys.Slice(o, lanes));
            }
        }
    }

    /// <summary>The gradient of <see cref="Avg{T}"/>: each input of a window gets gy / 4. Rows and columns that no
    /// window covers (odd sizes) are zeroed.</summary>
    public static void AvgBackward<T>(ReadOnlySpan<T> gy, Span<T> gx, int h, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (2 * oh != h || 2 * ow != w) gx.Clear();
        var lanes = Vector128<T>.Count;
        var vectors = Vector128.IsHardwareAccelerated && ow >= lanes;
        var four = T.CreateTruncating(4);
        for (var r = 0; r < oh; r++)
        {
            var top = gx.Slice(2 * r * w, w);
            var bottom = gx.Slice((2 * r + 1) * w, w);
            var gs = gy.Slice(r * ow, ow);
            if (!vectors)
            {
                for (var o = 0; o < ow; o++)
                {
                    var v = gs[o] / four;
                    top[2 * o] = top[2 * o + 1] = bottom[2 * o] = bottom[2 * o + 1] = v;
                }
                continue;
            }
            for (var o0 = 0; o0 < ow; o0 += lanes)
            {
                var o = Math.Min(o0, ow - lanes);
                var (lo, hi) = Duplicate(Vector128.Create(gs.Slice(o, lanes)) / Vector128.Create(four));
                lo.CopyTo(top.Slice(2 * o, lanes));
                hi.CopyTo(top.Slice(2 * o + lanes, lanes));
                lo.CopyTo(bottom.Slice(2 * o, lanes));
                hi.CopyTo(bottom.Slice(2 * o + lanes, lanes));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<T>(ref T best, ref int offset, T v, int vOffset)
        where T : IFloatingPointIeee754<T>
    {
        var take = v > best | T.IsNaN(v);
        best = take ? v : best;
        offset = take ? vOffset : offset;
    }

    /// <summary>Lane-wise <see cref="Take{T}(ref T, ref int, T, int)"/>: v (a later window element) replaces best
    /// where it is greater or NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<T>(ref Vector128<T> best, ref Vector128<T> offset, Vector128<T> v, Vector128<T> vOffset)
    {
        var take = Vector128.GreaterThan(v, best) | ~Vector128.Equals(v, v);
        best = Vector128.ConditionalSelect(take, v, best);
        offset = Vector128.ConditionalSelect(take, vOffset, offset);
    }

    /// <summary>Flat indices start + 2*lane + offset[lane] as Int64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreIndices<T>(Vector128<T> offset, long start, Span<long> dst)
    {
        var first = Vector128.Create(start) + Vector128.Create(0L, 2);
        if (typeof(T) == typeof(float))
        {
            var (lo, hi) = Vector128.Widen(Vector128.ConvertToInt32(offset.AsSingle()));
            (first + lo).CopyTo(dst);
            (first + Vector128.Create(4L) + hi).CopyTo(dst[2..]);
        }
        else
        {
            (first + Vector128.ConvertToInt64(offset.AsDouble())).CopyTo(dst);
        }
    }

    /// <summary>The even and odd elements of the 2*Count consecutive elements a, b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<T> Even, Vector128<T> Odd) Deinterleave<T>(Vector128<T> a, Vector128<T> b)
    {
        if (typeof(T) == typeof(float))
        {
            // A pair of floats is one 64-bit lane: its low half is the even element (little-endian).
            Vector128<ulong> ua = a.AsUInt64(), ub = b.AsUInt64();
            return (Vector128.Narrow(ua, ub).As<uint, T>(), Vector128.Narrow(ua >>> 32, ub >>> 32).As<uint, T>());
        }
        Vector128<double> da = a.AsDouble(), db = b.AsDouble();
        return (
            Vector128.Create(da.GetElement(0), db.GetElement(0)).As<double, T>(),
            Vector128.Create(da.GetElement(1), db.GetElement(1)).As<double, T>());
    }

    /// <summary>Each element twice: (v0, v0, v1, v1, ...) over two vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<T> Lo, Vector128<T> Hi) Duplicate<T>(Vector128<T> v)
    {
        if (typeof(T) == typeof(float))
        {
            var (lo, hi) = Vector128.Widen(v.AsUInt32());
            return ((lo | (lo << 32)).As<ulong, T>(), (hi | (hi << 32)).As<ulong, T>());
        }
        var d = v.AsDouble();
        return (Vector128.Create(d.GetElement(0)).As<double, T>(), Vector128.Create(d.GetElement(1)).As<double, T>());
    }
}
