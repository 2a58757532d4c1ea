using Engine.Optim;

namespace Engine.Tests.OptimTests;

[TestClass]
public sealed class GradClipTests
{
    private static Tensor WithGrad(double[] grad)
    {
        var p = Tensor.Zeros([grad.Length], DType.Float64, requiresGrad: true);
        p.Grad = Tensor.FromArray(grad);
        return p;
    }

    [TestMethod]
    public void ClipGradNormScalesAllGradientsTogether()
    {
        // Gradients (3, 4) and (12): total 2-norm 13.
        var (a, b, none) = (WithGrad([3, 4]), WithGrad([12]), Tensor.Zeros([2], DType.Float64, requiresGrad: true));
        var total = GradClip.ClipGradNorm([a, b, none], maxNorm: 6.5);
        Assert.AreEqual(13, total.Item(), 1e-12);
        var coef = 6.5 / (13 + 1e-6);
        CollectionAssert.AreEqual(new[] { 3 * coef, 4 * coef }, a.Grad!.ToArray<double>());
        CollectionAssert.AreEqual(new[] { 12 * coef }, b.Grad!.ToArray<double>());
        Assert.IsNull(none.Grad);

        // Below the bound nothing changes.
        var c = WithGrad([0.3, -0.4]);
        Assert.AreEqual(0.5, GradClip.ClipGradNorm([c], 1).Item(), 1e-15);
        CollectionAssert.AreEqual(new[] { 0.3, -0.4 }, c.Grad!.ToArray<double>());
    }

    [TestMethod]
    public void ClipGradNormTakesOtherNormTypes()
    {
        var (a, b) = (WithGrad([3, -7]), WithGrad([5]));
        Assert.AreEqual(7, GradClip.ClipGradNorm([a, b], 3.5, double.PositiveInfinity).Item(), 1e-15);
        var coef = 3.5 / (7 + 1e-6);
        CollectionAssert.AreEqual(new[] { 3 * coef, -7 * coef }, a.Grad!.ToArray<double>());

        var (c, d) = (WithGrad([3, -7]), WithGrad([5]));
        Assert.AreEqual(15, GradClip.ClipGradNorm([c, d], 30, 1).Item(), 1e-15);
        CollectionAssert.AreEqual(new[] { 3.0, -7.0 }, c.Grad!.ToArray<double>());

        var f32 = Tensor.Zeros([2], DType.Float32, requiresGrad: true);
        f32.Grad = Tensor.FromArray(new[] { 6f, 8f });
        Assert.AreEqual(10, GradClip.ClipGradNorm([f32], 5).Item(), 1e-5);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, f32.Grad!.ToArray<float>().Select(v => MathF.Round(v, 5)).ToArray());
    }

    [TestMethod]
    public void NonFiniteNormsAndNoGradients()
    {
        Assert.AreEqual(0, GradClip.ClipGradNorm([Tensor.Zeros([2], DType.Float32, requiresGrad: true)], 1).Item());
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => GradClip.ClipGradNorm([WithGrad([1, double.NaN])], 1, errorIfNonfinite: true));
        StringAssert.Contains(e.Message, "NaN");
        Assert.ThrowsExactly<ArgumentException>(() => GradClip.ClipGradNorm([WithGrad([1])], -1));
    }

    [TestMethod]
    public void ClipGradValueClampsEachElement()
    {
        var a = WithGrad([-3, 0.2, 5, -0.5]);
        GradClip.ClipGradValue([a, Tensor.Zeros([1], DType.Float64, requiresGrad: true)], 0.5);
        CollectionAssert.AreEqual(new[] { -0.5, 0.2, 0.5, -0.5 }, a.Grad!.ToArray<double>());
    }
}
