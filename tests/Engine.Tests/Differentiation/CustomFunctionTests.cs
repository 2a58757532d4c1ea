namespace Engine.Tests.Differentiation;

[TestClass]
public sealed class CustomFunctionTests
{
    /// <summary>y = a * x computed without the graph, with its backward written by hand.</summary>
    private static Tensor Scale(Tensor a, Tensor x)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = a * x;
        return Autograd.Function("Scale", y, [a, x], g => [(g * x).Sum(), g * a]);
    }

    [TestMethod]
    public void HandWrittenBackwardFeedsTheGraph()
    {
        var a = Tensor.Scalar(3, DType.Float64).RequiresGrad_();
        var x = Tensor.FromArray(new[] { 1.0, 2, 4 }).RequiresGrad_();
        var loss = (Scale(a, x * x) + x).Sum(); // d/dx = 2 a x + 1, d/da = sum x^2
        loss.Backward();
        CollectionAssert.AreEqual(new[] { 7.0, 13, 25 }, x.Grad!.ToArray<double>());
        Assert.AreEqual(21.0, a.Grad!.Item());
        Assert.AreEqual("Scale", loss.GradFn!.Inputs[0].GradFn!.Inputs[0].GradFn!.Name);
    }

    [TestMethod]
    public void NothingIsRecordedWithoutGradients()
    {
        var y = Scale(Tensor.Scalar(2, DType.Float64), Tensor.FromArray(new[] { 1.0, 2 }));
        Assert.IsNull(y.GradFn);
        Assert.IsFalse(y.RequiresGrad);
    }

    [TestMethod]
    public void AnOutputThatIsAlreadyInTheGraphIsRejected()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2 }).RequiresGrad_();
        var e = Assert.ThrowsExactly<ArgumentException>(() => Autograd.Function("Twice", x * 2, [x], g => [g * 2]));
        StringAssert.Contains(e.Message, "Twice");
    }
}
