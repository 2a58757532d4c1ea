using Engine.Nn;
using Engine.Tests.Ops;

namespace Engine.Tests.NnTests;

[TestClass]
public sealed class LossModuleTests
{
    [TestMethod]
    public void ModulesApplyTheirFunctionWithTheirOptions()
    {
        var g = new Generator(21);
        var x = OpCheck.Randn(g, 4, 3);
        var y = OpCheck.Randn(g, 4, 3);
        var classes = Tensor.FromArray(new long[] { 2, 0, 1, -1 });
        var w = Tensor.FromArray(new[] { 1.0, 2.0, 0.5 });
        var probs = x.Sigmoid();
        var targets01 = y.Gt(0).To(DType.Float64);
        (Loss Module, Tensor Input, Tensor Target, Tensor Expected)[] cases =
        [
            (new CrossEntropyLoss(w, ignoreIndex: -1, labelSmoothing: 0.1), x, classes, Losses.CrossEntropy(x, classes, w, -1, labelSmoothing: 0.1)),
            (new NllLoss(w, ignoreIndex: -1, reduction: Reduction.Sum), x.LogSoftmax(1), classes, Losses.Nll(x.LogSoftmax(1), classes, w, -1, Reduction.Sum)),
            (new MseLoss(Reduction.None), x, y, Losses.Mse(x, y, Reduction.None)),
            (new L1Loss(), x, y, Losses.L1(x, y)),
            (new SmoothL1Loss(beta: 0.5), x, y, Losses.SmoothL1(x, y, beta: 0.5)),
            (new HuberLoss(delta: 2), x, y, Losses.Huber(x, y, delta: 2)),
            (new BceLoss(w), probs, targets01, Losses.Bce(probs, targets01, w)),
            (new BceWithLogitsLoss(posWeight: w), x, targets01, Losses.BceWithLogits(x, targets01, posWeight: w)),
            (new MultiMarginLoss(p: 2, margin: 0.5), x, classes.Abs(), Losses.MultiMargin(x, classes.Abs(), 2, 0.5)),
            (new HingeLoss(), x, targets01 * 2 - 1, Losses.Hinge(x, targets01 * 2 - 1)),
            (new KlDivLoss(Reduction.BatchMean), x.LogSoftmax(1), y.Softmax(1), Losses.KlDiv(x.LogSoftmax(1), y.Softmax(1), Reduction.BatchMean)),
        ];
        foreach (var (module, input, target, expected) in cases)
            OpCheck.Close(RefArray.Of(expected), module.Forward(input, target), 0, module.TypeName);
    }

    [TestMethod]
    public void WeightsAreBuffersWithPyTorchNamesAndHooksSeeThePair()
    {
        var w = Tensor.FromArray(new[] { 1.0, 2.0 });
        var loss = new BceWithLogitsLoss(w, posWeight: Tensor.FromArray(new[] { 3.0, 1.0 }));
        CollectionAssert.AreEqual(new[] { "weight", "pos_weight" }, loss.StateDict().Keys.ToArray());
        Assert.AreEqual("BCEWithLogitsLoss()", loss.ToString());
        Assert.AreEqual("CrossEntropyLoss()", new CrossEntropyLoss().ToString());
        Assert.IsEmpty(new CrossEntropyLoss().StateDict());

        object? seen = null;
        using (loss.RegisterForwardHook((_, input, output) => seen = input))
            loss.Forward(Tensor.Zeros([3, 2], DType.Float64), Tensor.Ones([3, 2], DType.Float64));
        Assert.IsInstanceOfType<(Tensor, Tensor)>(seen);
    }
}
