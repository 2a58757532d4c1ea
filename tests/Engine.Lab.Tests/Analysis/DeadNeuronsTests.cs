using Engine.Lab.Analysis;
using Engine.Nn;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class DeadNeuronsTests
{
    // Layer 1 (ReLU): u0 = x0, u1 = x1, u2 = -x0 - x1 - 10 (negative for every sample below).
    // Layer 2 (ReLU): v = u0 - u1.
    private static Sequential TwoLayerNet() => new(
        HandSetLayers.Linear(new float[,] { { 1, 0 }, { 0, 1 }, { -1, -1 } }, [0, 0, -10]),
        new Relu(),
        HandSetLayers.Linear(new float[,] { { 1, -1, 0 } }, [0]),
        new Relu());

    // Per sample, u = (relu(x0), relu(x1), 0) and v = relu(u0 - u1):
    // (1,-1): u=(1,0,0) v=1 | (2,3): u=(2,3,0) v=0 | (-1,-2): u=0 v=0 | (0.5,0.5): u=(.5,.5,0) v=0.
    private static readonly float[,] Samples = { { 1, -1 }, { 2, 3 }, { -1, -2 }, { 0.5f, 0.5f } };

    private static void AssertKnownCounts(DeadNeuronReport r)
    {
        Assert.HasCount(2, r.Layers);
        var (first, second) = (r.Layers[0], r.Layers[1]);
        Assert.AreEqual("1", first.Name);
        Assert.AreEqual("3", second.Name);
        Assert.AreEqual(4, first.Samples);
        Assert.AreEqual(3, first.Units);
        CollectionAssert.AreEqual(new long[] { 3, 2, 0 }, first.ActiveCounts);
        Assert.AreEqual(7.0 / 12, first.ZeroFraction, 1e-12);
        Assert.AreEqual(1, first.DeadUnits);
        Assert.IsTrue(first.IsDead(2));
        Assert.IsFalse(first.IsDead(0));
        CollectionAssert.AreEqual(new long[] { 1 }, second.ActiveCounts);
        Assert.AreEqual(3.0 / 4, second.ZeroFraction, 1e-12);
        Assert.AreEqual(0, second.DeadUnits);
        Assert.AreEqual(10.0 / 16, r.ZeroFraction, 1e-12, "overall: zeros over all (sample, unit) pairs");
        Assert.AreEqual(1, r.DeadUnits);
        Assert.AreEqual(4, r.Units);
    }

    [TestMethod]
    public void MeasureCountsZerosPerLayerAndOverallInAnyBatching()
    {
        var net = TwoLayerNet();
        net.Train();
        AssertKnownCounts(DeadNeurons.Measure(net, HandSetLayers.Batch(Samples)));
        AssertKnownCounts(DeadNeurons.Measure(net, HandSetLayers.Batch(Samples), batchSize: 3));
        Assert.IsTrue(net.IsTraining, "the model's mode is restored");
        Assert.IsFalse(net[1].HasForwardHooks, "Measure removes its hooks");
    }

    [TestMethod]
    public void LeakyReluCountsItsNegativeSideAsZero()
    {
        var r = DeadNeurons.Measure(new Sequential(new LeakyRelu(0.1)), HandSetLayers.Batch(new float[,] { { -1, 2, 0 }, { -3, 4, 5 } }));
        Assert.AreEqual(3.0 / 6, r.ZeroFraction, 1e-12);
        CollectionAssert.AreEqual(new long[] { 0, 2, 1 }, r.Layers[0].ActiveCounts);
        Assert.AreEqual(1, r.DeadUnits);
    }

    [TestMethod]
    public void ConvolutionUnitsAreChannelPositionsWithPerChannelDeadCounts()
    {
        // Two samples [2 channels, 2, 2]: channel 0 never positive, channel 1 positive at position (0, 1) once.
        var x = Tensor.FromArray(new float[] { -1, -2, -3, -4, -1, 5, -1, 0, /* sample 2 */ -1, 0, -3, -4, -2, -2, -2, -2 }, 2, 2, 2, 2);
        var layer = DeadNeurons.Measure(new Sequential(new Relu()), x).Layers[0];
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, layer.UnitShape);
        Assert.AreEqual(8, layer.Units);
        Assert.AreEqual(7, layer.DeadUnits);
        CollectionAssert.AreEqual(new[] { 4, 3 }, layer.DeadPerChannel());
        Assert.AreEqual(15.0 / 16, layer.ZeroFraction, 1e-12);
    }

    [TestMethod]
    public void TrackerAccumulatesTrainingBatchesResetsAndDetaches()
    {
        var net = TwoLayerNet();
        net.Train();
        var x = HandSetLayers.Batch(Samples);
        var tracker = DeadNeurons.Track(net);
        using (TensorScope.Enter())
        {
            net.Forward(x.Narrow(0, 0, 1));
            net.Forward(x.Narrow(0, 1, 3)).Sum().Backward(); // a real training step: the hooks must not disturb autograd
        }
        net.Eval();
        net.Forward(x); // an evaluation pass, not counted by a training tracker
        AssertKnownCounts(tracker.Snapshot());

        tracker.Reset();
        var empty = tracker.Snapshot();
        Assert.AreEqual(0, empty.Layers[0].Samples);
        Assert.IsTrue(double.IsNaN(empty.ZeroFraction), "no samples: no rate");
        Assert.AreEqual(0, empty.DeadUnits, "no samples: nothing is known dead");

        net.Train();
        net.Forward(x);
        Assert.AreEqual(4, tracker.Snapshot().Layers[1].Samples);

        tracker.Dispose();
        Assert.IsFalse(net[1].HasForwardHooks);
        Assert.IsFalse(net[3].HasForwardHooks);
        net.Forward(x);
        Assert.AreEqual(4, tracker.Snapshot().Layers[1].Samples, "after Dispose the tracker sees nothing more");
    }

    [TestMethod]
    public void TrackerCanCountEvaluationPassesToo()
    {
        var net = TwoLayerNet();
        net.Eval();
        using var tracker = DeadNeurons.Track(net, trainingOnly: false);
        net.Forward(HandSetLayers.Batch(Samples));
        AssertKnownCounts(tracker.Snapshot());
    }

    [TestMethod]
    public void BadInputsAreClearErrors()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => DeadNeurons.Measure(new Sequential(new Tanh()), Tensor.Zeros(2, 3)));
        StringAssert.Contains(e.Message, "no activation layer");
        e = Assert.ThrowsExactly<ArgumentException>(() => DeadNeurons.Measure(TwoLayerNet(), Tensor.Zeros(0, 2)));
        StringAssert.Contains(e.Message, "(0,2)");
        Assert.ThrowsExactly<ArgumentException>(() => DeadNeurons.Measure(TwoLayerNet(), Tensor.Zeros(2, 2), batchSize: 0));
        var custom = DeadNeurons.Measure(new Sequential(new Tanh()), Tensor.Zeros(2, 3), isCodeLayer: m => m is Tanh);
        Assert.AreEqual(1.0, custom.ZeroFraction, "tanh(0) = 0 is not positive");
    }
}
