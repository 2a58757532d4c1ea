using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>The sizes of one conv2d, read from the input [N,C,H,W], weight [O,C/groups,KH,KW] and output
/// [N,O,OH,OW] shapes. A group's column matrix has <see cref="Kg"/> rows (its channels times the kernel taps, in
/// the weight's (c, i, j) order) and <see cref="L"/> columns (the output positions).</summary>
internal readonly record struct ConvGeometry(int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW, Conv2dParams P)
{
    public static ConvGeometry Of(ReadOnlySpan<int> x, ReadOnlySpan<int> w, ReadOnlySpan<int> y, Conv2dParams p)
        => new(x[0], x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3], p);

    public int Groups => P.Groups;

    public int Og => O / P.Groups;

    public int Kg => C / P.Groups * KH * KW;

    public int L => OH * OW;

    public int ImageSize => C * H * W;

    public int OutputSize => O * L;

    /// <summary>Multiply-adds of one image's product, the cost estimate for splitting the batch across threads.</summary>
    public long MacsPerImage => (long)O * Kg * L;

    /// <summary>A 1x1 kernel with unit stride and no padding reads the image as its own column matrix.</summary>
    public bool ImageIsColumns => KH == 1 && KW == 1 && P.StrideH == 1 && P.StrideW == 1 && P.PadH == 0 && P.PadW == 0;
}

/// <summary>Unfolds an image into the column matrix of a convolution (im2col) and folds columns back, summing
/// overlapping taps (col2im, the adjoint used by the input gradient). Padding reads as zero.</summary>
internal static class Im2Col
{
    /// <summary>cols[(c*KH + i)*KW + j, oh*OW + ow] = image[c, oh*sH - pH + i*dH, ow*sW - pW + j*dW] (0 outside).</summary>
    public static void Pack<T>(ReadOnlySpan<T> image, Span<T> cols, in ConvGeometry g)
        where T : unmanaged
    {
        var p = g.P;
        for (var c = 0; c < g.C; c++)
        for (var i = 0; i < g.KH; i++)
        for (var j = 0; j < g.KW; j++)
        {
            var dst = cols.Slice(((c * g.KH + i) * g.KW + j) * g.L, g.L);
            var colOffset = j * p.DilationW - p.PadW;
            var (lo, hi) = ValidRange(colOffset, p.StrideW, g.W, g.OW);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var row = dst.Slice(oh * g.OW, g.OW);
                var ih = oh * p.StrideH - p.PadH + i * p.DilationH;
                if ((uint)ih >= (uint)g.H)
                {
                    row.Clear();
                    continue;
                }
                var src = image.Slice((c * g.H + ih) * g.W, g.W);
                row[..lo].Clear();
                row[hi..].Clear();
                if (p.StrideW == 1)
                {
                    src.Slice(lo + colOffset, hi - lo).CopyTo(row[lo..hi]);
                }
                else
                {
                    for (var ow = lo; ow < hi; ow++) row[ow] = src[ow * p.StrideW + colOffset];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Pack{T}"/>: image[c, ih, iw] += every column entry that read it.</summary>
    public static void Unpack<T>(ReadOnlySpan<T> cols, Span<T> image, in ConvGeometry g)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var p = g.P;
        for (var c = 0; c < g.C; c++)
        for (var i = 0; i < g.KH; i++)
        for (var j = 0; j < g.KW; j++)
        {
            var src = cols.Slice(((c * g.KH + i) * g.KW + j) * g.L, g.L);
            var colOffset = j * p.DilationW - p.PadW;
            var (lo, hi) = ValidRange(colOffset, p.StrideW, g.W, g.OW);
            if (lo == hi) continue;
            for (var oh = 0; oh < g.OH; oh++)
            {
                var ih = oh * p.StrideH - p.PadH + i * p.DilationH;
                if ((uint)ih >= (uint)g.H) continue;
                var row = src.Slice(oh * g.OW, g.OW);
                var dst = image.Slice((c * g.H + ih) * g.W, g.W);
                if (p.StrideW == 1)
                {
                    var target = dst.Slice(lo + colOffset, hi - lo);
                    TensorPrimitives.Add(target, row[lo..hi], target);
                }
                else
                {
                    for (var ow = lo; ow < hi; ow++) dst[ow * p.StrideW + colOffset] += row[ow];
                }
            }
        }
    }

    /// <summary>The outputs [lo, hi) whose input column ow*stride + offset lies inside [0, size).</summary>
    private static (int Lo, int Hi) ValidRange(int offset, int stride, int size, int outSize)
    {
        var lo = offset >= 0 ? 0 : Math.Min(outSize, (-offset + stride - 1) / stride);
        var last = size - 1 - offset;
        var hi = last < 0 ? 0 : Math.Min(outSize, last / stride + 1);
        return (lo, Math.Max(lo, hi));
    }
}
