using Engine.Data;

namespace Engine.Tests;

/// <summary>Data sets that are not embedded in the engine. A test that needs one calls the helper: when the files are
/// missing the test is marked inconclusive with the message that says how to get them, unless ENGINE_REQUIRE_DATA=1
/// (CI sets it), in which case it fails.</summary>
public static class TestData
{
    // Loaded once per test run and shared: tests must not write into these tensors.
    private static readonly Lazy<TrainTestSplit> fashionMnist = new(() => FashionMnist.Load());

    /// <summary>Fashion-MNIST prepared for training (normalised as `engine train` does), or inconclusive/failed as
    /// <see cref="FashionMnistOrInconclusive"/>.</summary>
    public static Engine.Training.TrainingData FashionMnistTrainingOrInconclusive()
    {
        FashionMnistOrInconclusive();
        return fashionMnistTraining.Value;
    }

    private static readonly Lazy<Engine.Training.TrainingData> fashionMnistTraining = new(() => Engine.Training.TrainingData.Load("fashion-mnist"));

    private static readonly Lazy<CharCorpus> fortunes = new(() => FortunesCorpus.Load());

    public static TrainTestSplit FashionMnistOrInconclusive() => OrInconclusive(fashionMnist);

    /// <summary>The fortunes corpus (Debian package fortunes), or inconclusive/failed as
    /// <see cref="FashionMnistOrInconclusive"/>.</summary>
    public static CharCorpus FortunesOrInconclusive() => OrInconclusive(fortunes);

    private static T OrInconclusive<T>(Lazy<T> data)
    {
        try
        {
            return data.Value;
        }
        catch (DataSetNotFoundException e)
        {
            if (Environment.GetEnvironmentVariable("ENGINE_REQUIRE_DATA") == "1")
                Assert.Fail($"ENGINE_REQUIRE_DATA=1 but the data is missing: {e.Message}");
            Assert.Inconclusive(e.Message);
            throw;
        }
    }
}
