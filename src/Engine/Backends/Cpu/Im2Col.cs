using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Backends.Cpu;

/// <summary>The sizes of one conv2d, read from the input [N,C,H,W], weight [O,C/groups,KH,KW] and output
/// [N,O,OH,OW] shapes. A group's column matrix has <see cref="Kg"/> rows (its channels times the kernel taps, in
/// the weight's (c, i, j) order) and <see cref="L"/> columns per image (the output positions).</summary>
internal readonly record struct ConvGeometry(int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW, Conv2dParams P)
{
    public static ConvGeometry Of(ReadOnlySpan<int> x, ReadOnlySpan<int> w, ReadOnlySpan<int> y, Conv2dParams p)
        => new(x[0], x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3], p);

    public int Groups => P.Groups;

    public int Og => O / P.Groups;

    public int Kg => C / P.Groups * KH * KW;

    public int Taps => KH * KW;

    public int L => OH * OW;

    public int Plane => H * W;

    public int ImageSize => C * H * W;

    public int OutputSize => O * L;
}

/// <summary>Unfolds images into the column matrix of a convolution (im2col) and folds columns back, summing
/// overlapping taps (col2im, the adjoint used by the input gradient). Padding reads as zero.</summary>
/// <remarks>One call handles one channel plane of one image: its KH*KW rows of the column matrix, each
/// <see cref="ConvGeometry.L"/> entries long and <c>ld</c> apart, so a chunk of images can share one wide matrix
/// (image b's columns at b*L) and the (image, channel) pairs can be unfolded in parallel.
/// When the output has the input's width and unit vertical and horizontal stride (a "same" convolution such as
/// 3x3 with padding 1, or 1x1), a tap's rows read the plane at one constant shift, so each tap is one block copy
/// plus zeroing the few columns that fall into the padding, instead of OH short row copies.</remarks>
internal static class Im2Col
{
    /// <summary>The kernel taps of a geometry in (i, j) order, computed once per call rather than per plane.</summary>
    public static Tap[] Taps(in ConvGeometry g)
    {
        var taps = new Tap[g.Taps];
        for (var i = 0; i < g.KH; i++)
        for (var j = 0; j < g.KW; j++)
            taps[i * g.KW + j] = new Tap(g, i, j);
        return taps;
    }

    /// <summary>cols[(i*KW + j)*ld + oh*OW + ow] = plane[oh*sH - pH + i*dH, ow*sW - pW + j*dW] (0 outside).</summary>
    public static void Pack<T>(ReadOnlySpan<T> plane, Span<T> cols, int ld, ReadOnlySpan<Tap> taps, in ConvGeometry g)
        where T : unmanaged
    {
        for (var t = 0; t < taps.Length; t++)
        {
            var row = cols.Slice(t * ld, g.L);
            ref readonly var tap = ref taps[t];
            if (tap.IsBlock)
            {
                var (d0, d1) = tap.BlockRange(g);
                if (d1 > d0) plane.Slice(d0 + tap.Shift, d1 - d0).CopyTo(row[d0..d1]);
                tap.ClearOutside(row, g);
                continue;
            }
            for (var oh = 0; oh < g.OH; oh++)
            {
                var dst = row.Slice(oh * g.OW, g.OW);
                var ih = tap.InputRow(oh, g);
                if ((uint)ih >= (uint)g.H)
                {
                    dst.Clear();
                    continue;
                }
                var src = plane.Slice(ih * g.W, g.W);
                dst[..tap.Lo].Clear();
                dst[tap.Hi..].Clear();
                if (g.P.StrideW == 1)
                {
                    src.Slice(tap.Lo + tap.ColOffset, tap.Hi - tap.Lo).CopyTo(dst[tap.Lo..tap.Hi]);
                }
                else
                {
                    for (var ow = tap.Lo; ow < tap.Hi; ow++) dst[ow] = src[ow * g.P.StrideW + tap.ColOffset];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Pack{T}"/>: plane[ih, iw] += every column entry that read it. The entries
    /// of cols that read padding are scratch: they may be overwritten with zeros.</summary>
    public static void Unpack<T>(Span<T> cols, Span<T> plane, int ld, ReadOnlySpan<Tap> taps, in ConvGeometry g)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (var t = 0; t < taps.Length; t++)
        {
            var row = cols.Slice(t * ld, g.L);
            ref readonly var tap = ref taps[t];
            if (tap.IsBlock)
            {
                // Zeroing the padding entries first lets the whole block be added at one shift: the entries that
                // land on a wrong (wrapped) input column are exactly those zeros.
                var (d0, d1) = tap.BlockRange(g);
                tap.ClearOutside(row, g);
                if (d1 == d0) continue;
                var target = plane.Slice(d0 + tap.Shift, d1 - d0);
                TensorPrimitives.Add(target, row[d0..d1], target);
                continue;
            }
            if (tap.Lo == tap.Hi) continue;
            for (var oh = 0; oh < g.OH; oh++)
            {
                var ih = tap.InputRow(oh, g);
                if ((uint)ih >= (uint)g.H) continue;
                var src = row.Slice(oh * g.OW, g.OW);
                var dst = plane.Slice(ih * g.W, g.W);
                if (g.P.StrideW == 1)
                {
                    var target = dst.Slice(tap.Lo + tap.ColOffset, tap.Hi - tap.Lo);
                    TensorPrimitives.Add(target, src[tap.Lo..tap.Hi], target);
                }
                else
                {
                    for (var ow = tap.Lo; ow < tap.Hi; ow++) dst[ow * g.P.StrideW + tap.ColOffset] += src[ow];
                }
            }
        }
    }

    /// <summary>Kernel tap (i, j): output column ow reads input column ow*sW + ColOffset, valid for ow in [Lo, Hi);
    /// output row oh reads input row oh*sH + RowOffset.</summary>
    internal readonly struct Tap
    {
        public readonly int RowOffset;
        public readonly int ColOffset;
        public readonly int Lo;
        public readonly int Hi;

        /// <summary>The tap's rows are one shifted copy of the plane (same-width output, unit strides).</summary>
        public readonly bool IsBlock;

        /// <summary>Element distance from a column entry to the input it reads, in a block tap.</summary>
        public readonly int Shift;

        /// <summary>The output rows [Oh0, Oh1) whose input row lies inside the plane (unit vertical stride).</summary>
        public readonly int Oh0;
        public readonly int Oh1;

        public Tap(in ConvGeometry g, int i, int j)
        {
            var p = g.P;
            RowOffset = i * p.DilationH - p.PadH;
            ColOffset = j * p.DilationW - p.PadW;
            var lo = ColOffset >= 0 ? 0 : Math.Min(g.OW, (-ColOffset + p.StrideW - 1) / p.StrideW);
            var last = g.W - 1 - ColOffset;
            var hi = last < 0 ? 0 : Math.Min(g.OW, last / p.StrideW + 1);
            Lo = lo;
            Hi = Math.Max(lo, hi);
            IsBlock = p.StrideH == 1 && p.StrideW == 1 && g.OW == g.W;
            Shift = RowOffset * g.W + ColOffset;
            Oh0 = Math.Clamp(-RowOffset, 0, g.OH);
            Oh1 = Math.Clamp(g.H - RowOffset, Oh0, g.OH);
        }

        public int InputRow(int oh, in ConvGeometry g) => oh * g.P.StrideH + RowOffset;

        /// <summary>The column entries [D0, D1) of a block tap that are copied: the output rows whose input row is
        /// inside the plane, clipped so the shifted index stays inside it.</summary>
        public (int D0, int D1) BlockRange(in ConvGeometry g)
        {
            var d0 = Math.Max(Oh0 * g.W, -Shift);
            var d1 = Math.Min(Oh1 * g.W, g.Plane - Shift);
            return (d0, Math.Max(d0, d1));
        }

        /// <summary>Zeroes the entries of a block tap's row that read padding: whole output rows outside the
        /// plane and, in the others, the columns outside [Lo, Hi) (a few elements per row, stored one by one: a
        /// span call per row would cost more than the stores).</summary>
        public void ClearOutside<T>(Span<T> row, in ConvGeometry g)
        {
            row[..(Oh0 * g.W)].Clear();
            row[(Oh1 * g.W)..].Clear();
            if (Lo == 0 && Hi == g.OW) return;
            if (Oh1 > Oh0) _ = row[Oh1 * g.W - 1]; // bounds check once for the raw stores below
            ref var start = ref MemoryMarshal.GetReference(row);
            for (var oh = Oh0; oh < Oh1; oh++)
            {
                ref var r = ref Unsafe.Add(ref start, oh * g.W);
                for (var k = 0; k < Lo; k++) Unsafe.Add(ref r, k) = default!;
                for (var k = Hi; k < g.OW; k++) Unsafe.Add(ref r, k) = default!;
            }
        }
    }
}
