using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class ScanTests
{
    private static double[] CumsumLine(double[] v)
    {
        var r = new double[v.Length];
        var acc = 0.0;
        for (var t = 0; t < v.Length; t++) r[t] = acc += v[t];
        return r;
    }

    [TestMethod]
    public void CumsumMatchesReferenceAlongEveryDim()
    {
        var x = OpCheck.Randn(new Generator(61), 3, 4, 5);
        var r = RefArray.Of(x);
        for (var dim = -3; dim < 3; dim++)
        {
            var d = dim < 0 ? dim + 3 : dim;
            OpCheck.Close(r.AlongDim(d, CumsumLine), x.Cumsum(dim), 1e-12, $"dim {dim}");
            OpCheck.Close(r.Transpose(0, 2).AlongDim(d, CumsumLine), x.Transpose(0, 2).Cumsum(dim), 1e-12, $"transposed, dim {dim}");
            OpCheck.Close(r.AlongDim(d, CumsumLine), x.To(DType.Float32).Cumsum(dim), 1e-5, $"Float32 dim {dim}");
        }
        var big = OpCheck.Randn(new Generator(62), 200, 300);
        OpCheck.Close(RefArray.Of(big).AlongDim(1, CumsumLine), big.Cumsum(1), 1e-12, "many rows");
    }

    [TestMethod]
    public void IntegerCumsumIsInt64AndScalarsWork()
    {
        var ints = Tensor.FromArray(new[] { 2_000_000_000, 2_000_000_000, 1, 1 }, 2, 2);
        var y = ints.Cumsum(0);
        Assert.AreEqual(DType.Int64, y.DType);
        CollectionAssert.AreEqual(new long[] { 2_000_000_000, 2_000_000_000, 2_000_000_001, 2_000_000_001 }, y.ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 3 }, Tensor.FromArray(new[] { true, false, true, true }).Cumsum(0).ToArray<long>());
        var s = Tensor.Scalar(4, DType.Float64).Cumsum(0);
        Assert.AreEqual(0, s.Rank);
        Assert.AreEqual(4.0, s.Item());
    }

    [TestMethod]
    public void CumsumGradientIsTheReverseCumsum()
    {
        var x = OpCheck.Randn(new Generator(63), 4).RequiresGrad_();
        var w = Tensor.FromArray(new double[] { 1, 2, 3, 4 });
        (x.Cumsum(0) * w).Sum().Backward();
        CollectionAssert.AreEqual(new double[] { 10, 9, 7, 4 }, x.Grad!.ToArray<double>());
        var g = new Generator(64);
        var z = OpCheck.Randn(g, 2, 3, 4);
        OpCheck.Grad(t => t[0].Cumsum(1), z);
        OpCheck.Grad(t => t[0].Transpose(0, 2).Cumsum(-1), z);
        // Double backward runs the reverse scan forward again.
        OpCheck.Grad(t =>
        {
            using (Autograd.EnableGrad())
            {
                var leaf = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
                return Autograd.Grad([(leaf.Cumsum(0).Square() * t[1]).Sum()], [leaf], createGraph: true)[0]!;
            }
        }, OpCheck.Randn(g, 4, 2), OpCheck.Randn(g, 4, 2));
    }

    // ---- LinearScan ----------------------------------------------------------------------------------------------

    /// <summary>h_t = a_t h_{t-1} + b_t by a sequential loop over float64 arrays, along dim of the broadcast shape.</summary>
    private static RefArray Recurrence(RefArray a, RefArray b, RefArray? h0, int dim, bool reverse)
    {
        var shape = b.Shape; // the tests broadcast a against b's (full) shape
        var ae = RefArray.Generate(shape, i => a[i.Select((v, j) => a.Shape[j] == 1 ? 0 : v).ToArray()]);
        var result = new double[b.Data.Length];
        var lineShape = (int[])shape.Clone();
        lineShape[dim] = 1;
        foreach (var start in RefArray.Indices(lineShape))
        {
            var h = h0 is null ? 0.0 : h0[start.Where((_, j) => j != dim).ToArray()];
            var pos = (int[])start.Clone();
            for (var s = 0; s < shape[dim]; s++)
            {
                pos[dim] = reverse ? shape[dim] - 1 - s : s;
                h = ae[pos] * h + b[pos];
                result[RefArray.FlatIndex(shape, pos)] = h;
            }
        }
        return new RefArray((int[])shape.Clone(), result);
    }

    [TestMethod]
    public void LinearScanMatchesSequentialLoop()
    {
        var g = new Generator(65);
        foreach (var dim in new[] { 0, 1, -1 })
        {
            var d = dim < 0 ? dim + 3 : dim;
            var a = OpCheck.Randn(g, 5, 3, 4) * 0.8;
            var b = OpCheck.Randn(g, 5, 3, 4);
            var stateShape = new[] { 5, 3, 4 }.Where((_, j) => j != d).ToArray();
            var h0 = OpCheck.Randn(g, stateShape);
            foreach (var reverse in new[] { false, true })
            {
                var what = $"dim {dim} reverse {reverse}";
                var (ra, rb, rh) = (RefArray.Of(a), RefArray.Of(b), RefArray.Of(h0));
                OpCheck.Close(Recurrence(ra, rb, null, d, reverse), Tensor.LinearScan(a, b, null, dim, reverse), 1e-12, what + " without h0");
                OpCheck.Close(Recurrence(ra, rb, rh, d, reverse), Tensor.LinearScan(a, b, h0, dim, reverse), 1e-12, what + " with h0");
                OpCheck.Close(Recurrence(ra, rb, rh, d, reverse),
                    Tensor.LinearScan(a.To(DType.Float32), b.To(DType.Float32), h0.To(DType.Float32), dim, reverse), 1e-5, what + " Float32");
            }
        }
    }

    [TestMethod]
    public void LinearScanBroadcastsAAndTakesStridedInputs()
    {
        var g = new Generator(66);
        var a = OpCheck.Randn(g, 6, 1, 4) * 0.9; // (T,1,H) shared over the batch
        var b = OpCheck.Randn(g, 6, 3, 4);       // (T,B,H)
        var h0 = OpCheck.Randn(g, 3, 4);
        OpCheck.Close(Recurrence(RefArray.Of(a), RefArray.Of(b), RefArray.Of(h0), 0, false), Tensor.LinearScan(a, b, h0), 1e-12, "a (T,1,H)");
        var bt = OpCheck.Randn(g, 4, 3, 6).Permute(2, 1, 0); // (6,3,4), strided
        OpCheck.Close(Recurrence(RefArray.Of(a), RefArray.Of(bt), null, 0, true), Tensor.LinearScan(a, bt, reverse: true), 1e-12, "strided b");
        var scalarA = Tensor.Full([1], 0.5, DType.Float64);
        OpCheck.Close(Recurrence(new RefArray([1, 1, 1], [0.5]), RefArray.Of(b), null, 1, false), Tensor.LinearScan(scalarA, b, null, 1), 1e-12, "a broadcast to all");
        var big = OpCheck.Randn(g, 50, 40, 30) * 0.3;
        var bigB = OpCheck.Randn(g, 50, 40, 30);
        OpCheck.Close(Recurrence(RefArray.Of(big), RefArray.Of(bigB), null, 0, false), Tensor.LinearScan(big, bigB), 1e-12, "many sequences");
    }

    [TestMethod]
    public void LinearScanWithOneStep()
    {
        var a = Tensor.FromArray(new double[] { 2, 3 }, 1, 2);
        var b = Tensor.FromArray(new double[] { 1, -1 }, 1, 2);
        var h0 = Tensor.FromArray(new double[] { 10, 20 });
        CollectionAssert.AreEqual(new double[] { 21, 59 }, Tensor.LinearScan(a, b, h0).ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 21, 59 }, Tensor.LinearScan(a, b, h0, reverse: true).ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 1, -1 }, Tensor.LinearScan(a, b).ToArray<double>());
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2]), a, b, h0);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2], 0, reverse: true), a, b, h0);
    }

    [TestMethod]
    public void LinearScanGradCheckInAAndBAndH0()
    {
        var g = new Generator(67);
        var a = OpCheck.Randn(g, 4, 2, 3) * 0.8;
        var b = OpCheck.Randn(g, 4, 2, 3);
        var h0 = OpCheck.Randn(g, 2, 3);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2]), a, b, h0);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2], reverse: true), a, b, h0);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1]), a, b);
        var h1 = OpCheck.Randn(g, 4, 3);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2], dim: 1), a, b, h1);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2], dim: -2, reverse: true), a, b, h1);
    }

    [TestMethod]
    public void LinearScanGradCheckWithBroadcastAndStridedInputs()
    {
        var g = new Generator(68);
        var a = OpCheck.Randn(g, 4, 1, 3) * 0.8;
        var b = OpCheck.Randn(g, 4, 2, 3);
        var h0 = OpCheck.Randn(g, 2, 3);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2]), a, b, h0);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2], reverse: true), a, b, h0);
        var bt = OpCheck.Randn(g, 3, 2, 4);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1].Permute(2, 1, 0), t[2]), a, bt, h0);
        OpCheck.Grad(t => Tensor.LinearScan(t[0], t[1], t[2].T, reverse: true), a, b, OpCheck.Randn(g, 3, 2));
    }

    [TestMethod]
    public void LinearScanHasDoubleBackward()
    {
        var g = new Generator(69);
        var a = OpCheck.Randn(g, 3, 2) * 0.8;
        var b = OpCheck.Randn(g, 3, 2);
        var h0 = OpCheck.Randn(g, 2);
        OpCheck.Grad(t =>
        {
            using (Autograd.EnableGrad())
            {
                var leaf = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
                var y = Tensor.LinearScan(leaf, t[1], t[2]);
                return Autograd.Grad([y.Square().Sum()], [leaf], createGraph: true)[0]!;
            }
        }, a, b, h0);
    }

    [TestMethod]
    public void LinearScanBadInputsThrow()
    {
        var a = Tensor.Zeros([4, 2, 3], DType.Float64);
        OpCheck.Throws<ArgumentException>(() => Tensor.LinearScan(a, a, Tensor.Zeros([3, 2], DType.Float64)), "LinearScan", "h0", "(3,2)", "(2,3)");
        OpCheck.Throws<ArgumentException>(() => Tensor.LinearScan(a, Tensor.Zeros([4, 5, 3], DType.Float64)), "LinearScan", "(4,2,3)", "(4,5,3)");
        OpCheck.Throws<ArgumentException>(() => Tensor.LinearScan(a, a.To(DType.Float32)), "LinearScan", "Float64", "Float32");
        OpCheck.Throws<ArgumentException>(() => Tensor.LinearScan(a, a, Tensor.Zeros([2, 3])), "LinearScan", "h0", "Float32");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Tensor.LinearScan(a, a, null, 3), "LinearScan", "3");
        OpCheck.Throws<ArgumentException>(() => Tensor.LinearScan(Tensor.Scalar(1), Tensor.Scalar(1)), "LinearScan");
    }
}
