using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class IndexingTests
{
    private static Tensor Idx(long[] values, params int[] shape) => Tensor.FromArray(values, shape);

    private static readonly Tensor X23 = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

    // ---- Gather ------------------------------------------------------------------------------------------------

    [TestMethod]
    public void GatherPicksAlongTheDim()
    {
        CollectionAssert.AreEqual(new double[] { 1, 1, 6, 5 }, X23.Gather(1, Idx([0, 0, 2, 1], 2, 2)).ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 4, 2, 6 }, X23.Gather(0, Idx([1, 0, 1], 1, 3)).ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 3, 4 }, X23.Gather(-1, Idx([2, 0], 2, 1)).ToArray<double>(), "negative dim");
        var i32 = Tensor.FromArray(new[] { 2, 2 }, 1, 2);
        CollectionAssert.AreEqual(new double[] { 3, 3 }, X23.Gather(1, i32).ToArray<double>(), "Int32 index");
        CollectionAssert.AreEqual(new[] { 2L, 1L }, Tensor.FromArray(new long[] { 1, 2, 3 }).Gather(0, Idx([1, 0])).ToArray<long>(), "Int64 data");
    }

    [TestMethod]
    public void GatherOnStridedInputsMatchesReference()
    {
        var g = new Generator(51);
        var x = OpCheck.Randn(g, 4, 3, 5);
        var xt = x.Transpose(0, 2); // (5,3,4)
        var rx = RefArray.Of(x).Transpose(0, 2);
        var index = Tensor.RandInt(0, 3, [4, 2, 5], generator: g).Permute(2, 1, 0); // (5,2,4), strided, values < 3
        var ri = RefArray.Of(index);
        var expected = RefArray.Generate([5, 2, 4], i => rx[i[0], (int)ri[i], i[2]]);
        OpCheck.Close(expected, xt.Gather(1, index), 0);
    }

    [TestMethod]
    public void GatherOnZeroDimTensor()
    {
        var s = Tensor.Scalar(7, DType.Float64);
        var y = s.Gather(0, Tensor.FromArray(new long[] { 0 }).Reshape());
        Assert.AreEqual(0, y.Rank);
        Assert.AreEqual(7.0, y.Item());
    }

    // ---- Scatter / ScatterAdd ------------------------------------------------------------------------------------

    [TestMethod]
    public void ScatterWritesSourceOrValue()
    {
        var src = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 1, 4);
        var y = Tensor.Zeros([3, 4], DType.Float64).Scatter(0, Idx([0, 1, 2, 0], 1, 4), src);
        CollectionAssert.AreEqual(new double[] { 1, 0, 0, 4, 0, 2, 0, 0, 0, 0, 3, 0 }, y.ToArray<double>());
        var v = X23.Scatter(1, Idx([2, 0], 2, 1), -1.0);
        CollectionAssert.AreEqual(new double[] { 1, 2, -1, -1, 5, 6 }, v.ToArray<double>());
        var bigSrc = Tensor.FromArray(new double[] { 10, 20, 30, 40, 50, 60, 70, 80 }, 2, 4);
        var part = X23.Scatter(1, Idx([1, 0], 2, 1), bigSrc);
        CollectionAssert.AreEqual(new double[] { 1, 10, 3, 50, 5, 6 }, part.ToArray<double>(), "src larger than index");
        CollectionAssert.AreEqual(new double[] { 1, 2, 3, 4, 5, 6 }, X23.ToArray<double>(), "out of place");
    }

    [TestMethod]
    public void ScatterAddAccumulatesRepeatedIndices()
    {
        var src = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var y = Tensor.Zeros([2, 3], DType.Float64).ScatterAdd(1, Idx([0, 0, 2, 1, 1, 1], 2, 3), src);
        CollectionAssert.AreEqual(new double[] { 3, 0, 3, 0, 15, 0 }, y.ToArray<double>());
        var z = X23.ScatterAdd(0, Idx([1, 1, 0, 1, 1, 1], 2, 3), src);
        CollectionAssert.AreEqual(new double[] { 1, 2, 3 + 3, 4 + 1 + 4, 5 + 2 + 5, 6 + 6 }, z.ToArray<double>());
        var f32 = Tensor.Zeros(4).ScatterAdd(0, Idx([3, 3, 0]), Tensor.FromArray(new float[] { 1, 2, 3 }));
        CollectionAssert.AreEqual(new float[] { 3, 0, 0, 3 }, f32.ToArray<float>());
    }

    [TestMethod]
    public void ScatterOnStridedInputsMatchesReference()
    {
        var g = new Generator(52);
        var x = OpCheck.Randn(g, 4, 5).T;   // (5,4)
        var src = OpCheck.Randn(g, 6, 4).Slice(0, 0, 6, 2); // (3,4)
        var index = Idx([0, 4, 2, 1, 3, 3, 0, 2, 1, 0, 4, 4], 4, 3).T; // (3,4)
        var rx = RefArray.Of(x);
        var rs = RefArray.Of(src);
        var ri = RefArray.Of(index);
        var expected = (double[])rx.Data.Clone();
        foreach (var i in RefArray.Indices([3, 4])) expected[(int)ri[i] * 4 + i[1]] += rs[i];
        OpCheck.Close(new RefArray([5, 4], expected), x.ScatterAdd(0, index, src), 1e-15);
    }

    // ---- IndexSelect / IndexAdd ----------------------------------------------------------------------------------

    [TestMethod]
    public void IndexSelectPicksRowsOrColumns()
    {
        var x = Tensor.FromArray(new double[] { 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23 }, 3, 4);
        CollectionAssert.AreEqual(new double[] { 20, 21, 22, 23, 0, 1, 2, 3, 20, 21, 22, 23 }, x.IndexSelect(0, Idx([2, 0, 2])).ToArray<double>());
        var cols = x.IndexSelect(1, Tensor.FromArray(new[] { 3, 1 }));
        CollectionAssert.AreEqual(new[] { 3, 2 }, cols.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 3, 1, 13, 11, 23, 21 }, cols.ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 2, 12, 22, 0, 10, 20 }, x.T.IndexSelect(0, Idx([2, 0])).ToArray<double>(), "transposed input");
        CollectionAssert.AreEqual(new[] { 3, 0 }, x.IndexSelect(1, Idx([])).Shape.ToArray(), "empty index");
    }

    [TestMethod]
    public void IndexAddAccumulatesRepeatedIndices()
    {
        var src = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        var y = Tensor.Ones([3, 2], DType.Float64).IndexAdd(0, Idx([0, 2, 0]), src);
        CollectionAssert.AreEqual(new double[] { 7, 9, 1, 1, 4, 5 }, y.ToArray<double>());
        var z = Tensor.Zeros([2, 3], DType.Float64).IndexAdd(1, Idx([1, 1]), Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2));
        CollectionAssert.AreEqual(new double[] { 0, 3, 0, 0, 7, 0 }, z.ToArray<double>());
        var t = Tensor.Zeros([2, 3], DType.Float64).IndexAdd(1, Idx([2, 0]), Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2).T.T.T.T);
        CollectionAssert.AreEqual(new double[] { 2, 0, 1, 4, 0, 3 }, t.ToArray<double>());
        var strided = Tensor.Zeros([3], DType.Float64).IndexAdd(0, Idx([0, 2]), Tensor.FromArray(new double[] { 5, 6, 7, 8 }).Slice(0, 0, 4, 2));
        CollectionAssert.AreEqual(new double[] { 5, 0, 7 }, strided.ToArray<double>(), "strided src");
    }

    // ---- Embedding / OneHot --------------------------------------------------------------------------------------

    [TestMethod]
    public void EmbeddingLooksUpRows()
    {
        var w = Tensor.FromArray(new double[] { 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5 }, 5, 2);
        var y = Tensor.Embedding(Idx([0, 4, 4, 2], 2, 2), w);
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 0.5, 4, 4.5, 4, 4.5, 2, 2.5 }, y.ToArray<double>());
        var one = Tensor.Embedding(Tensor.FromArray(new[] { 3 }).Reshape(), w);
        CollectionAssert.AreEqual(new[] { 2 }, one.Shape.ToArray(), "0-dim index");
        CollectionAssert.AreEqual(new double[] { 3, 3.5 }, one.ToArray<double>());
    }

    [TestMethod]
    public void OneHotEncodesClasses()
    {
        var y = Idx([0, 2, 1]).OneHot();
        Assert.AreEqual(DType.Int64, y.DType);
        CollectionAssert.AreEqual(new[] { 3, 3 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 0, 0, 0, 0, 1, 0, 1, 0 }, y.ToArray<long>());
        var wide = Idx([1, 0, 3, 3], 2, 2).OneHot(5);
        CollectionAssert.AreEqual(new[] { 2, 2, 5 }, wide.Shape.ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0 }, wide.ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 0, 0, 1 }, Tensor.FromArray(new[] { 2 }).OneHot(3).ToArray<long>(), "Int32 classes");
    }

    // ---- gradients -----------------------------------------------------------------------------------------------

    [TestMethod]
    public void GatherScatterGradCheck()
    {
        var g = new Generator(53);
        var x = OpCheck.Randn(g, 3, 4);
        var repeated = Idx([0, 0, 2, 1, 3, 3], 3, 2);
        OpCheck.Grad(t => t[0].Gather(1, repeated), x);
        OpCheck.Grad(t => t[0].T.Gather(0, repeated.T.Contiguous()), x);
        var src = OpCheck.Randn(g, 3, 3);
        var unique = Idx([2, 0, 1, 3, 0, 2], 3, 2);
        OpCheck.Grad(t => t[0].Scatter(1, unique, t[1]), x, src);
        OpCheck.Grad(t => t[0].Scatter(1, unique, 2.5), x);
        OpCheck.Grad(t => t[0].ScatterAdd(1, repeated, t[1]), x, src);
        OpCheck.Grad(t => t[0].ScatterAdd(0, Idx([2, 2, 0], 1, 3), t[1].T), x, src);
    }

    [TestMethod]
    public void IndexSelectIndexAddEmbeddingGradCheck()
    {
        var g = new Generator(54);
        var x = OpCheck.Randn(g, 3, 4);
        OpCheck.Grad(t => t[0].IndexSelect(0, Idx([2, 0, 2])), x);
        OpCheck.Grad(t => t[0].T.IndexSelect(1, Idx([1, 1])), x);
        var src = OpCheck.Randn(g, 3, 3);
        OpCheck.Grad(t => t[0].IndexAdd(1, Idx([3, 0, 3]), t[1]), x, src);
        OpCheck.Grad(t => Tensor.Embedding(Idx([0, 2, 2, 1], 2, 2), t[0]), x);
    }

    [TestMethod]
    public void GatherHasDoubleBackward()
    {
        var g = new Generator(55);
        var x = OpCheck.Randn(g, 2, 3);
        var index = Idx([0, 2, 2, 1], 2, 2);
        OpCheck.Grad(t =>
        {
            using (Autograd.EnableGrad())
            {
                var leaf = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
                return Autograd.Grad([leaf.Gather(1, index).Square().Sum()], [leaf], createGraph: true)[0]!;
            }
        }, x);
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    [TestMethod]
    public void OutOfRangeIndicesNameTheIndexAndSize()
    {
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.Gather(1, Idx([0, 3], 1, 2)), "Gather", "index 3", "size 3");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.Gather(0, Idx([-1], 1, 1)), "Gather", "index -1", "size 2");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.Scatter(0, Idx([2], 1, 1), 1.0), "Scatter", "index 2", "size 2");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.ScatterAdd(1, Idx([5], 1, 1), X23), "ScatterAdd", "index 5", "size 3");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.IndexSelect(1, Idx([1, 7])), "IndexSelect", "index 7", "size 3");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => X23.IndexAdd(0, Idx([4]), Tensor.Zeros([1, 3], DType.Float64)), "IndexAdd", "index 4", "size 2");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(Idx([1, 5]), Tensor.Zeros(5, 2)), "Embedding", "index 5", "size 5");
        OpCheck.Throws<ArgumentException>(() => Idx([0, 3]).OneHot(3), "OneHot", "3");
        OpCheck.Throws<ArgumentException>(() => Idx([-1, 1]).OneHot(3), "OneHot", "-1");
    }

    [TestMethod]
    public void NonIntegerIndicesAreRejected()
    {
        var f = Tensor.Zeros(1, 2);
        OpCheck.Throws<ArgumentException>(() => X23.Gather(1, f), "Gather", "Int64", "Float32", "(1,2)");
        OpCheck.Throws<ArgumentException>(() => X23.Scatter(1, f, 0.0), "Scatter", "Float32");
        OpCheck.Throws<ArgumentException>(() => X23.IndexSelect(0, Tensor.Zeros(2)), "IndexSelect", "Float32");
        OpCheck.Throws<ArgumentException>(() => Tensor.Embedding(Tensor.FromArray(new[] { true }), X23), "Embedding", "Bool");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3).OneHot(), "OneHot", "Float32");
    }

    [TestMethod]
    public void ShapeMismatchesNameTheShapes()
    {
        OpCheck.Throws<ArgumentException>(() => X23.Gather(0, Idx([0, 0, 0, 0], 1, 4)), "Gather", "(1,4)", "(2,3)");
        OpCheck.Throws<ArgumentException>(() => X23.Gather(0, Idx([0])), "Gather", "(1)", "(2,3)");
        OpCheck.Throws<ArgumentException>(() => X23.ScatterAdd(0, Idx([0, 0], 1, 2), Tensor.Zeros([1, 1], DType.Float64)), "ScatterAdd", "(1,2)", "(1,1)");
        OpCheck.Throws<ArgumentException>(() => X23.IndexSelect(0, Idx([0, 1], 1, 2)), "IndexSelect", "(1,2)");
        OpCheck.Throws<ArgumentException>(() => X23.IndexAdd(0, Idx([0]), Tensor.Zeros([1, 2], DType.Float64)), "IndexAdd", "(1,2)", "(1,3)");
        OpCheck.Throws<ArgumentException>(() => X23.IndexAdd(0, Idx([0, 1], 2, 1), X23), "IndexAdd", "1-D", "(2,1)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Embedding(Idx([0]), Tensor.Zeros(5)), "Embedding", "(5)");
    }
}
