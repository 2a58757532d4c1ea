namespace Engine.Tests.Differentiation;



[TestClass]
public sealed class AutogradTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v);

    [TestMethod]
    public void GradientsAccumulateIntoLeaves()
    {
        var x = Vec(1, 2, 3).RequiresGrad_();
        var y = (x * x + x).Sum(); // dy/dx = 2x + 1, x used twice
        y.Backward(retainGraph: true);
        CollectionAssert.AreEqual(new[] { 3.0, 5, 7 }, x.Grad!.ToArray<double>());
        y.Backward();
        CollectionAssert.AreEqual(new[] { 6.0, 10, 14 }, x.Grad!.ToArray<double>(), "a second backward accumulates");
    }

    [TestMethod]
    public void SecondBackwardWithoutRetainGraphThrows()
    {
        var x = Vec(1, 2).RequiresGrad_();
        var y = x.Exp().Sum();
        y.Backward();
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => y.Backward());
        StringAssert.Contains(ex.Message, "retainGraph");
    }

    [TestMethod]
    public void GradientsOfSiblingLeavesAreNotAliased()
    {
        var a = Vec(1, 2).RequiresGrad_();
        var b = Vec(3, 4).RequiresGrad_();
        (a + b).Sum().Backward();
        Assert.AreNotSame(a.Grad, b.Grad);
        using (Autograd.NoGrad()) a.Grad!.Mul_(10);
        CollectionAssert.AreEqual(new[] { 1.0, 1 }, b.Grad!.ToArray<double>());
    }

    [TestMethod]
    public void NoGradAndDetachRecordNothing()
    {
        var x = Vec(1, 2).RequiresGrad_();
        using (Autograd.NoGrad())
        {
            var y = x * 2;
            Assert.IsFalse(y.RequiresGrad);
            Assert.IsNull(y.GradFn);
            Assert.IsFalse(Autograd.IsEnabled);
        }
        Assert.IsTrue(Autograd.IsEnabled);
        var d = (x * 2).Detach();
        Assert.IsFalse(d.RequiresGrad);
        Assert.IsTrue(d.IsLeaf);
        var z = x * 3;
        Assert.IsTrue(z.RequiresGrad);
        Assert.AreEqual("Affine", z.GradFn!.Name);
    }

    [TestMethod]
    public void BackwardOfNonScalarNeedsAGradient()
    {
        var x = Vec(1, 2, 3).RequiresGrad_();
        var y = x * x;
        var ex = Assert.ThrowsExactly<ArgumentException>(() => y.Backward());
        StringAssert.Contains(ex.Message, "(3)");
        y.Backward(Vec(1, 0, 2));
        CollectionAssert.AreEqual(new[] { 2.0, 0, 12 }, x.Grad!.ToArray<double>());
        var bad = Assert.ThrowsExactly<ArgumentException>(() => (x * x).Backward(Vec(1, 2)));
        StringAssert.Contains(bad.Message, "(2)");
        Assert.ThrowsExactly<InvalidOperationException>(() => Vec(1.0).Sum().Backward());
    }

    [TestMethod]
    public void HooksSeeAndReplaceGradients()
    {
        var x = Vec(1, 2).RequiresGrad_();
        Tensor? seen = null;
        using (x.RegisterHook(g => g * 10)) // leaf hook: replaces the gradient
        {
            var h = x * x;
            h.RegisterHook(g =>
            {
                seen = g;
                return null; // observe only
            });
            h.Sum().Backward();
        }
        CollectionAssert.AreEqual(new[] { 1.0, 1 }, seen!.ToArray<double>());
        CollectionAssert.AreEqual(new[] { 20.0, 40 }, x.Grad!.ToArray<double>());
        x.Grad = null;
        (x * x).Sum().Backward(); // the disposed hook is gone
        CollectionAssert.AreEqual(new[] { 2.0, 4 }, x.Grad!.ToArray<double>());
    }

    [TestMethod]
    public void RetainGradKeepsIntermediateGradients()
    {
        var x = Vec(1, 2).RequiresGrad_();
        var h = x.Exp();
        h.RetainGrad();
        (h * 3).Sum().Backward();
        CollectionAssert.AreEqual(new[] { 3.0, 3 }, h.Grad!.ToArray<double>());
        Assert.IsNull((x * 2).Grad);
    }

    [TestMethod]
    public void FunctionalGradLeavesDotGradAlone()
    {
        var x = Vec(1, 2).RequiresGrad_();
        var w = Vec(3, 4).RequiresGrad_();
        var y = (x * w).Sum();
        var grads = Autograd.Grad([y], [x, w]);
        CollectionAssert.AreEqual(new[] { 3.0, 4 }, grads[0]!.ToArray<double>());
        CollectionAssert.AreEqual(new[] { 1.0, 2 }, grads[1]!.ToArray<double>());
        Assert.IsNull(x.Grad);
        Assert.IsNull(w.Grad);
        var unused = Vec(5).RequiresGrad_();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Autograd.Grad([(x * 2).Sum()], [x, unused]));
        StringAssert.Contains(ex.Message, "allowUnused");
        Assert.IsNull(Autograd.Grad([(x * 2).Sum()], [x, unused], allowUnused: true)[1]);
    }

    [TestMethod]
    public void GradOfNonLeafInput()
    {
        var x = Vec(0.5, -1).RequiresGrad_();
        var h = x.Tanh();
        var y = (h * h).Sum();
        var gh = Autograd.Grad(y, h);
        CollectionAssert.AreEqual(h.ToArray<double>().Select(v => 2 * v).ToArray(), gh.ToArray<double>());
    }

    [TestMethod]
    public void CreateGraphGivesHigherDerivatives()
    {
        var x = Vec(0.3, -1.2, 2).RequiresGrad_();
        var y = (x * x * x).Sum() + x.Sin().Sum();
        var g = Autograd.Grad([y], [x], createGraph: true)[0]!; // 3x^2 + cos x
        var gg = Autograd.Grad([g.Sum()], [x])[0]!; // 6x - sin x
        var xs = x.ToArray<double>();
        var expected = xs.Select(v => 6 * v - Math.Sin(v)).ToArray();
        var actual = gg.ToArray<double>();
        for (var i = 0; i < 3; i++) Assert.AreEqual(expected[i], actual[i], 1e-12);
    }

    [TestMethod]
    public void JacobianAndVjp()
    {
        var x = Vec(1, 2, 3);
        var jac = Autograd.Jacobian(t => (t * t).Cumsum(0), x); // J[i,j] = 2 x_j for j <= i
        CollectionAssert.AreEqual(new[] { 3, 3 }, jac.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2.0, 0, 0, 2, 4, 0, 2, 4, 6 }, jac.ToArray<double>());
        var (output, vjp) = Autograd.Vjp(t => t[0].Matmul(t[1]), [Tensor.Eye(2, null, DType.Float64) * 2, Vec(1, 1)], Vec(1, -1));
        CollectionAssert.AreEqual(new[] { 2.0, 2 }, output.ToArray<double>());
        CollectionAssert.AreEqual(new[] { 1.0, 1, -1, -1 }, vjp[0].ToArray<double>());
        CollectionAssert.AreEqual(new[] { 2.0, -2 }, vjp[1].ToArray<double>());
        Assert.IsFalse(x.RequiresGrad, "functional transforms leave the caller's tensor alone");
    }

    [TestMethod]
    public void LongChainsDoNotOverflowTheStack()
    {
        var x = Vec(1.0).RequiresGrad_();
        var y = x;
        for (var i = 0; i < 20_000; i++) y = y * 1.0001 + 0.0;
        y.Sum().Backward();
        Assert.AreEqual(Math.Pow(1.0001, 20_000), x.Grad!.Item(), 1e-9);
    }

    [TestMethod]
    public void InPlaceWritesToGraphTensorsAreRejected()
    {
        var x = Vec(1, 2).RequiresGrad_();
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => x.Add_(1.0));
        StringAssert.Contains(ex.Message, "NoGrad");
        using (Autograd.NoGrad()) x.Add_(1.0);
        CollectionAssert.AreEqual(new[] { 2.0, 3 }, x.ToArray<double>());
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromArray(new[] { 1, 2 }).RequiresGrad_());
        Assert.ThrowsExactly<InvalidOperationException>(() => (x * 2).RequiresGrad = false);
    }

    [TestMethod]
    public void GradCheckDetectsAWrongGradient()
    {
        // A deliberately wrong backward formula must fail the check, so the checks elsewhere can fail too.
        var r = GradCheck.Run(t => WrongSquare(t[0]).Sum(), [Vec(0.5, 1.5)]);
        Assert.IsGreaterThan(0.1, r.MaxError, r.ToString());

        static Tensor WrongSquare(Tensor x)
        {
            var y = (x.Detach() * x.Detach()).Detach();
            return y.Record("WrongSquare", [x], g => [g * x * 3]);
        }
    }
}
