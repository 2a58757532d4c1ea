using Engine.Lab.Experiments;

namespace Engine.Lab.Tests.Experiments;

/// <summary>The paper's effect at small scale, on the embedded digits: a net too narrow to separate the samples maps
/// most of them onto shared codes, a wide one gives almost every sample its own code.</summary>
[TestClass]
public sealed class CodesExperimentTests
{
    private static readonly CodesOptions Small = new() { Data = "digits", Epochs = 5, NoiseSamples = 500, LogregEpochs = 30 };

    [TestMethod]
    public void NarrowNetsHashFarWorseThanWideOnes()
    {
        var narrow = CodesExperiment.Run(Small with { Width = 3 }).Final;
        var wide = CodesExperiment.Run(Small with { Width = 64 }).Final;
        // 3 bits give at most 8 codes for 360 test samples: redundancy >= 0.97 by counting alone.
        Assert.IsGreaterThan(0.9, narrow.RedundancyTest, $"narrow: {narrow}");
        Assert.IsLessThan(0.05, wide.RedundancyTest, $"wide: {wide}");
        Assert.IsGreaterThan(0.5, narrow.RedundancyTrain - wide.RedundancyTrain, $"train redundancy: narrow {narrow.RedundancyTrain} wide {wide.RedundancyTrain}");
        Assert.IsGreaterThan(0.9, wide.NetworkTestAccuracy, $"wide: {wide}");
        Assert.IsGreaterThan(wide.NetworkTestAccuracy - 0.05, wide.KnnAccuracy, $"wide: {wide}");
        Assert.IsLessThanOrEqualTo(64, wide.CodeBits);
        Assert.AreEqual(3, narrow.TotalBits);
    }

    [TestMethod]
    public void CheckpointsMeasureAtEachRequestedEpochIncludingBeforeTraining()
    {
        var result = CodesExperiment.Run(Small with { Width = 8, Epochs = 2, Checkpoints = [0, 1], TrainSize = 300, TestSize = 100, AnalysisSamples = 200 });
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, result.Checkpoints.Select(c => c.Epoch).ToArray());
        Assert.AreEqual(300, result.Final.TrainSamples);
        Assert.AreEqual(100, result.Final.TestSamples);
        Assert.IsNull(result.Final.LogregOvoAccuracy);
    }

    [TestMethod]
    public void IsDeterministicForASeed()
    {
        var options = Small with { Width = 8, Epochs = 1, TrainSize = 200, LabelNoise = 0.2 };
        var a = CodesExperiment.Run(options).Final with { Seconds = 0 };
        var b = CodesExperiment.Run(options).Final with { Seconds = 0 };
        Assert.AreEqual(a, b);
    }

    [TestMethod]
    public void RejectsATrainSizeLargerThanTheTrainingPart()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => CodesExperiment.Run(Small with { TrainSize = 100_000 }));
        StringAssert.Contains(e.Message, "100000");
    }
}
