using static Engine.Tests.ConvolutionReference;

namespace Engine.Tests;

[TestClass]
public sealed class PoolingTests
{
    // kh, kw, strideH, strideW, padH, padW, dilH, dilW, ceil
    [TestMethod]
    [DataRow(2, 2, 2, 2, 0, 0, 1, 1, false, DisplayName = "2x2 stride 2 on odd sizes")]
    [DataRow(3, 3, 2, 2, 1, 1, 1, 1, false, DisplayName = "3x3 stride 2 padding 1")]
    [DataRow(3, 3, 2, 2, 1, 1, 1, 1, true, DisplayName = "3x3 stride 2 padding 1 ceil")]
    [DataRow(2, 2, 2, 2, 0, 0, 1, 1, true, DisplayName = "2x2 ceil (partial last window)")]
    [DataRow(3, 2, 1, 2, 1, 0, 2, 1, false, DisplayName = "dilation 2 in height, non-square")]
    [DataRow(3, 3, 3, 2, 0, 1, 1, 2, true, DisplayName = "ceil with dilated width")]
    public void MaxPool2dValuesAndIndicesMatchReference(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil)
    {
        var x = Randn(1, 3, 2, 7, 5);
        var (values, indices) = MaxPool(x.ToArray<double>(), [3, 2, 7, 5], new PoolArgs(kh, kw, sh, sw, ph, pw, dh, dw, ceil), out var ys);
        var (y, idx) = x.MaxPool2dWithIndices((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
        CollectionAssert.AreEqual(ys, y.Shape.ToArray());
        Assert.AreEqual(DType.Int64, idx.DType);
        CollectionAssert.AreEqual(values, y.ToArray<double>());
        CollectionAssert.AreEqual(indices, idx.ToArray<long>());

        var y32 = x.Float().MaxPool2d((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
        AssertClose(values, y32.Double().ToArray<double>(), 1e-6, "Float32");
    }

    [TestMethod]
    public void MaxPool2dDefaultsStrideToKernelAndAcceptsUnbatchedAndStridedInput()
    {
        var x = Randn(2, 6, 5, 2).Permute(2, 0, 1);
        Assert.IsFalse(x.IsContiguous);
        var (values, indices) = MaxPool(x.ToArray<double>(), [1, 2, 6, 5], new PoolArgs(3, 3, 3, 3, 1, 1, 1, 1, false), out _);
        var (y, idx) = x.MaxPool2dWithIndices(3, padding: 1);
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, idx.Shape.ToArray());
        CollectionAssert.AreEqual(values, y.ToArray<double>());
        CollectionAssert.AreEqual(indices, idx.ToArray<long>());
    }

    [TestMethod]
    public void MaxPool2dPropagatesNaN()
    {
        var x = Tensor.FromArray(new[] { 1.0, double.NaN, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0 }, 1, 1, 2, 4);
        var (y, idx) = x.MaxPool2dWithIndices(2);
        var v = y.ToArray<double>();
        Assert.IsTrue(double.IsNaN(v[0]));
        Assert.AreEqual(8.0, v[1]);
        CollectionAssert.AreEqual(new long[] { 1, 7 }, idx.ToArray<long>());
    }

    // kh, kw, strideH, strideW, padH, padW, ceil, countIncludePad
    [TestMethod]
    [DataRow(2, 2, 2, 2, 0, 0, false, true, DisplayName = "2x2 stride 2")]
    [DataRow(3, 3, 2, 2, 1, 1, false, true, DisplayName = "padding, count_include_pad")]
    [DataRow(3, 3, 2, 2, 1, 1, false, false, DisplayName = "padding, exclude pad")]
    [DataRow(3, 3, 2, 2, 1, 1, true, true, DisplayName = "ceil, count_include_pad (window past the padded edge)")]
    [DataRow(3, 3, 2, 2, 1, 1, true, false, DisplayName = "ceil, exclude pad")]
    [DataRow(2, 3, 1, 2, 1, 1, true, true, DisplayName = "non-square ceil")]
    [DataRow(2, 2, 3, 3, 0, 0, true, true, DisplayName = "stride larger than kernel, ceil")]
    public void AvgPool2dMatchesReference(int kh, int kw, int sh, int sw, int ph, int pw, bool ceil, bool includePad)
    {
        var x = Randn(3, 2, 3, 7, 5);
        var expected = AvgPool(x.ToArray<double>(), [2, 3, 7, 5], new PoolArgs(kh, kw, sh, sw, ph, pw, 1, 1, ceil), includePad, out var ys);
        var y = x.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, includePad);
        CollectionAssert.AreEqual(ys, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-14, "Float64");
        AssertClose(expected, x.Float().AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, includePad).Double().ToArray<double>(), 1e-5, "Float32");
    }

    [TestMethod]
    public void AvgPool2dSquareOverloadAndUnbatchedInput()
    {
        var x = Randn(4, 3, 6, 6);
        var y = x.AvgPool2d(3, 2, 1, countIncludePad: false);
        var expected = AvgPool(x.ToArray<double>(), [1, 3, 6, 6], new PoolArgs(3, 3, 2, 2, 1, 1, 1, 1, false), false, out _);
        CollectionAssert.AreEqual(new[] { 3, 3, 3 }, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-14, "unbatched");
    }

    [TestMethod]
    [DataRow(7, 5, 3, 2, DisplayName = "7x5 to 3x2 (overlapping windows)")]
    [DataRow(6, 6, 4, 4, DisplayName = "6x6 to 4x4")]
    [DataRow(5, 4, 5, 4, DisplayName = "identity")]
    [DataRow(5, 7, 1, 1, DisplayName = "global")]
    [DataRow(3, 2, 5, 4, DisplayName = "upsampling")]
    public void AdaptiveAvgPool2dMatchesReference(int h, int w, int oh, int ow)
    {
        var x = Randn(5, 2, 3, h, w);
        var expected = AdaptiveAvgPool(x.ToArray<double>(), [2, 3, h, w], oh, ow);
        var y = x.AdaptiveAvgPool2d(oh, ow);
        CollectionAssert.AreEqual(new[] { 2, 3, oh, ow }, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-14, "Float64");
        AssertClose(expected, x.Float().AdaptiveAvgPool2d(oh, ow).Double().ToArray<double>(), 1e-5, "Float32");
    }

    [TestMethod]
    public void AdaptiveAvgPool2dSquareAndUnbatched()
    {
        var x = Randn(6, 3, 7, 7).Transpose(1, 2);
        var expected = AdaptiveAvgPool(x.ToArray<double>(), [1, 3, 7, 7], 3, 3);
        var y = x.AdaptiveAvgPool2d(3);
        CollectionAssert.AreEqual(new[] { 3, 3, 3 }, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-14, "unbatched");
    }

    [TestMethod]
    public void GradCheckMaxPool2d()
    {
        var r = GradCheck.Run(t => t[0].MaxPool2d(3, 2, 1, ceilMode: true), [Distinct(10, 2, 2, 5, 6)]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
        r = GradCheck.Run(t => t[0].MaxPool2d((2, 3), (1, 2), (1, 1), (2, 1)), [Distinct(11, 1, 2, 5, 6)]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void GradCheckAvgPool2d()
    {
        var x = Randn(12, 2, 2, 5, 6);
        var r = GradCheck.Run(t => t[0].AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), [x]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
        r = GradCheck.Run(t => t[0].AvgPool2d((2, 3), (2, 1), (1, 1), ceilMode: true), [x]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void GradCheckAdaptiveAvgPool2d()
    {
        var r = GradCheck.Run(t => t[0].AdaptiveAvgPool2d(3, 2), [Randn(13, 2, 2, 7, 5)]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    [DataRow("max", DisplayName = "MaxPool2d")]
    [DataRow("avg", DisplayName = "AvgPool2d")]
    [DataRow("adaptive", DisplayName = "AdaptiveAvgPool2d")]
    public void GradCheckPoolingDoubleBackward(string kind)
    {
        // f(x) = d/dx sum(pool(x)^2) = pool'(x)^T (2 pool(x)): differentiating it goes through the recorded backward.
        Func<Tensor, Tensor> pool = kind switch
        {
            "max" => t => t.MaxPool2d(3, 2, 1),
            "avg" => t => t.AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false),
            _ => t => t.AdaptiveAvgPool2d(3, 2),
        };
        var x = kind == "max" ? Distinct(14, 1, 2, 5, 5) : Randn(14, 1, 2, 5, 5);
        var r = GradCheck.Run(t =>
        {
            var leaf = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
            using (Autograd.EnableGrad()) return Autograd.Grad(pool(leaf).Square().Sum(), leaf, createGraph: true);
        }, [x]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void PoolingRejectsPaddingLargerThanHalfTheKernel()
    {
        var x = Tensor.Zeros(1, 1, 8, 8);
        var e = Assert.ThrowsExactly<ArgumentException>(() => x.MaxPool2d(3, padding: 2));
        Assert.Contains("MaxPool2d: padding (2,2) must be non-negative and at most half the kernel size (3,3)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => x.AvgPool2d((4, 2), padding: (1, 2)));
        Assert.Contains("AvgPool2d: padding (1,2)", e.Message);
    }

    [TestMethod]
    public void PoolingRejectsTooSmallInputs()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(1, 1, 2, 5).MaxPool2d(3));
        Assert.Contains("input (1,1,2,5) is too small for kernel (3,3)", e.Message);
        Assert.Contains("the output would be 0x1", e.Message);
        // A dilated window that overhangs the padded input (a negative span) has no output either.
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(1, 1, 4, 4).MaxPool2d(3, 2, dilation: 3));
        Assert.Contains("the output would be 0x0", e.Message);
    }

    [TestMethod]
    public void PoolingRejectsBadRanksDtypesAndArguments()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(4, 4).MaxPool2d(2));
        Assert.Contains("MaxPool2d", e.Message);
        Assert.Contains("got shape (4,4)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros([1, 4, 4], DType.Int64).AvgPool2d(2));
        Assert.Contains("AvgPool2d: needs a Float32 or Float64 input; got Int64", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(1, 4, 4).MaxPool2d(2, stride: 0));
        Assert.Contains("stride must be positive; got (0,0)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(1, 4, 4).MaxPool2d(0));
        Assert.Contains("kernel size must be positive", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(1, 4, 4).AdaptiveAvgPool2d(0, 2));
        Assert.Contains("AdaptiveAvgPool2d: the output size must be positive; got (0,2)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(2, 3, 4, 4, 4).AdaptiveAvgPool2d(2));
        Assert.Contains("(2,3,4,4,4)", e.Message);
    }
}
