using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class PadTests
{
    private static readonly Tensor X1 = Tensor.FromArray(new double[] { 1, 2, 3 });

    private static readonly Tensor X2 = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

    private static void Expect(double[] values, int[] shape, Tensor y, string what)
    {
        CollectionAssert.AreEqual(shape, y.Shape.ToArray(), what + " shape");
        CollectionAssert.AreEqual(values, y.ToArray<double>(), what);
    }

    [TestMethod]
    public void ConstantPadsAndCropsOneDim()
    {
        Expect([0, 0, 1, 2, 3, 0], [6], X1.Pad([2, 1]), "zeros");
        Expect([9, 1, 2, 3, 9, 9], [6], X1.Pad([1, 2], PadMode.Constant, 9), "value 9");
        Expect([2, 3, 0], [3], X1.Pad([-1, 1]), "crop before, pad after");
        Expect([2], [1], X1.Pad([-1, -1]), "crop both sides");
        Expect([5, 5], [2], X1.Pad([-3, 2], PadMode.Constant, 5), "crop everything");
        Expect([1, 2, 3], [3], X1.Pad([0, 0]), "no padding");
    }

    [TestMethod]
    public void ConstantPadsTwoTrailingDims()
    {
        Expect([0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0], [3, 4], X2.Pad([1, 0, 0, 1]), "(1,0,0,1)");
        Expect([2, 3, -1], [1, 3], X2.Pad([-1, 1, 0, -1], PadMode.Constant, -1), "crop a row and a column");
        var batch = Tensor.Stack([X2, X2 * 10]);
        Expect([0, 1, 2, 3, 0, 4, 5, 6, 0, 10, 20, 30, 0, 40, 50, 60], [2, 2, 4], batch.Pad([1, 0]), "batch dim untouched");
        Expect([0, 1, 4, 0, 2, 5, 0, 3, 6], [3, 3], X2.T.Pad([1, 0]), "transposed input");
    }

    [TestMethod]
    public void ReflectPads()
    {
        Expect([3, 2, 1, 2, 3, 2, 1], [7], X1.Pad([2, 2], PadMode.Reflect), "1-D");
        Expect([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2], [4, 5], X2.Pad([1, 1, 1, 1], PadMode.Reflect), "2-D");
        Expect([2, 1, 2, 3, 5, 4, 5, 6], [2, 4], X2.Pad([1, 0], PadMode.Reflect), "last dim only");
    }

    [TestMethod]
    public void ReplicatePads()
    {
        Expect([1, 1, 1, 2, 3, 3], [6], X1.Pad([2, 1], PadMode.Replicate), "1-D");
        Expect([1, 1, 2, 3, 3, 3, 1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 6, 6], [3, 6], X2.Pad([1, 2, 1, 0], PadMode.Replicate), "2-D");
    }

    [TestMethod]
    public void CircularPads()
    {
        Expect([2, 3, 1, 2, 3, 1, 2, 3], [8], X1.Pad([2, 3], PadMode.Circular), "1-D");
        Expect([6, 4, 5, 6, 4, 3, 1, 2, 3, 1, 6, 4, 5, 6, 4, 3, 1, 2, 3, 1], [4, 5], X2.Pad([1, 1, 1, 1], PadMode.Circular), "2-D");
        Expect([4, 1, 4, 5, 2, 5, 6, 3, 6], [3, 3], X2.T.Pad([1, 0], PadMode.Circular), "transposed input");
    }

    [TestMethod]
    public void PadGradCheck()
    {
        var g = new Generator(81);
        var x = OpCheck.Randn(g, 2, 3, 4);
        OpCheck.Grad(t => t[0].Pad([1, 2, 0, 1]), x);
        OpCheck.Grad(t => t[0].Pad([-1, 2, 1, -2], PadMode.Constant, 3), x);
        OpCheck.Grad(t => t[0].Transpose(1, 2).Pad([2, -1]), x);
        OpCheck.Grad(t => t[0].Pad([2, 1, 1, 2], PadMode.Reflect), x);
        OpCheck.Grad(t => t[0].Pad([3, 0, 2, 2], PadMode.Replicate), x);
        OpCheck.Grad(t => t[0].Pad([4, 1, 3, 0], PadMode.Circular), x);
        OpCheck.Grad(t => t[0].Slice(2, 0, 4, 2).Pad([1, 1], PadMode.Reflect), x);
    }

    [TestMethod]
    public void ConstantPadHasDoubleBackward()
    {
        var x = OpCheck.Randn(new Generator(82), 2, 3);
        OpCheck.Grad(t =>
        {
            using (Autograd.EnableGrad())
            {
                var leaf = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
                return Autograd.Grad([leaf.Pad([1, -1, 0, 2]).Square().Sum()], [leaf], createGraph: true)[0]!;
            }
        }, x);
    }

    [TestMethod]
    public void BadPaddingThrows()
    {
        OpCheck.Throws<ArgumentException>(() => X2.Pad([1, 2, 3]), "Pad", "(2,3)", "3 values");
        OpCheck.Throws<ArgumentException>(() => X1.Pad([1, 1, 1, 1]), "Pad", "(3)");
        OpCheck.Throws<ArgumentException>(() => X1.Pad([-2, -2]), "Pad", "negative size");
        OpCheck.Throws<ArgumentException>(() => X1.Pad([3, 0], PadMode.Reflect), "Pad", "reflect", "3");
        OpCheck.Throws<ArgumentException>(() => X1.Pad([-1, 0], PadMode.Replicate), "Pad", "non-negative");
        OpCheck.Throws<ArgumentException>(() => X1.Pad([4, 0], PadMode.Circular), "Pad", "circular", "3");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Pad([1, 1], PadMode.Replicate), "Pad", "empty");
    }
}
