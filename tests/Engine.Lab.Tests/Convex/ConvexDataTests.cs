using Engine.Data;
using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class ConvexDataTests
{
    private static void AssertPrepared(ConvexDataSet set, int train, int test, int features)
    {
        Assert.AreEqual(train, set.TrainSamples);
        Assert.AreEqual(test, set.TestSamples);
        Assert.AreEqual(features + 1, set.Features, "a bias column is appended");
        foreach (var x in new[] { set.TrainX, set.TestX })
        {
            Assert.AreEqual(DType.Float64, x.DType);
            CollectionAssert.AreEqual(Enumerable.Repeat(1.0, x.Size(0)).ToArray(), x.Narrow(1, features, 1).Contiguous().ToArray<double>(), "last column is 1");
        }
        foreach (var y in new[] { set.TrainY, set.TestY })
            Assert.IsTrue(y.ToArray<double>().All(v => v is 1 or -1), "labels are +-1");
        var y0 = set.TrainY.ToArray<double>();
        Assert.IsTrue(y0.Contains(1) && y0.Contains(-1), "both classes in training");
        // Standardised with training statistics: every feature of the training part has mean 0 and std 1.
        var x0 = ConvexDataSet.WithoutBias(set.TrainX).Contiguous().ToArray<double>();
        int n = set.TrainSamples;
        for (var j = 0; j < features; j++)
        {
            double mean = 0, sq = 0;
            for (var i = 0; i < n; i++) mean += x0[i * features + j];
            mean /= n;
            for (var i = 0; i < n; i++) sq += (x0[i * features + j] - mean) * (x0[i * features + j] - mean);
            Assert.AreEqual(0, mean, 1e-6, $"feature {j} mean (float32 tables are standardised in float32)");
            Assert.AreEqual(1, Math.Sqrt(sq / n), 1e-5, $"feature {j} std");
        }
    }

    [TestMethod]
    public void BreastCancerIsStandardisedSplit8020WithBias()
    {
        var set = ConvexData.Load("breast-cancer", seed: 3);
        AssertPrepared(set, 456, 113, 30); // stratified: 80% of each class, rounded
        var again = ConvexData.Load("breast-cancer", seed: 3);
        CollectionAssert.AreEqual(set.TrainY.ToArray<double>(), again.TrainY.ToArray<double>(), "the split is seeded");
        Assert.AreNotEqual(
            string.Join(",", set.TrainX.Narrow(0, 0, 5).Contiguous().ToArray<double>()),
            string.Join(",", ConvexData.Load("breast-cancer", seed: 4).TrainX.Narrow(0, 0, 5).Contiguous().ToArray<double>()),
            "another seed, another split");
    }

    [TestMethod]
    public void XorHasBalancedClustersLabelledByTheSignsProduct()
    {
        var set = ConvexData.Xor(100, 60, seed: 2);
        AssertPrepared(set, 100, 60, 2);
        Assert.AreEqual(0, set.TrainY.Sum().Item(), "balanced");
        // Clusters of std 0.35 at +-1: the sign of x1 x2 (after centring, which moves little) is the label for almost all.
        var x = set.TestX.ToArray<double>();
        var y = set.TestY.ToArray<double>();
        var agree = Enumerable.Range(0, 60).Count(i => Math.Sign(x[i * 3] * x[i * 3 + 1]) == (int)y[i]);
        Assert.IsGreaterThanOrEqualTo(55, agree);
    }

    [TestMethod]
    public void CsvFilesOfTwoClassesLoadAndOthersAreRejected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"engine-convex-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(path, ["a,b,label", .. Enumerable.Range(0, 40).Select(i => $"{i % 7},{(i * 3) % 5},{i % 2}")]);
            var set = ConvexData.Load(path, seed: 1);
            AssertPrepared(set, 32, 8, 2);
            File.WriteAllLines(path, Enumerable.Range(0, 30).Select(i => $"{i},{i % 3}"));
            var e = Assert.ThrowsExactly<ArgumentException>(() => ConvexData.Load(path));
            StringAssert.Contains(e.Message, "3 classes");
        }
        finally
        {
            File.Delete(path);
        }
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => ConvexData.Load("no-such-set"));
        StringAssert.Contains(unknown.Message, "fashion-mnist-binary");
    }

    [TestMethod]
    public void FashionMnistBinaryIsShirtVsTShirtReducedTo50Dims()
    {
        ConvexDataSet set;
        try
        {
            set = ConvexData.Load("fashion-mnist-binary", seed: 1);
        }
        catch (DataSetNotFoundException e)
        {
            if (Environment.GetEnvironmentVariable("ENGINE_REQUIRE_DATA") == "1") Assert.Fail($"ENGINE_REQUIRE_DATA=1 but the data is missing: {e.Message}");
            Assert.Inconclusive(e.Message);
            return;
        }
        AssertPrepared(set, 2000, 2000, 50);
        Assert.AreEqual(0, set.TestY.Sum().Item(), "the test part holds all 1,000 + 1,000 test images of the two classes");
        var positives = set.TrainY.ToArray<double>().Count(v => v > 0);
        Assert.IsTrue(positives is > 850 and < 1150, $"a random 2,000 of two equal classes: {positives} shirts");
    }
}
