namespace Engine.Tests;

/// <summary>Convolution and pooling written as direct nested loops over float64 arrays in row-major [N,C,H,W]
/// layout: the independent reference the engine's im2col/GEMM and pooling kernels are checked against.</summary>
internal static class ConvolutionReference
{
    public readonly record struct ConvArgs(int StrideH, int StrideW, int PadH, int PadW, int DilH, int DilW, int Groups);

    public static int ConvOut(int size, int k, int stride, int pad, int dil) => (size + 2 * pad - dil * (k - 1) - 1) / stride + 1;

    /// <summary>y[n,o,oh,ow] = b[o] + sum over the group's channels and taps of x * w (zero padding).</summary>
    public static double[] Conv2d(double[] x, int[] xs, double[] w, int[] ws, double[]? b, ConvArgs a, out int[] ys)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = ConvOut(h, kh, a.StrideH, a.PadH, a.DilH), ow = ConvOut(wd, kw, a.StrideW, a.PadW, a.DilW);
        var og = o / a.Groups;
        var y = new double[n * o * oh * ow];
        ys = [n, o, oh, ow];
        foreach (var (ni, oi, yi, xi) in Outputs(n, o, oh, ow))
        {
            var s = b?[oi] ?? 0.0;
            foreach (var (ci, i, j, ih, iw) in Taps(oi / og, cg, kh, kw, yi, xi, h, wd, a))
                s += x[((ni * c + ci) * h + ih) * wd + iw] * w[((oi * cg + ci % cg) * kh + i) * kw + j];
            y[((ni * o + oi) * oh + yi) * ow + xi] = s;
        }
        return y;
    }

    /// <summary>The gradients of sum(gy * conv2d(x, w)) with respect to x and w, by the same loops.</summary>
    public static (double[] Gx, double[] Gw) Conv2dGrads(double[] x, int[] xs, double[] w, int[] ws, double[] gy, int[] ys, ConvArgs a)
    {
        int c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        var og = o / a.Groups;
        var gx = new double[x.Length];
        var gw = new double[w.Length];
        foreach (var (ni, oi, yi, xi) in Outputs(ys[0], ys[1], ys[2], ys[3]))
        {
            var g = gy[((ni * o + oi) * ys[2] + yi) * ys[3] + xi];
            foreach (var (ci, i, j, ih, iw) in Taps(oi / og, cg, kh, kw, yi, xi, h, wd, a))
            {
                var xIndex = ((ni * c + ci) * h + ih) * wd + iw;
                var wIndex = ((oi * cg + ci % cg) * kh + i) * kw + j;
                gx[xIndex] += g * w[wIndex];
                gw[wIndex] += g * x[xIndex];
            }
        }
        return (gx, gw);
    }

    private static IEnumerable<(int N, int O, int Y, int X)> Outputs(int n, int o, int oh, int ow)
    {
        for (var ni = 0; ni < n; ni++)
        for (var oi = 0; oi < o; oi++)
        for (var yi = 0; yi < oh; yi++)
        for (var xi = 0; xi < ow; xi++)
            yield return (ni, oi, yi, xi);
    }

    /// <summary>The (input channel, tap, input position) triples inside the input that output (yi, xi) of group g reads.</summary>
    private static IEnumerable<(int C, int I, int J, int Ih, int Iw)> Taps(int g, int cg, int kh, int kw, int yi, int xi, int h, int w, ConvArgs a)
    {
        for (var ci = g * cg; ci < (g + 1) * cg; ci++)
        for (var i = 0; i < kh; i++)
        for (var j = 0; j < kw; j++)
        {
            var ih = yi * a.StrideH - a.PadH + i * a.DilH;
            var iw = xi * a.StrideW - a.PadW + j * a.DilW;
            if (ih >= 0 && ih < h && iw >= 0 && iw < w) yield return (ci, i, j, ih, iw);
        }
    }

    /// <summary>PyTorch's pooling output size: floor (or ceil) division, and in ceil mode no window that starts in
    /// the right padding.</summary>
    public static int PoolOut(int size, int k, int stride, int pad, int dil, bool ceil)
    {
        var span = size + 2 * pad - dil * (k - 1) - 1;
        var o = (int)(ceil ? Math.Ceiling((double)span / stride) : Math.Floor((double)span / stride)) + 1;
        if (ceil && (o - 1) * stride >= size + pad) o--;
        return o;
    }

    public readonly record struct PoolArgs(int KH, int KW, int StrideH, int StrideW, int PadH, int PadW, int DilH, int DilW, bool Ceil);

    /// <summary>Max over each window's in-input taps (first maximum wins) and its flat index in the H*W plane.</summary>
    public static (double[] Values, long[] Indices) MaxPool(double[] x, int[] xs, PoolArgs a, out int[] ys)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = PoolOut(h, a.KH, a.StrideH, a.PadH, a.DilH, a.Ceil), ow = PoolOut(w, a.KW, a.StrideW, a.PadW, a.DilW, a.Ceil);
        ys = [xs[0], xs[1], oh, ow];
        var values = new double[planes * oh * ow];
        var indices = new long[values.Length];
        var k = 0;
        for (var p = 0; p < planes; p++)
        for (var yi = 0; yi < oh; yi++)
        for (var xi = 0; xi < ow; xi++, k++)
        {
            var best = double.NegativeInfinity;
            long arg = -1;
            for (var i = 0; i < a.KH; i++)
            for (var j = 0; j < a.KW; j++)
            {
                var ih = yi * a.StrideH - a.PadH + i * a.DilH;
                var iw = xi * a.StrideW - a.PadW + j * a.DilW;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                var v = x[(p * h + ih) * w + iw];
                if (v > best)
                {
                    best = v;
                    arg = ih * w + iw;
                }
            }
            values[k] = best;
            indices[k] = arg;
        }
        return (values, indices);
    }

    /// <summary>Average over each window: the sum of its in-input taps divided by the taps inside the padded input
    /// (countIncludePad) or inside the input.</summary>
    public static double[] AvgPool(double[] x, int[] xs, PoolArgs a, bool countIncludePad, out int[] ys)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = PoolOut(h, a.KH, a.StrideH, a.PadH, 1, a.Ceil), ow = PoolOut(w, a.KW, a.StrideW, a.PadW, 1, a.Ceil);
        ys = [xs[0], xs[1], oh, ow];
        var y = new double[planes * oh * ow];
        var k = 0;
        for (var p = 0; p < planes; p++)
        for (var yi = 0; yi < oh; yi++)
        for (var xi = 0; xi < ow; xi++, k++)
        {
            double sum = 0;
            int inside = 0, padded = 0;
            for (var i = 0; i < a.KH; i++)
            for (var j = 0; j < a.KW; j++)
            {
                var ih = yi * a.StrideH - a.PadH + i;
                var iw = xi * a.StrideW - a.PadW + j;
                if (ih >= -a.PadH && ih < h + a.PadH && iw >= -a.PadW && iw < w + a.PadW) padded++;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                inside++;
                sum += x[(p * h + ih) * w + iw];
            }
            y[k] = sum / (countIncludePad ? padded : inside);
        }
        return y;
    }

    /// <summary>Output (i, j) averages rows [floor(i*H/OH), ceil((i+1)*H/OH)) and the same rule for columns.</summary>
    public static double[] AdaptiveAvgPool(double[] x, int[] xs, int oh, int ow)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        var y = new double[planes * oh * ow];
        var k = 0;
        for (var p = 0; p < planes; p++)
        for (var yi = 0; yi < oh; yi++)
        for (var xi = 0; xi < ow; xi++, k++)
        {
            int h0 = (int)Math.Floor(yi * h / (double)oh), h1 = (int)Math.Ceiling((yi + 1) * h / (double)oh);
            int w0 = (int)Math.Floor(xi * w / (double)ow), w1 = (int)Math.Ceiling((xi + 1) * w / (double)ow);
            double sum = 0;
            for (var ih = h0; ih < h1; ih++)
            for (var iw = w0; iw < w1; iw++)
                sum += x[(p * h + ih) * w + iw];
            y[k] = sum / ((h1 - h0) * (w1 - w0));
        }
        return y;
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: element count");
        for (var i = 0; i < expected.Length; i++)
        {
            var err = Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i]));
            if (!(err <= tolerance))
                Assert.Fail($"{what}: element {i} is {actual[i]:G10}, expected {expected[i]:G10} (error {err:E2} > {tolerance:E1})");
        }
    }

    public static Tensor Randn(int seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, new Generator((ulong)seed));

    /// <summary>Values that are pairwise at least 0.1 apart (a shuffled ramp), so max pooling has no ties.</summary>
    public static Tensor Distinct(int seed, params int[] shape)
    {
        var numel = shape.Aggregate(1, (a, b) => a * b);
        var perm = Tensor.RandPerm(numel, new Generator((ulong)seed)).ToArray<long>();
        return Tensor.FromArray(perm.Select(v => v * 0.1 - numel * 0.05).ToArray(), shape);
    }
}
