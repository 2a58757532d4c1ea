using Engine.Nn;
using Engine.Training;

namespace Engine.Tests.Training;

/// <summary>The trainer's extension point for metrics it does not compute itself (the CLI logs the dead-neuron rate
/// through it) and their columns in metrics.csv.</summary>
[TestClass]
public sealed class TrainerExtraMetricsTests
{
    [TestMethod]
    public void ExtraMetricsAreReadAfterTheTrainingBatchesBeforeEvaluation()
    {
        var data = TrainingData.Load("digits", seed: 1);
        var model = new ModelSpec("mlp", data.InputShape, data.Classes, [16], "relu").Create(new Generator(1));
        long trainForwards = 0, evalForwards = 0;
        using var hook = model.RegisterForwardHook((m, _, _) =>
        {
            if (m.IsTraining) trainForwards++;
            else evalForwards++;
        });
        var seen = new List<(long Train, long Eval)>();
        var result = Trainer.Train(model, data, new TrainOptions { Epochs = 2, BatchSize = 256, Seed = 1 },
            extraMetrics: () =>
            {
                seen.Add((trainForwards, evalForwards));
                return new Dictionary<string, double> { ["train_forwards"] = trainForwards };
            });
        var batchesPerEpoch = (data.Train.Samples + 255) / 256;
        var evalBatches = (data.Test.Samples + 999) / 1000;
        CollectionAssert.AreEqual(
            new[] { ((long)batchesPerEpoch, 0L), (2L * batchesPerEpoch, (long)evalBatches) }, seen,
            "called once per epoch, after its training batches and before its evaluation");
        Assert.AreEqual(batchesPerEpoch, result.Epochs[0].Extra["train_forwards"]);
        Assert.AreEqual(2 * batchesPerEpoch, result.Epochs[1].Extra["train_forwards"]);
    }

    [TestMethod]
    public void MetricsCsvHasTheExtraColumnsSortedWithEmptyCellsForMissingValues()
    {
        var path = Path.Combine(Path.GetTempPath(), "engine-metrics-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            var first = new EpochMetrics(1, 2.5, 0.5, 2.25, 0.75, 1, 100) { Extra = new Dictionary<string, double> { ["z"] = 0.125, ["a"] = 3 } };
            var second = new EpochMetrics(2, 1.5, 0.5, 1.25, 0.75, 1, 100) { Extra = new Dictionary<string, double> { ["z"] = 0.25 } };
            TrainingCheckpoint.SaveMetrics(path, [first, second]);
            CollectionAssert.AreEqual(
                new[]
                {
                    "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second,a,z",
                    "1,2.5,0.5,2.25,0.75,1,100,3,0.125",
                    "2,1.5,0.5,1.25,0.75,1,100,,0.25",
                },
                File.ReadAllLines(path));
            var bad = first with { Extra = new Dictionary<string, double> { ["a,b"] = 1 } };
            var e = Assert.ThrowsExactly<ArgumentException>(() => TrainingCheckpoint.SaveMetrics(path, [bad]));
            StringAssert.Contains(e.Message, "'a,b'");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
