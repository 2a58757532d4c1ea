using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Direct convolution (no im2col, no GEMM) for layers with few input taps, such as a first layer on grey
/// images: C*KH*KW &lt;= <see cref="MaxInputs"/>, unit stride, one group, rows of at least one 512-bit vector.
/// There the GEMM has a K of a few elements, so it is bound by storing its output, and the relayout of that output
/// costs as much again; here each output vector (a run of output columns) is computed from the C*KH*KW input
/// vectors and stored once, straight into y. The weight gradient likewise sums gy * input per (o, tap) in vector
/// accumulators instead of unfolding the input. For the test CNN's first layer (1 -> 32 channels, 3x3, 28x28,
/// batch 128) forward plus weight gradient took about half the time of the im2col path on the reference machine.</summary>
/// <remarks>Images are first copied into a zero-bordered buffer, so every tap reads a full vector with no edge
/// tests. Rows are covered by whole vectors, the last shifted left to end at the row's end: the forward pass
/// recomputes the few overlapping outputs; the weight gradient drops their products instead (a select on the
/// accumulator rather than zeroing an operand, which would turn an infinite gradient into NaN).
/// 512-bit vectors only: with 256-bit ones the kernel does twice the instructions and measured only ~20% ahead of
/// the im2col path, which therefore serves machines without AVX-512.</remarks>
internal static unsafe class ConvDirect
{
    /// <summary>Input vectors per output vector: the forward pass keeps them in a small stack array (L1), loaded once
    /// per run of output columns and reused by every output channel. (Measured with 9.)</summary>
    public const int MaxInputs = 16;

    /// <summary>Output channels computed together: eight independent accumulator chains cover the FMA latency.</summary>
    private const int Channels = 8;

    /// <summary>Images per weight-gradient work item: a fixed number (not one per thread), so the partial sums, and
    /// the order in which they are added, do not depend on the thread count.</summary>
    private const int WeightGradImages = 8;

    public static bool Applies<T>(in ConvGeometry g)
        where T : unmanaged
        => Vector512.IsHardwareAccelerated && g.Groups == 1 && g.P.StrideH == 1 && g.P.StrideW == 1
           && g.C * g.Taps <= MaxInputs && g.OW >= Vector512<T>.Count;

    /// <summary>y[n, o, oh, ow..] = bias[o] + sum over inputs t of w[o, t] * (input vector t at (oh, ow)), one
    /// image per work item. x, w and bias are dense.</summary>
    public static void Forward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pad = new PaddedLayout(g);
        var inputs = g.C * g.Taps;
        var lanes = Vector512<T>.Count;
        CpuParallel.For(g.N, (long)g.O * inputs * g.L, (n0, n1) =>
        {
            using var scratch = new CpuScratch<T>(pad.ImageSize);
            fixed (T* xs = CpuBackend.Dense<T>(x), ws = CpuBackend.Dense<T>(w), ys = CpuBackend.Dense<T>(y), padded = scratch.Array)
            fixed (T* bs = bias is null ? default : CpuBackend.Dense<T>(bias))
            {
                var offsets = stackalloc int[inputs];
                pad.TapOffsets(offsets, g);
                var v = stackalloc Vector512<T>[inputs];
                for (var n = n0; n < n1; n++)
                {
                    pad.Copy(xs + (nint)n * g.ImageSize, padded, g);
                    for (var oh = 0; oh < g.OH; oh++)
                    for (var ow0 = 0; ow0 < g.OW; ow0 += lanes)
                    {
                        var ow = Math.Min(ow0, g.OW - lanes);
                        var at = padded + oh * pad.Width + ow;
                        for (var t = 0; t < inputs; t++) v[t] = Vector512.Load(at + offsets[t]);
                        var dst = ys + (nint)n * g.OutputSize + oh * g.OW + ow;
                        var o = 0;
                        for (; o + Channels <= g.O; o += Channels) OutputChannels8(v, inputs, ws + o * inputs, bs is null ? null : bs + o, dst + o * g.L, g.L);
                        for (; o < g.O; o++)
                        {
                            var acc = Vector512.Create(bs is null ? T.Zero : bs[o]);
                            for (var t = 0; t < inputs; t++) acc = Lanes512<T>.MultiplyAdd(Vector512.Create(ws[o * inputs + t]), v[t], acc);
                            acc.Store(dst + o * g.L);
                        }
                    }
                }
            }
        });
    }

    /// <summary>Eight output channels (weights w[k * inputs + t], outputs dst[k * ld]) from the input vectors v.</summary>
    private static void OutputChannels8<T>(Vector512<T>* v, int inputs, T* w, T* bias, T* dst, nint ld)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        if (bias is not null)
        {
            (a0, a1, a2, a3) = (Vector512.Create(bias[0]), Vector512.Create(bias[1]), Vector512.Create(bias[2]), Vector512.Create(bias[3]));
            (a4, a5, a6, a7) = (Vector512.Create(bias[4]), Vector512.Create(bias[5]), Vector512.Create(bias[6]), Vector512.Create(bias[7]));
        }
        for (var t = 0; t < inputs; t++, w++)
        {
            var x = v[t];
            a0 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[0]), x, a0);
            a1 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[inputs]), x, a1);
            a2 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[2 * inputs]), x, a2);
            a3 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[3 * inputs]), x, a3);
            a4 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[4 * inputs]), x, a4);
            a5 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[5 * inputs]), x, a5);
            a6 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[6 * inputs]), x, a6);
            a7 = Lanes512<T>.MultiplyAdd(Vector512.Create(w[7 * inputs]), x, a7);
        }
        a0.Store(dst);
        a1.Store(dst + ld);
        a2.Store(dst + 2 * ld);
        a3.Store(dst + 3 * ld);
        a4.Store(dst + 4 * ld);
        a5.Store(dst + 5 * ld);
        a6.Store(dst + 6 * ld);
        a7.Store(dst + 7 * ld);
    }

    /// <summary>gw[o, t] = sum over images and output positions of gy[n, o, oh, ow] * (input t at (oh, ow)).
    /// Fixed blocks of images each sum into their own partial, added up in block order. Within a block the loop
    /// runs image by image (its gy planes stay in L1 while every tap passes over them), accumulating into one
    /// vector per (o, t) that is reduced to a scalar at the end of the block.</summary>
    public static void WeightGrad<T>(Tensor gy, Tensor x, Tensor gw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pad = new PaddedLayout(g);
        var inputs = g.C * g.Taps;
        var lanes = Vector512<T>.Count;
        var blocks = (g.N + WeightGradImages - 1) / WeightGradImages;
        using var partials = new CpuScratch<T>(blocks * gw.Numel);
        var partialArray = partials.Array;
        // The last vector of a row overlaps the one before it: its products in the overlapping lanes are dropped.
        var overlap = g.OW % lanes == 0 ? 0 : lanes - g.OW % lanes;
        var tailMask = typeof(T) == typeof(float)
            ? Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(overlap)).As<int, T>()
            : Vector512.GreaterThanOrEqual(Vector512<long>.Indices, Vector512.Create((long)overlap)).As<long, T>();
        CpuParallel.For(blocks, (long)WeightGradImages * g.O * inputs * g.L, (b0, b1) =>
        {
            using var image = new CpuScratch<T>(pad.ImageSize);
            using var sums = new CpuScratch<T>(gw.Numel * lanes);
            fixed (T* xs = CpuBackend.Dense<T>(x), gys = CpuBackend.Dense<T>(gy), padded = image.Array, part = partialArray, accT = sums.Array)
            {
                var acc = (Vector512<T>*)accT;
                var offsets = stackalloc int[inputs];
                pad.TapOffsets(offsets, g);
                for (var b = b0; b < b1; b++)
                {
                    new Span<T>(accT, gw.Numel * lanes).Clear();
                    for (var n = b * WeightGradImages; n < Math.Min(g.N, (b + 1) * WeightGradImages); n++)
                    {
                        pad.Copy(xs + (nint)n * g.ImageSize, padded, g);
                        var gyImage = gys + (nint)n * g.OutputSize;
                        var o = 0;
                        for (; o + Channels <= g.O; o += Channels)
                        for (var t = 0; t < inputs; t++)
                            WeightGrad8(gyImage + o * g.L, padded + offsets[t], tailMask, pad, g, acc + o * inputs + t, inputs);
                        for (; o < g.O; o++)
                        for (var t = 0; t < inputs; t++)
                            WeightGrad1(gyImage + o * g.L, padded + offsets[t], tailMask, pad, g, acc + o * inputs + t);
                    }
                    var dst = part + (nint)b * gw.Numel;
                    for (var k = 0; k < gw.Numel; k++) dst[k] = Vector512.Sum(acc[k]);
                }
            }
        });
        var total = CpuBackend.Dense<T>(gw);
        partialArray.AsSpan(0, gw.Numel).CopyTo(total);
        for (var b = 1; b < blocks; b++) System.Numerics.Tensors.TensorPrimitives.Add(total, partialArray.AsSpan(b * gw.Numel, gw.Numel), total);
    }

    /// <summary>Adds one image's gy * input products for eight output channels and one tap (input points at the
    /// tap's offset in the padded image) to acc[k * ld], k &lt; 8.</summary>
    private static void WeightGrad8<T>(T* gy, T* input, Vector512<T> tailMask, in PaddedLayout pad, in ConvGeometry g, Vector512<T>* acc, int ld)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector512<T>.Count;
        nint l = g.L;
        Vector512<T> a0 = acc[0], a1 = acc[ld], a2 = acc[2 * ld], a3 = acc[3 * ld], a4 = acc[4 * ld], a5 = acc[5 * ld], a6 = acc[6 * ld], a7 = acc[7 * ld];
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow0 = 0; ow0 < g.OW; ow0 += lanes)
        {
            var ow = Math.Min(ow0, g.OW - lanes);
            var x = Vector512.Load(input + oh * pad.Width + ow);
            var q = gy + oh * g.OW + ow;
            if (ow == ow0)
            {
                a0 = Lanes512<T>.MultiplyAdd(Vector512.Load(q), x, a0);
                a1 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + l), x, a1);
                a2 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 2 * l), x, a2);
                a3 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 3 * l), x, a3);
                a4 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 4 * l), x, a4);
                a5 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 5 * l), x, a5);
                a6 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 6 * l), x, a6);
                a7 = Lanes512<T>.MultiplyAdd(Vector512.Load(q + 7 * l), x, a7);
                continue;
            }
            a0 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q), x, a0), a0);
            a1 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + l), x, a1), a1);
            a2 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 2 * l), x, a2), a2);
            a3 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 3 * l), x, a3), a3);
            a4 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 4 * l), x, a4), a4);
            a5 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 5 * l), x, a5), a5);
            a6 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 6 * l), x, a6), a6);
            a7 = Vector512.ConditionalSelect(tailMask, Lanes512<T>.MultiplyAdd(Vector512.Load(q + 7 * l), x, a7), a7);
        }
        (acc[0], acc[ld], acc[2 * ld], acc[3 * ld]) = (a0, a1, a2, a3);
        (acc[4 * ld], acc[5 * ld], acc[6 * ld], acc[7 * ld]) = (a4, a5, a6, a7);
    }

    /// <summary><see cref="WeightGrad8{T}"/> for a single output channel (the channels left over).</summary>
    private static void WeightGrad1<T>(T* gy, T* input, Vector512<T> tailMask, in PaddedLayout pad, in ConvGeometry g, Vector512<T>* acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector512<T>.Count;
        var a = *acc;
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow0 = 0; ow0 < g.OW; ow0 += lanes)
        {
            var ow = Math.Min(ow0, g.OW - lanes);
            var sum = Lanes512<T>.MultiplyAdd(Vector512.Load(gy + oh * g.OW + ow), Vector512.Load(input + oh * pad.Width + ow), a);
            a = ow == ow0 ? sum : Vector512.ConditionalSelect(tailMask, sum, a);
        }
        *acc = a;
    }

    /// <summary>An image copied into a zero border: each channel plane is (H + 2 pH) x Width, Width = W + 2 pW,
    /// so output (oh, ow) reads tap (i, j) at row oh + i*dH, column ow + j*dW.</summary>
    private readonly struct PaddedLayout(ConvGeometry g)
    {
        public readonly int Height = g.H + 2 * g.P.PadH;
        public readonly int Width = g.W + 2 * g.P.PadW;
        public readonly int Channels = g.C;

        public int Plane => Height * Width;

        public int ImageSize => Channels * Plane;

        /// <summary>Offsets of the inputs (c, i, j), in the weight's order, from an output's top-left corner.</summary>
        public void TapOffsets(int* offsets, in ConvGeometry g)
        {
            for (var c = 0; c < g.C; c++)
            for (var i = 0; i < g.KH; i++)
            for (var j = 0; j < g.KW; j++)
                offsets[(c * g.KH + i) * g.KW + j] = c * Plane + i * g.P.DilationH * Width + j * g.P.DilationW;
        }

        public void Copy<T>(T* image, T* padded, in ConvGeometry g)
            where T : unmanaged
        {
            new Span<T>(padded, ImageSize).Clear();
            for (var c = 0; c < g.C; c++)
            for (var h = 0; h < g.H; h++)
                new ReadOnlySpan<T>(image + (c * g.H + h) * g.W, g.W).CopyTo(new Span<T>(padded + c * Plane + (h + g.P.PadH) * Width + g.P.PadW, g.W));
        }
    }
}
