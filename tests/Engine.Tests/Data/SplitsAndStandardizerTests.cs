using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class SplitsAndStandardizerTests
{
    [TestMethod]
    public void StratifiedPartsKeepClassProportions()
    {
        // Unbalanced classes: 600, 300, 100 samples, interleaved.
        var labels = Enumerable.Range(0, 1000).Select(i => (long)(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2)).ToArray();
        double[] fractions = [0.7, 0.15, 0.15];
        var parts = Splits.Stratified(Tensor.FromArray(labels), fractions, seed: 5);
        Assert.HasCount(3, parts);
        var all = parts.SelectMany(p => p.ToArray<long>()).ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), all, "the parts partition the samples");
        var classSizes = new[] { 600, 300, 100 };
        for (var p = 0; p < parts.Length; p++)
        {
            Assert.AreEqual(DType.Int64, parts[p].DType);
            var counts = new int[3];
            foreach (var i in parts[p].ToArray<long>()) counts[labels[i]]++;
            for (var c = 0; c < 3; c++)
                Assert.AreEqual(fractions[p] * classSizes[c], counts[c], 1.0, $"part {p} class {c}: {counts[c]} of {classSizes[c]}");
            var head = parts[p].Narrow(0, 0, 20).ToArray<long>().Select(i => labels[i]).Distinct().Count();
            Assert.IsGreaterThan(1, head, "classes are mixed within a part");
        }
        CollectionAssert.AreEqual(new[] { 700, 150, 150 }, parts.Select(p => p.Size(0)).ToArray());

        var again = Splits.Stratified(Tensor.FromArray(labels), fractions, seed: 5);
        for (var p = 0; p < 3; p++) Assert.IsTrue(parts[p].Equal(again[p]), $"part {p}: the same seed gives the same split");
        Assert.IsFalse(parts[0].Equal(Splits.Stratified(Tensor.FromArray(labels), fractions, seed: 6)[0]), "another seed, another split");
    }

    [TestMethod]
    public void StratifiedTwoWaySplitOfIris()
    {
        var iris = EmbeddedDataSets.Iris();
        var (train, test) = (iris.SplitStratified([0.8, 0.2], seed: 1)[0], iris.SplitStratified([0.8, 0.2], seed: 1)[1]);
        CollectionAssert.AreEqual(new[] { 40, 40, 40 }, CsvDataSetTests.Histogram(train.Labels, 3));
        CollectionAssert.AreEqual(new[] { 10, 10, 10 }, CsvDataSetTests.Histogram(test.Labels, 3));
        CollectionAssert.AreEqual(iris.ClassNames, train.ClassNames);
    }

    [TestMethod]
    public void RandomAndTrainTestSplitsPartitionTheIndices()
    {
        var (train, test) = Splits.TrainTest(101, 0.2, seed: 3);
        Assert.AreEqual(81, train.Size(0));
        Assert.AreEqual(20, test.Size(0));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 101).Select(i => (long)i).ToArray(), train.ToArray<long>().Concat(test.ToArray<long>()).ToArray());
        var (train2, _) = Splits.TrainTest(101, 0.2, seed: 3);
        Assert.IsTrue(train.Equal(train2));

        var parts = Splits.Random(10, [0.5, 0.25, 0.25], seed: 1);
        CollectionAssert.AreEqual(new[] { 5, 3, 2 }, parts.Select(p => p.Size(0)).ToArray(), "largest remainder, first part on ties");
        var e = Assert.ThrowsExactly<ArgumentException>(() => Splits.Random(10, [0.5, 0.4], seed: 1));
        StringAssert.Contains(e.Message, "Splits.Random: fractions must be in [0, 1] and sum to 1; got [0.5, 0.4]");
        e = Assert.ThrowsExactly<ArgumentException>(() => Splits.Stratified(Tensor.Zeros(4), [1.0], seed: 1));
        StringAssert.Contains(e.Message, "Splits.Stratified: labels must be a 1-D integer tensor; got Float32 (4)");
    }

    [TestMethod]
    public void StandardizerIsFittedOnTrainOnlyAndAppliedToAnySplit()
    {
        double[,] train = { { 1, 10, 5 }, { 2, 20, 5 }, { 3, 60, 5 }, { 6, 30, 5 } };
        double[,] test = { { 0, 0, 5 }, { 10, 100, 7 } };
        var scaler = Standardizer.Fit(Tensor.FromArray(train).Float(), stdFloor: 1e-3);

        // Reference statistics from the training rows only, in float64 (population std).
        var mean = new double[3];
        var std = new double[3];
        for (var j = 0; j < 3; j++)
        {
            for (var i = 0; i < 4; i++) mean[j] += train[i, j] / 4;
            for (var i = 0; i < 4; i++) std[j] += (train[i, j] - mean[j]) * (train[i, j] - mean[j]) / 4;
            std[j] = Math.Sqrt(std[j]) < 1e-3 ? 1 : Math.Sqrt(std[j]); // constant features keep scale 1, as scikit-learn
        }
        CollectionAssert.AreEqual(mean.Select(v => (float)v).ToArray(), scaler.Mean.ToArray<float>());
        CollectionAssert.AreEqual(std.Select(v => (float)v).ToArray(), scaler.Std.ToArray<float>());

        var scaledTest = scaler.Transform(Tensor.FromArray(test).Float()).ToArray<float>();
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
            {
                var expected = (test[i, j] - mean[j]) / std[j];
                Assert.AreEqual(expected, scaledTest[i * 3 + j], 1e-5 * Math.Max(1, Math.Abs(expected)), $"test [{i},{j}] uses the training statistics");
            }
        Assert.AreEqual(2, scaledTest[5], 1e-6, "a constant training feature is only centred (scale 1), never divided by ~0");

        var scaledTrain = scaler.Transform(Tensor.FromArray(train).Float());
        var trainMean = scaledTrain.Mean(0).ToArray<float>();
        var trainStd = scaledTrain.Std(0, correction: 0).ToArray<float>();
        for (var j = 0; j < 2; j++)
        {
            Assert.AreEqual(0, trainMean[j], 1e-6);
            Assert.AreEqual(1, trainStd[j], 1e-5);
        }

        var e = Assert.ThrowsExactly<ArgumentException>(() => scaler.Transform(Tensor.Zeros(2, 4)));
        StringAssert.Contains(e.Message, "Standardizer.Transform: features (2,4) do not match the fitted sample shape (3)");
    }

    [TestMethod]
    public void StandardizingAWineSplitUsesOnlyItsTrainingPart()
    {
        var wine = EmbeddedDataSets.Wine();
        var parts = wine.SplitStratified([0.8, 0.2], seed: 2);
        var scaler = Standardizer.Fit(parts[0]);
        var train = scaler.Transform(parts[0]);
        var test = scaler.Transform(parts[1]);
        Assert.IsLessThan(1e-5, train.Features.Mean(0).Abs().Max().Item(), "training features are centred exactly");
        Assert.IsGreaterThan(1e-3, test.Features.Mean(0).Abs().Max().Item(), "test features are not re-centred on themselves");
        Assert.IsTrue(test.Labels.Equal(parts[1].Labels));
        Assert.AreEqual(wine.FeatureCount, test.FeatureCount);
    }
}
