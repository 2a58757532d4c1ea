namespace Engine.Tests.Tensors;

/// <summary>Movement ops are views: they share storage with their source, and gradients flow back through them.</summary>
[TestClass]
public sealed class ViewTests
{
    private static Tensor Grid(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b), 1, DType.Float64).Reshape(shape);

    private static double[] Values(Tensor t) => t.ToArray<double>();

    [TestMethod]
    public void ViewAndReshapeShareStorageWhenPossible()
    {
        var x = Grid(2, 3, 4);
        var v = x.View(6, 4);
        Assert.AreSame(x.Storage, v.Storage);
        CollectionAssert.AreEqual(Values(x), Values(v));
        var r = x.Reshape(4, -1);
        CollectionAssert.AreEqual(new[] { 4, 6 }, r.Shape.ToArray());
        Assert.AreSame(x.Storage, r.Storage);
        // A transposed tensor cannot be viewed flat: View throws, Reshape copies.
        var t = x.Transpose(1, 2);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => t.View(24));
        StringAssert.Contains(ex.Message, "(2,4,3)");
        var flat = t.Reshape(24);
        Assert.AreNotSame(x.Storage, flat.Storage);
        Assert.AreEqual(x[0, 1, 0].Item(), flat[1].Item());
        // Splitting a dim of a transposed view is still a view.
        var split = t.View(2, 2, 2, 3);
        Assert.AreSame(x.Storage, split.Storage);
        Assert.AreEqual(t[1, 3, 2].Item(), split[1, 1, 1, 2].Item());
    }

    [TestMethod]
    public void PermuteTransposeAndT()
    {
        var x = Grid(2, 3, 4);
        var p = x.Permute(2, 0, 1);
        CollectionAssert.AreEqual(new[] { 4, 2, 3 }, p.Shape.ToArray());
        Assert.AreSame(x.Storage, p.Storage);
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    Assert.AreEqual(x[i, j, k].Item(), p[k, i, j].Item());
        var m = Grid(2, 3);
        CollectionAssert.AreEqual(new[] { 0.0, 3, 1, 4, 2, 5 }, Values(m.T));
        CollectionAssert.AreEqual(new[] { 2, 4, 3 }, x.MT.Shape.ToArray());
        Assert.IsFalse(m.T.IsContiguous);
        Assert.IsTrue(m.T.Contiguous().IsContiguous);
        CollectionAssert.AreEqual(Values(m.T), Values(m.T.Contiguous()));
    }

    [TestMethod]
    public void NarrowSliceSelect()
    {
        var x = Grid(4, 5);
        CollectionAssert.AreEqual(new[] { 6.0, 7, 8 }, Values(x.Narrow(0, 1, 1).Narrow(1, 1, 3)));
        CollectionAssert.AreEqual(new[] { 1.0, 3, 11, 13 }, Values(x.Slice(0, 0, 4, 2).Slice(1, 1, 5, 2)));
        CollectionAssert.AreEqual(new[] { 15.0, 16, 17, 18, 19 }, Values(x.Select(0, -1)));
        CollectionAssert.AreEqual(new[] { 2.0, 7, 12, 17 }, Values(x.Select(1, 2)));
        Assert.AreSame(x.Storage, x.Select(1, 2).Storage);
        Assert.AreEqual(0, x.Slice(1, 4, 2).Size(1), "an empty slice is allowed");
    }

    [TestMethod]
    public void RangeIndexing()
    {
        var x = Grid(3, 4, 5);
        var a = x[.., 1..3];
        CollectionAssert.AreEqual(new[] { 3, 2, 5 }, a.Shape.ToArray());
        Assert.AreEqual(x[2, 2, 4].Item(), a[2, 1, 4].Item());
        CollectionAssert.AreEqual(new[] { 4 }, x[1, .., 0].Shape.ToArray());
        Assert.AreEqual(x[2, 3, 4].Item(), x[^1, ^1, ^1].Item());
        CollectionAssert.AreEqual(new[] { 3, 4 }, x[TensorIndex.Ellipsis, 0].Shape.ToArray());
        CollectionAssert.AreEqual(Values(x[.., .., 2]), Values(x[TensorIndex.Ellipsis, 2]));
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => x[3]);
        StringAssert.Contains(ex.Message, "(3,4,5)");
        // Assignment writes through the view.
        var y = Tensor.Zeros(2, 3);
        y[.., 1] = Tensor.FromArray(new[] { 7f, 8f });
        CollectionAssert.AreEqual(new[] { 0f, 7, 0, 0, 8, 0 }, y.ToArray<float>());
    }

    [TestMethod]
    public void ExpandSqueezeUnsqueezeFlatten()
    {
        var x = Grid(3, 1);
        var e = x.Expand(2, 3, 4);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, e.Shape.ToArray());
        Assert.AreEqual(0, e.Strides[0]);
        Assert.AreEqual(0, e.Strides[2]);
        Assert.AreEqual(2.0, e[1, 2, 3].Item());
        CollectionAssert.AreEqual(new[] { 3, 5 }, x.Expand(-1, 5).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3 }, x.Squeeze().Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 1 }, x.Squeeze(0).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 3, 1 }, x.Unsqueeze(0).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 1, 1 }, x.Unsqueeze(-1).Shape.ToArray());
        var y = Grid(2, 3, 4, 5);
        CollectionAssert.AreEqual(new[] { 2, 12, 5 }, y.Flatten(1, 2).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 120 }, y.Flatten().Shape.ToArray());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Grid(3, 2).Expand(3, 4));
        StringAssert.Contains(ex.Message, "(3,2)");
        StringAssert.Contains(ex.Message, "(3,4)");
    }

    [TestMethod]
    public void ViewsOfViewsComposeOffsets()
    {
        var x = Grid(6, 6);
        var v = x.Slice(0, 1, 6, 2).Slice(1, 2, 6).T.Narrow(0, 1, 2);
        // rows 1,3,5 of x; columns 2..5; transposed -> [4,3]; rows 1..2 -> columns 3,4 of x
        CollectionAssert.AreEqual(new[] { 9.0, 21, 33, 10, 22, 34 }, Values(v));
        CollectionAssert.AreEqual(new[] { 9.0, 21, 33, 10, 22, 34 }, Values(v.Contiguous()));
    }

    [TestMethod]
    public void GradientsFlowBackThroughViews()
    {
        var x = Grid(2, 3, 4);
        var r = GradCheck.Run(
            t => t[0][0].T.Reshape(2, 6).Narrow(1, 1, 4).Unsqueeze(0).Expand(3, 2, 4).Flatten().Square().Sum()
                + t[0].Permute(2, 1, 0).Select(0, 1).Sin().Sum()
                + t[0][.., 1..3].Squeeze().Slice(2, 0, 4, 3).Exp().Sum(),
            [x * 0.1]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void CloneAndContiguousAreDifferentiableCopies()
    {
        var x = Grid(2, 3).RequiresGrad_();
        var c = x.T.Contiguous();
        Assert.AreNotSame(x.Storage, c.Storage);
        (c * Tensor.Arange(0, 6, 1, DType.Float64).Reshape(3, 2)).Sum().Backward();
        CollectionAssert.AreEqual(new[] { 0.0, 2, 4, 1, 3, 5 }, Values(x.Grad!));
        var clone = x.Detach().Clone();
        Assert.AreNotSame(x.Storage, clone.Storage);
        CollectionAssert.AreEqual(Values(x), Values(clone));
    }
}
