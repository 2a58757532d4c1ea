using Engine.Data;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Tests.OptimTests;

/// <summary>The pieces together, in the order a training step runs them: forward, loss, backward, clipping,
/// (noise inside) the optimizer step, the scheduler step.</summary>
[TestClass]
public sealed class TrainingLoopTests
{
    [TestMethod]
    public void SoftmaxRegressionLearnsDigitsWithEveryPiece()
    {
        var data = EmbeddedDataSets.Digits();
        var gen = new Generator(3);
        var perm = Tensor.RandPerm(data.Samples, gen);
        var x = data.Features.IndexSelect(0, perm) / 16.0;
        var y = data.Labels.IndexSelect(0, perm);
        const int train = 1400;
        var model = new Linear(64, 10, generator: gen);
        var lossFn = new CrossEntropyLoss(labelSmoothing: 0.05);
        var optimizer = new AdamW(model.Parameters(), lr: 0.05) { GradientNoise = new GradientNoise(1e-4, seed: 1) };
        const int steps = 300;
        var scheduler = new SequentialLR(optimizer, [new LinearLR(optimizer, 0.1, totalIters: 10), new CosineAnnealingLR(optimizer, steps - 10)], [10]);
        var (xTrain, yTrain) = (x.Narrow(0, 0, train), y.Narrow(0, 0, train));
        double first = double.NaN, last = double.NaN;
        for (var step = 0; step < steps; step++)
        {
            optimizer.ZeroGrad();
            var loss = lossFn.Forward(model.Forward(xTrain), yTrain);
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), maxNorm: 1.0);
            optimizer.Step();
            scheduler.Step();
            last = loss.Item();
            if (step == 0) first = last;
        }
        double accuracy;
        using (Autograd.NoGrad())
            accuracy = model.Forward(x.Narrow(0, train, data.Samples - train)).Argmax(1).Eq(y.Narrow(0, train, data.Samples - train)).To(DType.Float64).Mean().Item();
        Console.WriteLine($"digits softmax regression: loss {first:F3} -> {last:F3}, held-out accuracy {accuracy:P1}");
        Assert.IsLessThan(first / 3, last, "the training loss should fall");
        Assert.IsGreaterThanOrEqualTo(0.94, accuracy, $"held-out accuracy {accuracy:P1}");
    }
}
