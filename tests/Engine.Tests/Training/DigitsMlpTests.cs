using Engine.Data;

namespace Engine.Tests.Training;

/// <summary>Issue 2 acceptance: a two-layer MLP written with raw tensor ops and autograd learns the embedded digits
/// data set to at least 95% accuracy on a 20% held-out split.</summary>
[TestClass]
public sealed class DigitsMlpTests
{
    [TestMethod]
    public void TwoLayerMlpLearnsDigits()
    {
        var data = EmbeddedDataSets.Digits();
        Assert.AreEqual(1797, data.Samples);
        Assert.AreEqual(64, data.FeatureCount);

        var gen = new Generator(7);
        var perm = Tensor.RandPerm(data.Samples, gen);
        var x = data.Features.IndexSelect(0, perm) / 16.0;
        var y = data.Labels.IndexSelect(0, perm);
        var testCount = data.Samples / 5;
        var trainCount = data.Samples - testCount;
        var (xTrain, yTrain) = (x.Narrow(0, 0, trainCount), y.Narrow(0, 0, trainCount));
        var (xTest, yTest) = (x.Narrow(0, trainCount, testCount), y.Narrow(0, trainCount, testCount));

        const int hidden = 64;
        var w1 = (Tensor.Randn([64, hidden], DType.Float32, gen) * Math.Sqrt(2.0 / 64)).RequiresGrad_();
        var b1 = Tensor.Zeros([hidden], DType.Float32, requiresGrad: true);
        var w2 = (Tensor.Randn([hidden, 10], DType.Float32, gen) * Math.Sqrt(1.0 / hidden)).RequiresGrad_();
        var b2 = Tensor.Zeros([10], DType.Float32, requiresGrad: true);
        Tensor[] parameters = [w1, b1, w2, b2];
        Tensor Forward(Tensor input) => (input.Matmul(w1) + b1).Relu().Matmul(w2) + b2;

        const int batch = 64;
        const double lr = 0.1;
        var firstLoss = double.NaN;
        var lastLoss = double.NaN;
        for (var epoch = 0; epoch < 30; epoch++)
        {
            var order = Tensor.RandPerm(trainCount, gen);
            for (var start = 0; start < trainCount; start += batch)
            {
                var idx = order.Narrow(0, start, Math.Min(batch, trainCount - start));
                var logits = Forward(xTrain.IndexSelect(0, idx));
                var target = yTrain.IndexSelect(0, idx);
                var loss = -logits.LogSoftmax(1).Gather(1, target.Unsqueeze(1)).Mean();
                foreach (var p in parameters) p.Grad = null;
                loss.Backward();
                using (Autograd.NoGrad())
                    foreach (var p in parameters) p.Sub_(p.Grad! * lr);
                lastLoss = loss.Item();
                if (double.IsNaN(firstLoss)) firstLoss = lastLoss;
            }
        }

        double accuracy;
        using (Autograd.NoGrad())
            accuracy = Forward(xTest).Argmax(1).Eq(yTest).To(DType.Float64).Mean().Item();
        Console.WriteLine($"digits MLP: first loss {firstLoss:F4}, last loss {lastLoss:F4}, held-out accuracy {accuracy:P2}");
        Assert.IsLessThan(firstLoss / 4, lastLoss, "the training loss should fall");
        Assert.IsGreaterThanOrEqualTo(0.95, accuracy, $"held-out accuracy {accuracy:P2}");
    }
}
