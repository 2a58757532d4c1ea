using Engine.Backends;
using Engine.Nn;

namespace Engine.Tests.Ops;

/// <summary>Linear with a fused bias + activation epilogue equals the unfused composition, in value and gradient
/// (including second derivatives), and Sequential fuses only unobserved Linear + activation pairs.</summary>
[TestClass]
public sealed class FusedLinearTests
{
    public static IEnumerable<object[]> Activations =>
    [
        [UnaryOp.Relu, 0.0],
        [UnaryOp.LeakyRelu, 0.1],
        [UnaryOp.Tanh, 0.0],
        [UnaryOp.Sigmoid, 0.0],
    ];

    private static Tensor Apply(UnaryOp op, double alpha, Tensor z) => op switch
    {
        UnaryOp.Relu => z.Relu(),
        UnaryOp.LeakyRelu => z.LeakyRelu(alpha),
        UnaryOp.Tanh => z.Tanh(),
        _ => z.Sigmoid(),
    };

    [TestMethod]
    [DynamicData(nameof(Activations))]
    public void FusedEqualsUnfusedInValueAndGradient(UnaryOp op, double alpha)
    {
        var g = new Generator(3);
        var x = Tensor.Randn([2, 3, 5], DType.Float64, g);
        var w = Tensor.Randn([4, 5], DType.Float64, g);
        var b = Tensor.Randn([4], DType.Float64, g);
        var fused = Tensor.Linear(x, w, b, op, alpha);
        var plain = Apply(op, alpha, Tensor.Linear(x, w, b));
        Assert.IsTrue(fused.AllClose(plain, 1e-14, 1e-14));
        var r = GradCheck.Run(t => Tensor.Linear(t[0], t[1], t[2], op, alpha).Square().Sum(), [x, w, b]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
        // Double backward through the fused op (the gradient of a gradient norm).
        var r2 = GradCheck.Run(t =>
        {
            // GradCheck's numeric pass calls this under no-grad with plain inputs: take the inner gradient with
            // respect to a leaf then (its value is all that pass needs).
            using var grad = Autograd.EnableGrad();
            var xin = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
            var y = Tensor.Linear(xin, t[1], t[2], op, alpha).Square().Sum();
            return Autograd.Grad([y], [xin], createGraph: true)[0]!.Square().Sum();
        }, [x, w, b]);
        Assert.IsLessThanOrEqualTo(1e-6, r2.MaxError, r2.ToString());
    }

    [TestMethod]
    public void ActivationsWhoseDerivativeNeedsTheInputAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Linear(Tensor.Ones(2, 3), Tensor.Ones(4, 3), null, UnaryOp.Gelu));
        StringAssert.Contains(ex.Message, "Gelu");
    }

    [TestMethod]
    public void SequentialFusesOnlyUnobservedPairs()
    {
        var model = new Sequential(new Linear(5, 4, generator: new Generator(1)), new Tanh(), new Linear(4, 2, generator: new Generator(2)));
        var x = Tensor.Randn([3, 5], DType.Float32, new Generator(4));
        var fused = model.Forward(x);
        Assert.AreEqual("LinearActivation", model.Forward(x).GradFn is { } n ? FirstLinearNode(n) : null);
        string? seen = null;
        using (model[1].RegisterForwardHook((_, _, output) => seen = ((Tensor)output!).GradFn!.Name))
        {
            var observed = model.Forward(x);
            Assert.AreEqual("Tanh", seen, "a hooked activation runs as its own module and sees its own output");
            Assert.IsTrue(observed.AllClose(fused, 1e-6, 1e-6));
        }

        static string? FirstLinearNode(Node output) => output.Inputs[0].GradFn?.Name;
    }
}
