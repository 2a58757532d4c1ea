namespace Engine.Tests.Tensors;

[TestClass]
public sealed class CreationTests
{
    [TestMethod]
    public void ZerosOnesFullHaveShapeDTypeAndValues()
    {
        var z = Tensor.Zeros(2, 3);
        Assert.AreEqual(DType.Float32, z.DType);
        CollectionAssert.AreEqual(new[] { 2, 3 }, z.Shape.ToArray());
        Assert.IsTrue(z.ToArray<float>().All(v => v == 0));
        var o = Tensor.Ones([4], DType.Int32);
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1 }, o.ToArray<int>());
        var f = Tensor.Full([2, 2], 2.5, DType.Float64);
        CollectionAssert.AreEqual(new[] { 2.5, 2.5, 2.5, 2.5 }, f.ToArray<double>());
        var b = Tensor.Full([3], 1, DType.Bool);
        CollectionAssert.AreEqual(new[] { true, true, true }, b.ToArray<bool>());
        var s = Tensor.Scalar(4);
        Assert.AreEqual(0, s.Rank);
        Assert.AreEqual(4.0, s.Item());
    }

    [TestMethod]
    public void ArangeLinspaceEye()
    {
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4 }, Tensor.Arange(5).ToArray<long>());
        CollectionAssert.AreEqual(new[] { 1f, 1.5f, 2f, 2.5f }, Tensor.Arange(1, 3, 0.5).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 3.0, 1.0 }, Tensor.Arange(3, 0, -2, DType.Float64).ToArray<double>());
        var lin = Tensor.Linspace(0, 1, 5, DType.Float64).ToArray<double>();
        CollectionAssert.AreEqual(new[] { 0, 0.25, 0.5, 0.75, 1.0 }, lin);
        var lin7 = Tensor.Linspace(-1, 2, 7, DType.Float64).ToArray<double>();
        for (var i = 0; i < 7; i++) Assert.AreEqual(-1 + 0.5 * i, lin7[i], 1e-15);
        Assert.AreEqual(2.0, lin7[^1]);
        var eye = Tensor.Eye(2, 3).ToArray<float>();
        CollectionAssert.AreEqual(new[] { 1f, 0, 0, 0, 1, 0 }, eye);
    }

    [TestMethod]
    public void FromArrayFlatAndMultidimensional()
    {
        var t = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.AreEqual(DType.Float64, t.DType);
        Assert.AreEqual(6.0, t[1, 2].Item());
        var m = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        CollectionAssert.AreEqual(new[] { 2, 3 }, m.Shape.ToArray());
        Assert.AreEqual(4f, m[1, 0].Item<float>());
        var cube = Tensor.FromArray(new int[2, 2, 2] { { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } } });
        Assert.AreEqual(DType.Int32, cube.DType);
        Assert.AreEqual(7, cube[1, 1, 0].Item<int>());
        var inferred = Tensor.FromArray(new[] { 1f, 2, 3, 4 }, -1, 2);
        CollectionAssert.AreEqual(new[] { 2, 2 }, inferred.Shape.ToArray());
        var source = new[] { 1f, 2f };
        var copy = Tensor.FromArray(source);
        source[0] = 9;
        Assert.AreEqual(1f, copy[0].Item<float>(), "FromArray copies");
    }

    [TestMethod]
    public void DTypeConversions()
    {
        var x = Tensor.FromArray(new[] { -1.7f, 0f, 2.5f });
        CollectionAssert.AreEqual(new[] { -1, 0, 2 }, x.To(DType.Int32).ToArray<int>());
        CollectionAssert.AreEqual(new[] { true, false, true }, x.To(DType.Bool).ToArray<bool>());
        CollectionAssert.AreEqual(new[] { -1.7f, 0f, 2.5f }, x.To(DType.Float64).To(DType.Float32).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 1L, 0L }, Tensor.FromArray(new[] { true, false }).To(DType.Int64).ToArray<long>());
        // ToArray<T> converts when T differs from the dtype.
        CollectionAssert.AreEqual(new[] { -1.7, 0, 2.5 }, x.ToArray<double>().Select(v => Math.Round(v, 5)).ToArray());
        Assert.AreEqual(2.5f, x[2].Item<float>());
    }

    [TestMethod]
    public void ItemRequiresOneElement()
    {
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => Tensor.Zeros(2, 2).Item());
        StringAssert.Contains(ex.Message, "(2,2)");
    }

    [TestMethod]
    public void NegativeSizesAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(2, -1));
        StringAssert.Contains(ex.Message, "(2,-1)");
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromArray(new[] { 1f, 2, 3 }, 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.Arange(0, 5, 0));
    }
}
