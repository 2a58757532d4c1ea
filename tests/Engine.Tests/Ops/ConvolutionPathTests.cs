using System.Runtime.Intrinsics;
using Engine.Backends;
using Engine.Backends.Cpu;
using static Engine.Tests.ConvolutionReference;

namespace Engine.Tests;

/// <summary>The CPU convolution's code paths on shapes chosen to reach them: the direct kernel for few input taps
/// (with its overlapping last vector per row, leftover output channels and image blocks), and the chunked
/// im2col/GEMM path across chunk boundaries; plus determinism across runs and thread counts.</summary>
[TestClass]
public sealed class ConvolutionPathTests
{
    // n, c, h, w, o, kh, kw, pad, dilation
    [TestMethod]
    [DataRow(10, 1, 20, 20, 11, 3, 3, 1, 1, DisplayName = "3x3 pad 1: overlapping last vector, 8 + 3 output channels, two image blocks")]
    [DataRow(3, 1, 16, 32, 8, 3, 3, 1, 1, DisplayName = "rows of whole vectors")]
    [DataRow(2, 1, 18, 21, 9, 3, 3, 2, 2, DisplayName = "dilation 2, padding 2")]
    [DataRow(9, 2, 12, 19, 5, 2, 3, 0, 1, DisplayName = "two channels, 2x3 kernel, no padding")]
    public void DirectKernelMatchesReference(int n, int c, int h, int w, int o, int kh, int kw, int pad, int dilation)
    {
        var x = Randn(40, n, c, h, w);
        var weight = Randn(41, o, c, kh, kw);
        var bias = Randn(42, o);
        var args = new ConvArgs(1, 1, pad, pad, dilation, dilation, 1);
        var geometry = Geometry(x, weight, args, out var ys);
        if (Vector512.IsHardwareAccelerated)
        {
            Assert.IsTrue(ConvDirect.Applies<float>(geometry), "Float32 should take the direct kernel");
            Assert.IsTrue(ConvDirect.Applies<double>(geometry), "Float64 should take the direct kernel");
        }
        CheckAgainstReference(x, weight, bias, args, ys, 43);
    }

    [TestMethod]
    public void Im2ColPathMatchesReferenceAcrossChunks()
    {
        // 16 channels of 24x24 with 3x3 taps: 331 KB of Float32 columns per image, so 7 images go in chunks of
        // 3, 3 and 1 (Float64: seven chunks of one). Unit stride and "same" padding: the block-copy unfolding.
        var x = Randn(44, 7, 16, 24, 24);
        var weight = Randn(45, 6, 16, 3, 3);
        var args = new ConvArgs(1, 1, 1, 1, 1, 1, 1);
        var geometry = Geometry(x, weight, args, out var ys);
        Assert.AreEqual(3, CpuBackend.ChunkImages<float>(geometry));
        Assert.AreEqual(1, CpuBackend.ChunkImages<double>(geometry));
        CheckAgainstReference(x, weight, Randn(46, 6), args, ys, 47);
    }

    [TestMethod]
    public void Im2ColPathWithStridesGroupsAndDilationMatchesReferenceAcrossChunks()
    {
        // Strided, grouped and dilated (the row-by-row unfolding): chunks of 4 and 3 images in Float32.
        var x = Randn(48, 7, 16, 24, 26);
        var weight = Randn(49, 8, 8, 3, 3);
        var args = new ConvArgs(2, 1, 1, 0, 1, 2, 2);
        var geometry = Geometry(x, weight, args, out var ys);
        Assert.AreEqual(4, CpuBackend.ChunkImages<float>(geometry));
        CheckAgainstReference(x, weight, null, args, ys, 50);
    }

    [TestMethod]
    public void DirectWeightGradientKeepsAnInfiniteGradientInOverlappingColumns()
    {
        // Width 20: the second vector of each row starts at column 4 (Float32, 16 lanes) and recomputes columns
        // 4..15; an infinite gradient at column 8 must count once and stay +Inf (not turn into NaN through 0 * Inf).
        // Channels 1 and 8 carry one each: 9 output channels run as a group of eight plus one left over.
        var x = (Tensor.Randn([1, 1, 20, 20], DType.Float32, new Generator(51)).Abs() + 0.5f).Detach();
        var w = Tensor.Randn([9, 1, 3, 3], DType.Float32, new Generator(52)).RequiresGrad_();
        var gyData = Enumerable.Repeat(1f, 9 * 20 * 20).ToArray();
        int[] infinite = [1, 8];
        foreach (var o in infinite) gyData[o * 400 + 5 * 20 + 8] = float.PositiveInfinity;
        Tensor.Conv2d(x, w, null, 1, 1).Backward(Tensor.FromArray(gyData, 1, 9, 20, 20));
        var gw = w.Grad!.ToArray<float>();
        // The other channels: the sum of each tap's inputs, each counted once.
        var (_, gwRef) = Conv2dGrads(x.ToArray<double>(), [1, 1, 20, 20], w.ToArray<double>(), [9, 1, 3, 3],
            Enumerable.Repeat(1.0, 9 * 400).ToArray(), [1, 9, 20, 20], new ConvArgs(1, 1, 1, 1, 1, 1, 1));
        for (var o = 0; o < 9; o++)
        {
            var channel = gw[(o * 9)..(o * 9 + 9)].Select(v => (double)v).ToArray();
            if (infinite.Contains(o)) CollectionAssert.AreEqual(Enumerable.Repeat(double.PositiveInfinity, 9).ToArray(), channel, $"channel {o}");
            else AssertClose(gwRef[(o * 9)..(o * 9 + 9)], channel, 1e-5, $"channel {o}");
        }
    }

    [TestMethod]
    [DataRow(1, DisplayName = "direct kernel (one input channel)")]
    [DataRow(8, DisplayName = "im2col and GEMM")]
    public void ResultsAreBitIdenticalAcrossRunsAndThreadCounts(int channels)
    {
        var x = Tensor.Randn([20, channels, 28, 28], DType.Float32, new Generator(53));
        var w = Tensor.Randn([16, channels, 3, 3], DType.Float32, new Generator(54));
        var b = Tensor.Randn([16], DType.Float32, new Generator(55));
        var gy = Tensor.Randn([20, 16, 28, 28], DType.Float32, new Generator(56));
        float[][] Run()
        {
            var xl = x.Detach().RequiresGrad_();
            var wl = w.Detach().RequiresGrad_();
            var y = Tensor.Conv2d(xl, wl, b, 1, 1);
            y.Backward(gy);
            return [y.ToArray<float>(), xl.Grad!.ToArray<float>(), wl.Grad!.ToArray<float>()];
        }
        var saved = CpuParallel.MaxThreads;
        try
        {
            CpuParallel.MaxThreads = 1;
            var single = Run();
            CpuParallel.MaxThreads = 3;
            var first = Run();
            var second = Run();
            foreach (var (what, i) in new[] { ("output", 0), ("input gradient", 1), ("weight gradient", 2) })
            {
                CollectionAssert.AreEqual(first[i], second[i], $"{what}: two runs differ");
                CollectionAssert.AreEqual(single[i], first[i], $"{what}: 1 and 3 threads differ");
            }
        }
        finally
        {
            CpuParallel.MaxThreads = saved;
        }
    }

    private static ConvGeometry Geometry(Tensor x, Tensor w, ConvArgs a, out int[] ys)
    {
        var xs = x.Shape.ToArray();
        var wsh = w.Shape.ToArray();
        ys = [xs[0], wsh[0], ConvOut(xs[2], wsh[2], a.StrideH, a.PadH, a.DilH), ConvOut(xs[3], wsh[3], a.StrideW, a.PadW, a.DilW)];
        return ConvGeometry.Of(xs, wsh, ys, new Conv2dParams(a.StrideH, a.StrideW, a.PadH, a.PadW, a.DilH, a.DilW, a.Groups));
    }

    /// <summary>Forward, input and weight gradients in Float64 and Float32 against the float64 loops.</summary>
    private static void CheckAgainstReference(Tensor x, Tensor w, Tensor? bias, ConvArgs a, int[] ys, int seed)
    {
        var xd = x.ToArray<double>();
        var wd = w.ToArray<double>();
        var y = ConvolutionReference.Conv2d(xd, x.Shape.ToArray(), wd, w.Shape.ToArray(), bias?.ToArray<double>(), a, out _);
        var gy = Randn(seed, ys);
        var (gxRef, gwRef) = Conv2dGrads(xd, x.Shape.ToArray(), wd, w.Shape.ToArray(), gy.ToArray<double>(), ys, a);
        foreach (var (dtype, tol) in new[] { (DType.Float64, 1e-11), (DType.Float32, 1e-4) })
        {
            var xl = x.Detach().To(dtype).RequiresGrad_();
            var wl = w.Detach().To(dtype).RequiresGrad_();
            var output = Tensor.Conv2d(xl, wl, bias?.To(dtype), (a.StrideH, a.StrideW), (a.PadH, a.PadW), (a.DilH, a.DilW), a.Groups);
            CollectionAssert.AreEqual(ys, output.Shape.ToArray());
            AssertClose(y, output.Double().ToArray<double>(), tol, $"{dtype} forward");
            output.Backward(gy.To(dtype));
            AssertClose(gxRef, xl.Grad!.Double().ToArray<double>(), tol, $"{dtype} input gradient");
            AssertClose(gwRef, wl.Grad!.Double().ToArray<double>(), tol, $"{dtype} weight gradient");
        }
    }
}
