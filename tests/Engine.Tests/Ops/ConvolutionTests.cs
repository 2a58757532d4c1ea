using static Engine.Tests.ConvolutionReference;

namespace Engine.Tests;

[TestClass]
public sealed class ConvolutionTests
{
    // n, c, h, w, o, kh, kw, strideH, strideW, padH, padW, dilH, dilW, groups, bias
    [TestMethod]
    [DataRow(1, 3, 7, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, true, DisplayName = "3x3 on 7x5, bias")]
    [DataRow(3, 2, 7, 5, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1, false, DisplayName = "stride 2, padding, 3x2 kernel, batch 3")]
    [DataRow(2, 4, 8, 7, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, true, DisplayName = "dilation 2, groups 2")]
    [DataRow(2, 4, 6, 6, 4, 3, 3, 1, 2, 1, 0, 1, 1, 4, true, DisplayName = "depthwise, mixed stride and padding")]
    [DataRow(2, 4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4, false, DisplayName = "depthwise with multiplier 2")]
    [DataRow(3, 6, 5, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2, true, DisplayName = "1x1 grouped (image is its own columns)")]
    [DataRow(1, 3, 9, 9, 2, 1, 1, 2, 2, 0, 0, 1, 1, 1, false, DisplayName = "1x1 stride 2")]
    [DataRow(2, 3, 5, 7, 4, 2, 3, 3, 2, 1, 2, 2, 1, 1, true, DisplayName = "everything asymmetric")]
    [DataRow(1, 2, 4, 4, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1, true, DisplayName = "kernel larger than input, padded")]
    public void Conv2dMatchesReference(
        int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool withBias)
    {
        var x = Randn(1, n, c, h, w);
        var weight = Randn(2, o, c / groups, kh, kw);
        var bias = withBias ? Randn(3, o) : null;
        var args = new ConvArgs(sh, sw, ph, pw, dh, dw, groups);
        var expected = ConvolutionReference.Conv2d(x.ToArray<double>(), [n, c, h, w], weight.ToArray<double>(), [o, c / groups, kh, kw], bias?.ToArray<double>(), args, out var ys);

        var y = Tensor.Conv2d(x, weight, bias, (sh, sw), (ph, pw), (dh, dw), groups);
        CollectionAssert.AreEqual(ys, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-12, "Float64");

        var y32 = Tensor.Conv2d(x.Float(), weight.Float(), bias?.Float(), (sh, sw), (ph, pw), (dh, dw), groups);
        Assert.AreEqual(DType.Float32, y32.DType);
        AssertClose(expected, y32.Double().ToArray<double>(), 1e-4, "Float32");
    }

    [TestMethod]
    public void Conv2dSquareOverloadMatchesTupleOverload()
    {
        var x = Randn(4, 2, 3, 9, 8);
        var w = Randn(5, 4, 3, 3, 3);
        var b = Randn(6, 4);
        var a = Tensor.Conv2d(x, w, b, stride: 2, padding: 1, dilation: 2).ToArray<double>();
        var t = Tensor.Conv2d(x, w, b, (2, 2), (1, 1), (2, 2)).ToArray<double>();
        CollectionAssert.AreEqual(t, a);
    }

    [TestMethod]
    public void Conv2dAcceptsNonContiguousOperands()
    {
        // Input permuted from NHWC and sliced in width; weight transposed; bias strided.
        var x = Randn(7, 2, 9, 11, 3).Permute(0, 3, 1, 2).Slice(3, 1, 10, 1);
        var w = Randn(8, 3, 4, 3, 2).Transpose(0, 1);
        var b = Randn(9, 8).Slice(0, 0, 8, 2);
        Assert.IsFalse(x.IsContiguous);
        Assert.IsFalse(w.IsContiguous);
        Assert.IsFalse(b.IsContiguous);
        var args = new ConvArgs(2, 1, 1, 0, 1, 1, 1);
        var expected = ConvolutionReference.Conv2d(
            x.ToArray<double>(), x.Shape.ToArray(), w.ToArray<double>(), w.Shape.ToArray(), b.ToArray<double>(), args, out _);
        var y = Tensor.Conv2d(x, w, b, (2, 1), (1, 0));
        AssertClose(expected, y.ToArray<double>(), 1e-12, "non-contiguous");
    }

    [TestMethod]
    public void Conv2dUnbatchedInputMatchesBatchOfOne()
    {
        var x = Randn(10, 3, 6, 5);
        var w = Randn(11, 2, 3, 3, 3);
        var y = Tensor.Conv2d(x, w, null, 1, 1);
        CollectionAssert.AreEqual(new[] { 2, 6, 5 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(Tensor.Conv2d(x.Unsqueeze(0), w, null, 1, 1).ToArray<double>(), y.ToArray<double>());
    }

    [TestMethod]
    public void Conv2dBackwardKernelsMatchReferenceOnALargerBatch()
    {
        // Large enough that the batch is split across threads (and the weight gradient summed from partials).
        var x = Randn(12, 6, 8, 12, 11);
        var w = Randn(13, 8, 4, 3, 3);
        var args = new ConvArgs(1, 2, 1, 1, 1, 1, 2);
        var xd = x.ToArray<double>();
        var wd = w.ToArray<double>();
        var y = ConvolutionReference.Conv2d(xd, x.Shape.ToArray(), wd, w.Shape.ToArray(), null, args, out var ys);
        var gy = Randn(14, ys);
        var (gxRef, gwRef) = Conv2dGrads(xd, x.Shape.ToArray(), wd, w.Shape.ToArray(), gy.ToArray<double>(), ys, args);

        foreach (var (dtype, tol) in new[] { (DType.Float64, 1e-11), (DType.Float32, 1e-4) })
        {
            var xl = x.Detach().To(dtype).RequiresGrad_();
            var wl = w.Detach().To(dtype).RequiresGrad_();
            var out_ = Tensor.Conv2d(xl, wl, null, (1, 2), (1, 1), null, groups: 2);
            AssertClose(y, out_.Double().ToArray<double>(), tol, $"{dtype} forward");
            out_.Backward(gy.To(dtype));
            AssertClose(gxRef, xl.Grad!.Double().ToArray<double>(), tol, $"{dtype} input gradient");
            AssertClose(gwRef, wl.Grad!.Double().ToArray<double>(), tol, $"{dtype} weight gradient");
        }
    }

    [TestMethod]
    public void Conv1dMatchesReference()
    {
        // Conv1d is a conv2d over a height of 1; the reference runs its loops with h = kh = 1.
        var x = Randn(15, 3, 4, 11);
        var w = Randn(16, 6, 2, 3);
        var b = Randn(17, 6);
        var args = new ConvArgs(1, 2, 0, 1, 1, 2, 2);
        var expected = ConvolutionReference.Conv2d(x.ToArray<double>(), [3, 4, 1, 11], w.ToArray<double>(), [6, 2, 1, 3], b.ToArray<double>(), args, out var ys);
        var y = Tensor.Conv1d(x, w, b, stride: 2, padding: 1, dilation: 2, groups: 2);
        CollectionAssert.AreEqual(new[] { 3, 6, ys[3] }, y.Shape.ToArray());
        AssertClose(expected, y.ToArray<double>(), 1e-12, "Conv1d");

        var unbatched = Tensor.Conv1d(x.Select(0, 1), w, b, stride: 2, padding: 1, dilation: 2, groups: 2);
        CollectionAssert.AreEqual(new[] { 6, ys[3] }, unbatched.Shape.ToArray());
        AssertClose(y.Select(0, 1).ToArray<double>(), unbatched.ToArray<double>(), 1e-15, "unbatched Conv1d");
    }

    [TestMethod]
    public void GradCheckConv2dInputWeightBias()
    {
        Tensor[] inputs = [Randn(20, 2, 4, 5, 4), Randn(21, 4, 2, 3, 2), Randn(22, 4)];
        var r = GradCheck.Run(t => Tensor.Conv2d(t[0], t[1], t[2], (2, 2), (1, 1), null, groups: 2), inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void GradCheckConv2dDilatedOnStridedInput()
    {
        Tensor[] inputs = [Randn(23, 1, 6, 5, 2), Randn(24, 3, 2, 2, 2)];
        // The permute makes the op see a non-contiguous input.
        var r = GradCheck.Run(t => Tensor.Conv2d(t[0].Permute(0, 3, 1, 2), t[1], null, (1, 1), (0, 1), (2, 2)), inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void GradCheckConv1d()
    {
        Tensor[] inputs = [Randn(25, 2, 2, 7), Randn(26, 4, 1, 3), Randn(27, 4)];
        var r = GradCheck.Run(t => Tensor.Conv1d(t[0], t[1], t[2], stride: 2, padding: 1, groups: 2), inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void GradCheckConv2dDoubleBackward()
    {
        // f(x, w, b) = (d/dx, d/dw) of sum(conv(x, w, b)^2): checks the gradients of both conv gradients.
        Tensor[] inputs = [Randn(28, 1, 2, 4, 4), Randn(29, 2, 1, 2, 2), Randn(30, 2)];
        var r = GradCheck.Run(t =>
        {
            var leaves = t.Select(v => v.RequiresGrad ? v : v.Detach().RequiresGrad_()).ToArray();
            using (Autograd.EnableGrad())
            {
                var loss = Tensor.Conv2d(leaves[0], leaves[1], leaves[2], 1, 1, groups: 2).Square().Sum();
                var g = Autograd.Grad([loss], [leaves[0], leaves[1]], createGraph: true);
                return Tensor.Cat([g[0]!.Reshape(-1), g[1]!.Reshape(-1)]);
            }
        }, inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void Conv2dRejectsChannelMismatch()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(8, 4, 3, 3)));
        Assert.Contains("Conv2d: input has 3 channels but weight (8,4,3,3) expects 4 (groups 1)", e.Message);
    }

    [TestMethod]
    public void Conv2dRejectsGroupsThatDoNotDivideChannels()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(6, 1, 3, 3), groups: 2));
        Assert.Contains("groups 2 must divide the input channels 3", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 4, 5, 5), Tensor.Zeros(3, 2, 3, 3), groups: 2));
        Assert.Contains("groups 2 must divide the output channels 3 (weight (3,2,3,3))", e.Message);
    }

    [TestMethod]
    public void Conv2dRejectsKernelLargerThanPaddedInput()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 2, 4), Tensor.Zeros(1, 1, 3, 3)));
        Assert.Contains("kernel (3,3)", e.Message);
        Assert.Contains("larger than the padded input 2x4 (input (1,1,2,4), padding (0,0))", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), dilation: 3));
        Assert.Contains("spans 7x7", e.Message);
    }

    [TestMethod]
    public void Conv2dRejectsBadRanksDtypesBiasAndArguments()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(3, 4), Tensor.Zeros(1, 1, 1, 1)));
        Assert.Contains("Conv2d", e.Message);
        Assert.Contains("got shape (3,4)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1, 1, 3)));
        Assert.Contains("weight", e.Message);
        Assert.Contains("(1,1,3)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros([1, 1, 2, 2], DType.Float64)));
        Assert.Contains("got Float32, Float64", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros([1, 1, 3, 3], DType.Int64), Tensor.Zeros([1, 1, 2, 2], DType.Int64)));
        Assert.Contains("floating-point", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(2, 1, 2, 2), Tensor.Zeros(3)));
        Assert.Contains("bias must have shape (2)", e.Message);
        Assert.Contains("got (3)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1, 1, 2, 2), stride: 0));
        Assert.Contains("stride must be positive; got (0,0)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1, 1, 2, 2), padding: -1));
        Assert.Contains("padding must be non-negative", e.Message);
    }

    [TestMethod]
    public void Conv1dErrorsNameConv1dAndItsShapes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(1, 2, 3, 4), Tensor.Zeros(1, 2, 3)));
        Assert.Contains("Conv1d", e.Message);
        Assert.Contains("(1,2,3,4)", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(1, 2, 4), Tensor.Zeros(1, 2, 5)));
        Assert.Contains("Conv1d: kernel 5 with dilation 1 spans 5, larger than the padded input 4 (input (1,2,4), padding 0)", e.Message);
    }
}
