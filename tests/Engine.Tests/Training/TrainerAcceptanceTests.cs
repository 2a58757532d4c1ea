using Engine.Training;

namespace Engine.Tests.Training;

/// <summary>Issue 3 acceptance: the training recipes reach their accuracies (Fashion-MNIST needs the data set;
/// see TestData).</summary>
[TestClass]
public sealed class TrainerAcceptanceTests
{
    private static readonly TrainOptions Recipe = new() { Epochs = 5, BatchSize = 128, Lr = 1e-3, Optimizer = "adam", Seed = 1 };

    private static TrainResult Train(TrainingData data, ModelSpec spec, TrainOptions options)
    {
        var model = spec.Create(new Generator(options.Seed));
        Generator.ManualSeed(options.Seed);
        var result = Trainer.Train(model, data, options,
            onEpoch: m => Console.WriteLine($"{spec.Model} epoch {m.Epoch}: train loss {m.TrainLoss:F4}, test accuracy {m.TestAccuracy:P2}, {m.Seconds:F1} s"));
        return result;
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void FashionMnistMlpReaches88Percent()
    {
        var data = TestData.FashionMnistTrainingOrInconclusive();
        var result = Train(data, new ModelSpec("mlp", data.InputShape, 10, [256, 256], "relu"), Recipe);
        Assert.AreEqual(269_322, result.Parameters, "784-256-256-10");
        Assert.IsGreaterThanOrEqualTo(0.880, result.Last!.TestAccuracy);
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void FashionMnistCnnReaches90Point5Percent()
    {
        var data = TestData.FashionMnistTrainingOrInconclusive();
        var result = Train(data, new ModelSpec("cnn", data.InputShape, 10, [], "relu"), Recipe);
        Assert.IsGreaterThanOrEqualTo(0.905, result.Last!.TestAccuracy);
    }

    [TestMethod]
    public void DigitsMlpReaches96Percent()
    {
        var data = TrainingData.Load("digits", seed: 1);
        var result = Train(data, new ModelSpec("mlp", data.InputShape, 10, [256, 256], "relu"), Recipe with { Epochs = 20 });
        Assert.IsGreaterThanOrEqualTo(0.96, result.Last!.TestAccuracy);
        Assert.IsLessThan(result.Epochs[0].TrainLoss / 5, result.Last.TrainLoss, "training loss falls");
    }

    [TestMethod]
    public void CancellationStopsAfterTheCurrentBatchAndKeepsFinishedEpochs()
    {
        var data = TrainingData.Load("digits", seed: 1);
        using var cts = new CancellationTokenSource();
        var batches = 0;
        var model = new ModelSpec("mlp", data.InputShape, 10, [32], "relu").Create(new Generator(1));
        var result = Trainer.Train(model, data, Recipe with { Epochs = 4, BatchSize = 100 },
            onBatch: b =>
            {
                batches++;
                if (b.Epoch == 2 && b.Batch == 3) cts.Cancel();
            },
            cancellation: cts.Token);
        Assert.IsTrue(result.Cancelled);
        Assert.AreEqual(1, result.Epochs.Count, "the unfinished second epoch is not reported");
        Assert.AreEqual(15 + 3, batches, "15 batches of epoch 1, then 3 of epoch 2");
    }
}
