using Engine.Lab.Analysis;
using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class ActivationCodesTests
{
    private static readonly double[,] W1 = { { 1, 0 }, { 0, 1 }, { 1, -1 } };
    private static readonly double[] B1 = [0, -0.5, 0.25];
    private static readonly double[,] W2 = { { 1, 1, 0 }, { 0, -1, 1 } };
    private static readonly double[] B2 = [-1, 0];
    private static readonly float[,] Inputs = { { 1, 1 }, { -1, 2 }, { 0.2f, -0.3f }, { 2, -1 }, { 0.5f, 0.6f } };

    private static Linear HandLinear(double[,] w, double[] b)
    {
        var linear = new Linear(w.GetLength(1), w.GetLength(0));
        using (Autograd.NoGrad())
        {
            linear.Weight.CopyFrom_(Tensor.FromArray(w).Float());
            linear.Bias!.CopyFrom_(Tensor.FromArray(b).Float());
        }
        return linear;
    }

    /// <summary>Linear(2,3) -> ReLU -> Linear(3,2) -> LeakyReLU -> Linear(2,1), hand-set weights.</summary>
    private static Sequential HandMlp() =>
        new(HandLinear(W1, B1), new Relu(), HandLinear(W2, B2), new LeakyRelu(0.1), HandLinear(new double[,] { { 1, -1 } }, [0]));

    private static double[] Affine(double[,] w, double[] b, double[] x) =>
        [.. Enumerable.Range(0, b.Length).Select(o => b[o] + Enumerable.Range(0, x.Length).Sum(i => w[o, i] * x[i]))];

    /// <summary>The code of each input by a forward pass over double arrays: the 3 ReLU bits, then the 2 LeakyReLU
    /// bits (LeakyReLU is positive exactly where its input is).</summary>
    private static string[] ManualCodes()
    {
        var codes = new string[Inputs.GetLength(0)];
        for (var n = 0; n < codes.Length; n++)
        {
            var pre1 = Affine(W1, B1, [Inputs[n, 0], Inputs[n, 1]]);
            var pre2 = Affine(W2, B2, [.. pre1.Select(v => Math.Max(v, 0))]);
            codes[n] = string.Concat(pre1.Concat(pre2).Select(v => v > 0 ? '1' : '0'));
        }
        return codes;
    }

    private static string[] Rows(CodeMatrix m) =>
        [.. Enumerable.Range(0, m.Rows).Select(i => string.Concat(Enumerable.Range(0, m.Bits).Select(j => m[i, j] ? '1' : '0')))];

    [TestMethod]
    public void MlpCodesMatchAManualForwardPass()
    {
        var expected = ManualCodes();
        // The hand-made case must exercise both values of every bit, or it could not catch a swapped layer.
        for (var j = 0; j < 5; j++) Assert.AreEqual(2, expected.Select(c => c[j]).Distinct().Count(), $"bit {j} is constant in the test case");
        foreach (var batch in new[] { 1000, 2 })
        {
            var collected = ActivationCodes.Collect(HandMlp(), Tensor.FromArray(Inputs), batch);
            CollectionAssert.AreEqual(expected, Rows(collected.Codes), $"batch {batch}");
            Assert.AreEqual(new LayerCodes("1", 3), collected.Layers[0]);
            Assert.AreEqual(new LayerCodes("3", 2), collected.Layers[1]);
            Assert.AreEqual(2, collected.Layers.Count);
        }
    }

    [TestMethod]
    public void HookOnActivationMakesAFusedPairObservable()
    {
        // Unhooked, Sequential runs Linear+ReLU as one fused op and the ReLU module never runs; a hook must see its
        // output, equal to relu of the linear layer's output.
        var model = new Sequential(HandLinear(W1, B1), new Relu());
        var x = Tensor.FromArray(Inputs);
        Tensor? seen = null;
        using (model[1].RegisterForwardHook((_, _, output) => seen = (Tensor)output!))
            model.Forward(x);
        Assert.IsNotNull(seen);
        var expected = model[0].Forward(x).Relu().ToArray<float>();
        CollectionAssert.AreEqual(expected, seen.ToArray<float>());
        Assert.IsFalse(model[1].HasForwardHooks, "the hook handle must remove the hook");
        Assert.IsTrue(ActivationLayers.Find(model).Single().Module is Relu);
    }

    [TestMethod]
    public void CollectUsesEvalModeAndRestoresEveryFlag()
    {
        // Dropout 0.9 in training mode would zero most units; in eval mode it is the identity.
        var model = new Sequential(HandLinear(W1, B1), new Dropout(0.9, new Generator(1)), new Relu());
        model.Train();
        model[0].Eval();
        var collected = ActivationCodes.Collect(model, Tensor.FromArray(Inputs));
        CollectionAssert.AreEqual(ManualCodes().Select(c => c[..3]).ToArray(), Rows(collected.Codes));
        Assert.IsTrue(model.IsTraining);
        Assert.IsFalse(model[0].IsTraining);
        Assert.IsTrue(model[1].IsTraining);
        Assert.IsFalse(model[2].HasForwardHooks);
    }

    [TestMethod]
    public void CnnCodesHaveABitPerChannelAndPosition()
    {
        var conv = new Conv2d(1, 2, 2);
        double[,,,] kernel = { { { { 1, 1 }, { 1, 1 } } }, { { { 1, -1 }, { 0, 2 } } } };
        double[] bias = [-1, 0.5];
        using (Autograd.NoGrad())
        {
            conv.Weight.CopyFrom_(Tensor.FromArray(kernel).Float());
            conv.Bias!.CopyFrom_(Tensor.FromArray(bias).Float());
        }
        var model = new Sequential(conv, new Relu(), new Flatten(), new Linear(8, 2, generator: new Generator(2)));
        var rng = new Random(5);
        var images = new float[3, 1, 3, 3];
        for (var n = 0; n < 3; n++)
            for (var y = 0; y < 3; y++)
                for (var x = 0; x < 3; x++)
                    images[n, 0, y, x] = (float)Math.Round(rng.NextDouble() * 2 - 1, 2);
        var collected = ActivationCodes.Collect(model, Tensor.FromArray(images));
        Assert.AreEqual(new LayerCodes("1", 8), collected.Layers.Single());
        for (var n = 0; n < 3; n++)
            for (var c = 0; c < 2; c++)
                for (var y = 0; y < 2; y++)
                    for (var x = 0; x < 2; x++)
                    {
                        var pre = bias[c];
                        for (var ky = 0; ky < 2; ky++)
                            for (var kx = 0; kx < 2; kx++)
                                pre += kernel[c, 0, ky, kx] * images[n, 0, y + ky, x + kx];
                        Assert.AreEqual(pre > 0, collected.Codes[n, c * 4 + y * 2 + x], $"sample {n}, channel {c}, position ({y}, {x}): {pre}");
                    }
    }

    [TestMethod]
    public void MlpModelWithBatchNormAndCustomCodeLayers()
    {
        var model = new Mlp(4, [5, 3], 2, activation: () => new Tanh(), batchNorm: true, generator: new Generator(7));
        var x = Tensor.Randn([6, 4], DType.Float32, new Generator(8));
        var e = Assert.ThrowsExactly<ArgumentException>(() => ActivationCodes.Collect(model, x));
        StringAssert.Contains(e.Message, "no code layers");
        var collected = ActivationCodes.Collect(model, x, isCodeLayer: m => m is Tanh);
        CollectionAssert.AreEqual(new[] { new LayerCodes("2", 5), new LayerCodes("5", 3) }, collected.Layers.ToArray());
        Assert.IsTrue(model.IsTraining);
        model.Eval();
        using (Autograd.NoGrad())
        {
            var first = model[2].Forward(model[1].Forward(model[0].Forward(x)));
            var second = model[5].Forward(model[4].Forward(model[3].Forward(first)));
            var expected = CodeMatrix.FromPositive(Tensor.Cat([first, second], 1));
            CollectionAssert.AreEqual(Rows(expected), Rows(collected.Codes));
        }
    }

    [TestMethod]
    public void BadInputsAreClearErrors()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ActivationCodes.Collect(HandMlp(), Tensor.Zeros(0, 2)));
        StringAssert.Contains(e.Message, "(0,2)");
        e = Assert.ThrowsExactly<ArgumentException>(() => ActivationCodes.Collect(HandMlp(), Tensor.FromArray(Inputs), batchSize: 0));
        StringAssert.Contains(e.Message, "batchSize");
    }
}
