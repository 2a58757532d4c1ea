using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class JoinTests
{
    private static Tensor Seq(int start, params int[] shape)
        => Tensor.Arange(start, start + RefArray.Count(shape), 1, DType.Float64).Reshape(shape);

    [TestMethod]
    public void CatJoinsSeveralTensorsAlongAnyDim()
    {
        var a = Seq(0, 2, 2);
        var b = Seq(10, 2, 3);
        var c = Seq(20, 2, 1);
        var y = Tensor.Cat([a, b, c], 1);
        CollectionAssert.AreEqual(new[] { 2, 6 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 1, 10, 11, 12, 20, 2, 3, 13, 14, 15, 21 }, y.ToArray<double>());
        OpCheck.Close(RefArray.Of(y), Tensor.Cat([a, b, c], -1), 0, "negative dim");
        var rows = Tensor.Cat([a, Seq(5, 1, 2)], 0);
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 3, 5, 6 }, rows.ToArray<double>());
        var empty = Tensor.Cat([a, Tensor.Zeros([0, 2], DType.Float64), a], 0);
        CollectionAssert.AreEqual(new[] { 4, 2 }, empty.Shape.ToArray(), "empty piece");
        var single = Tensor.Cat([a]);
        CollectionAssert.AreEqual(a.ToArray<double>(), single.ToArray<double>());
    }

    [TestMethod]
    public void CatOfStridedInputsMatchesReference()
    {
        var x = Seq(0, 3, 4);
        var t = x.T;                      // (4,3)
        var s = Seq(100, 4, 6).Slice(1, 0, 6, 2); // (4,3)
        var y = Tensor.Cat([t, s], 0);
        var rt = RefArray.Of(x).Transpose(0, 1);
        var rs = RefArray.Of(Seq(100, 4, 6)).Slice(1, 0, 6, 2);
        var expected = RefArray.Generate([8, 3], i => i[0] < 4 ? rt[i] : rs[i[0] - 4, i[1]]);
        OpCheck.Close(expected, y, 0);
        var z = Tensor.Cat([t.Unsqueeze(0).Expand(2, 4, 3), s.Unsqueeze(0)], 0);
        OpCheck.Close(RefArray.Generate([3, 4, 3], i => i[0] < 2 ? rt[i[1], i[2]] : rs[i[1], i[2]]), z, 0, "expanded");
    }

    [TestMethod]
    public void CatPromotesMixedDTypes()
    {
        var f = Tensor.FromArray(new float[] { 1.5f, 2.5f });
        var d = Tensor.FromArray(new double[] { 3.25 });
        var i = Tensor.FromArray(new[] { 7, 8 });
        var l = Tensor.FromArray(new long[] { 9 });
        var fd = Tensor.Cat([f, d]);
        Assert.AreEqual(DType.Float64, fd.DType);
        CollectionAssert.AreEqual(new[] { 1.5, 2.5, 3.25 }, fd.ToArray<double>());
        var fi = Tensor.Cat([i, f]);
        Assert.AreEqual(DType.Float32, fi.DType);
        CollectionAssert.AreEqual(new[] { 7f, 8f, 1.5f, 2.5f }, fi.ToArray<float>());
        var il = Tensor.Cat([i, l]);
        Assert.AreEqual(DType.Int64, il.DType);
        CollectionAssert.AreEqual(new long[] { 7, 8, 9 }, il.ToArray<long>());
    }

    [TestMethod]
    public void StackAddsANewDim()
    {
        var a = Seq(0, 2, 3);
        var b = Seq(10, 2, 3);
        var s0 = Tensor.Stack([a, b]);
        CollectionAssert.AreEqual(new[] { 2, 2, 3 }, s0.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15 }, s0.ToArray<double>());
        var s1 = Tensor.Stack([a, b], 1);
        CollectionAssert.AreEqual(new[] { 2, 2, 3 }, s1.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15 }, s1.ToArray<double>());
        var last = Tensor.Stack([a, b], -1);
        CollectionAssert.AreEqual(new[] { 2, 3, 2 }, last.Shape.ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15 }, last.ToArray<double>());
        var scalars = Tensor.Stack([Tensor.Scalar(1, DType.Float64), Tensor.Scalar(2, DType.Float64)]);
        CollectionAssert.AreEqual(new double[] { 1, 2 }, scalars.ToArray<double>());
    }

    [TestMethod]
    public void SplitAndChunkCutIntoViews()
    {
        var x = Seq(0, 5, 2);
        var parts = x.Split(2);
        CollectionAssert.AreEqual(new[] { 2, 2, 1 }, parts.Select(p => p.Shape[0]).ToArray());
        CollectionAssert.AreEqual(new double[] { 8, 9 }, parts[2].ToArray<double>());
        var listed = x.Split([1, 4], 0);
        CollectionAssert.AreEqual(new double[] { 2, 3, 4, 5, 6, 7, 8, 9 }, listed[1].ToArray<double>());
        var cols = x.Split(1, -1);
        Assert.HasCount(2, cols);
        CollectionAssert.AreEqual(new double[] { 1, 3, 5, 7, 9 }, cols[1].ToArray<double>());
        Assert.AreSame(x.Storage, parts[1].Storage, "Split returns views");
        CollectionAssert.AreEqual(new[] { 2, 2, 1 }, x.Chunk(3).Select(p => p.Shape[0]).ToArray(), "5 into 3");
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, Seq(0, 6).Chunk(4).Select(p => p.Shape[0]).ToArray(), "6 into 4 gives 3 chunks, as PyTorch");
        CollectionAssert.AreEqual(new[] { 1, 1 }, Seq(0, 2).Chunk(5).Select(p => p.Shape[0]).ToArray(), "more chunks than elements");
        CollectionAssert.AreEqual(new double[] { 6, 7, 8, 9 }, x.Chunk(2)[1].ToArray<double>());
    }

    [TestMethod]
    public void GradientsFlowThroughCatStackAndSplit()
    {
        var g = new Generator(71);
        var a = OpCheck.Randn(g, 2, 3);
        var b = OpCheck.Randn(g, 2, 2);
        OpCheck.Grad(t => Tensor.Cat([t[0], t[1], t[0]], 1), a, b);
        OpCheck.Grad(t => Tensor.Cat([t[0].T, t[1].T], 0).Square(), a, b);
        OpCheck.Grad(t => Tensor.Stack([t[0], t[0] * 2], 1), a);
        OpCheck.Grad(t => t[0].Split(2, 1)[1] * t[0].Split([1, 2], 1)[0], a);
        OpCheck.Grad(t => Tensor.Cat(t[0].Chunk(2, 1).Reverse().ToArray(), 1), a);
        var mixed = Tensor.FromArray(new float[] { 1, 2 }).RequiresGrad_();
        var d = Tensor.FromArray(new double[] { 3 }).RequiresGrad_();
        (Tensor.Cat([mixed, d]) * Tensor.FromArray(new double[] { 1, 2, 3 })).Sum().Backward();
        Assert.AreEqual(DType.Float32, mixed.Grad!.DType, "gradient in the input's own dtype");
        CollectionAssert.AreEqual(new float[] { 1, 2 }, mixed.Grad.ToArray<float>());
        CollectionAssert.AreEqual(new double[] { 3 }, d.Grad!.ToArray<double>());
    }

    [TestMethod]
    public void MismatchedShapesNameBothShapes()
    {
        OpCheck.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 4)], 0), "Cat", "(2,3)", "(3,4)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3, 1)], 0), "Cat", "(2,3)", "(2,3,1)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Stack([Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)]), "Stack", "(2,3)", "(3,2)");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Tensor.Cat([Tensor.Zeros(2), Tensor.Zeros(2)], 1), "Cat", "1");
        OpCheck.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Scalar(1), Tensor.Scalar(2)]), "Cat", "Stack");
        OpCheck.Throws<ArgumentException>(() => Tensor.Cat(Array.Empty<Tensor>()), "Cat");
        OpCheck.Throws<ArgumentException>(() => Seq(0, 5).Split([2, 2]), "Split", "(2, 2)", "5");
        OpCheck.Throws<ArgumentException>(() => Seq(0, 5).Split(0), "Split", "0");
        OpCheck.Throws<ArgumentException>(() => Seq(0, 5).Chunk(0), "Chunk", "0");
    }
}
