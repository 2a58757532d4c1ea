using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>Activation layers: values against scalar formulas, PyTorch's printed names, the name parser used by the
/// command line, and custom functions.</summary>
[TestClass]
public sealed class ActivationTests
{
    private static readonly double[] Xs = [-3, -1.2, -0.3, 0.4, 1.1, 2.5];

    private static void Check(Activation a, Func<double, double> f, string repr)
    {
        Assert.AreEqual(repr, a.ToString());
        NnCheck.Close(Xs.Select(f).ToArray(), a.Forward(Tensor.FromArray(Xs)), 1e-12, repr);
        Assert.IsEmpty(a.StateDict());
    }

    [TestMethod]
    public void ElementwiseActivationsMatchTheirFormulas()
    {
        const double selu = 1.0507009873554804934193349852946, seluAlpha = 1.6732632423543772848170429916717;
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        Check(new Relu(), x => Math.Max(x, 0), "ReLU()");
        Check(new LeakyRelu(), x => x > 0 ? x : 0.01 * x, "LeakyReLU(negative_slope=0.01)");
        Check(new LeakyRelu(0.2), x => x > 0 ? x : 0.2 * x, "LeakyReLU(negative_slope=0.2)");
        Check(new Elu(), x => x > 0 ? x : Math.Exp(x) - 1, "ELU(alpha=1.0)");
        Check(new Elu(0.5), x => x > 0 ? x : 0.5 * (Math.Exp(x) - 1), "ELU(alpha=0.5)");
        Check(new Selu(), x => selu * (x > 0 ? x : seluAlpha * (Math.Exp(x) - 1)), "SELU()");
        Check(new Gelu("tanh"), x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), "GELU(approximate='tanh')");
        Check(new Silu(), x => x * Sigmoid(x), "SiLU()");
        Check(new Softplus(), Softplus, "Softplus(beta=1.0, threshold=20.0)");
        Check(new Softplus(2, 1), x => 2 * x > 1 ? x : Math.Log(1 + Math.Exp(2 * x)) / 2, "Softplus(beta=2.0, threshold=1.0)");
        Check(new Mish(), x => x * Math.Tanh(Softplus(x)), "Mish()");
        Check(new Tanh(), Math.Tanh, "Tanh()");
        Check(new Sigmoid(), Sigmoid, "Sigmoid()");
        Check(new HardTanh(), x => Math.Clamp(x, -1, 1), "Hardtanh(min_val=-1.0, max_val=1.0)");
        Check(new HardTanh(-2, 0.5), x => Math.Clamp(x, -2, 0.5), "Hardtanh(min_val=-2.0, max_val=0.5)");
    }

    [TestMethod]
    public void ExactGeluMatchesTheErfForm()
    {
        // x * Phi(x) needs erf, which .NET lacks: check against known values of the normal CDF, Phi(1) and Phi(-1).
        var gelu = new Gelu();
        Assert.AreEqual("GELU(approximate='none')", gelu.ToString());
        var y = gelu.Forward(Tensor.FromArray(new[] { 1.0, -1.0, 0.0 })).ToArray<double>();
        Assert.AreEqual(0.8413447460685429, y[0], 1e-12);
        Assert.AreEqual(-0.15865525393145707, y[1], 1e-12);
        Assert.AreEqual(0.0, y[2]);
        Assert.ThrowsExactly<ArgumentException>(() => new Gelu("fast"));
    }

    [TestMethod]
    public void SoftmaxLayersUseTheirDim()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 0, 0, 1 }, 2, 3);
        var sm = new Softmax(1);
        Assert.AreEqual("Softmax(dim=1)", sm.ToString());
        var e = new[] { Math.Exp(1), Math.Exp(2), Math.Exp(3), 1, 1, Math.E };
        double s0 = e[0] + e[1] + e[2], s1 = e[3] + e[4] + e[5];
        double[] expected = [e[0] / s0, e[1] / s0, e[2] / s0, e[3] / s1, e[4] / s1, e[5] / s1];
        NnCheck.Close(expected, sm.Forward(x), 1e-12);
        var lsm = new LogSoftmax(-1);
        Assert.AreEqual("LogSoftmax(dim=-1)", lsm.ToString());
        NnCheck.Close(expected.Select(v => Math.Log(v)).ToArray(), lsm.Forward(x), 1e-12);
        // Along dim 0 each column sums to one.
        NnCheck.Close([1, 1, 1], new Softmax(0).Forward(x).Sum(0), 1e-12);
    }

    [TestMethod]
    public void FromNameParsesEveryKnownName()
    {
        var expected = new Dictionary<string, Type>
        {
            ["relu"] = typeof(Relu), ["tanh"] = typeof(Tanh), ["gelu"] = typeof(Gelu), ["leaky_relu"] = typeof(LeakyRelu),
            ["elu"] = typeof(Elu), ["selu"] = typeof(Selu), ["silu"] = typeof(Silu), ["softplus"] = typeof(Softplus),
            ["mish"] = typeof(Mish), ["sigmoid"] = typeof(Sigmoid), ["hardtanh"] = typeof(HardTanh),
        };
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), Activation.KnownNames.ToArray());
        foreach (var (name, type) in expected)
        {
            Assert.IsInstanceOfType(Activation.FromName(name), type, name);
            Assert.IsInstanceOfType(Activation.FromName(" " + name.ToUpperInvariant()), type, name);
        }
        Assert.AreNotSame(Activation.FromName("relu"), Activation.FromName("relu"), "each call makes a new layer");
        var e = Assert.ThrowsExactly<ArgumentException>(() => Activation.FromName("swish"));
        StringAssert.Contains(e.Message, "'swish'");
        foreach (var name in expected.Keys) StringAssert.Contains(e.Message, name);
    }

    [TestMethod]
    public void CustomActivationsWrapAFunction()
    {
        var square = Activation.Of(t => t.Square(), "Square");
        Assert.AreEqual("Square()", square.ToString());
        Assert.AreEqual("Custom()", Activation.Of(t => t).ToString());
        NnCheck.Close([9, 0.25], square.Forward(Tensor.FromArray(new[] { -3.0, 0.5 })));
        var model = new Sequential(new Linear(2, 3), square, new Linear(3, 1));
        Assert.AreEqual(1, model.Modules().OfType<Activation>().Count(), "analysis code finds the custom activation by type");
    }

    [TestMethod]
    public void ActivationsPassGradientsThrough()
    {
        foreach (var a in new Activation[] { new Elu(0.7), new Gelu(), new Silu(), new Softplus(1.5), new Mish(), new LogSoftmax(1) })
        {
            var r = GradCheck.Run(ts => a.Forward(ts[0]), [Tensor.FromArray(Xs, 2, 3)]);
            Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{a}: {r}");
        }
    }
}
