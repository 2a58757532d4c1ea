namespace Engine.Tests.Tensors;

[TestClass]
public sealed class FormatTests
{
    [TestMethod]
    public void PrintsLikePyTorch()
    {
        Assert.AreEqual("tensor([1., 2., 3.])", Tensor.FromArray(new[] { 1f, 2, 3 }).ToString());
        Assert.AreEqual("tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.2500]])", Tensor.FromArray(new[] { 1.5f, -2, 3, 4.25f }, 2, 2).ToString());
        Assert.AreEqual("tensor([1, 2], dtype=int32)", Tensor.FromArray(new[] { 1, 2 }).ToString());
        Assert.AreEqual("tensor([1, 2])", Tensor.FromArray(new[] { 1L, 2 }).ToString());
        Assert.AreEqual("tensor([True, False])", Tensor.FromArray(new[] { true, false }).ToString());
        Assert.AreEqual("tensor(3.5000, dtype=float64)", Tensor.Scalar(3.5, DType.Float64).ToString());
        Assert.AreEqual("tensor([1.0000e-05, 1.0000e+00])", Tensor.FromArray(new[] { 1e-5f, 1f }).ToString());
        Assert.AreEqual("tensor([])", Tensor.Zeros(0).ToString());
        Assert.AreEqual("tensor([2.], requires_grad=True)", Tensor.FromArray(new[] { 2f }).RequiresGrad_().ToString());
        StringAssert.Contains((Tensor.FromArray(new[] { 2f }).RequiresGrad_() * 2).ToString(), "grad_fn=<AffineBackward>");
        StringAssert.Contains(Tensor.FromArray(new[] { float.NaN, float.PositiveInfinity, 1.5f }).ToString(), "nan");
    }

    [TestMethod]
    public void LargeTensorsAreElidedWithTheirShape()
    {
        var s = Tensor.Arange(0, 2000).Reshape(40, 50).ToString();
        StringAssert.Contains(s, "...");
        StringAssert.Contains(s, "size=(40, 50)");
        StringAssert.StartsWith(s, "tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],");
        StringAssert.Contains(s, "[1950., 1951., 1952., ..., 1997., 1998., 1999.]]");
        Assert.IsLessThan(1000, s.Length, "elided output stays short");
    }
}
