using Engine.Lab.Experiments;

namespace Engine.Lab.Tests.Experiments;

[TestClass]
public sealed class LabelNoiseTests
{
    private static long[] Labels(int n) => Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray();

    [TestMethod]
    [DataRow(0.0, 0)]
    [DataRow(0.1, 100)]
    [DataRow(0.333, 333)]
    [DataRow(1.0, 1000)]
    public void FlipsExactlyTheRequestedFractionToOtherClasses(double fraction, int expected)
    {
        var labels = Labels(1000);
        var noisy = LabelNoise.Corrupt(labels, fraction, 10, seed: 7);
        Assert.AreEqual(expected, labels.Zip(noisy).Count(p => p.First != p.Second));
        Assert.IsTrue(noisy.All(l => l is >= 0 and < 10));
    }

    [TestMethod]
    public void IsDeterministicPerSeedAndLeavesTheInputAlone()
    {
        var labels = Labels(500);
        var copy = (long[])labels.Clone();
        var a = LabelNoise.Corrupt(labels, 0.2, 10, seed: 3);
        CollectionAssert.AreEqual(a, LabelNoise.Corrupt(labels, 0.2, 10, seed: 3));
        CollectionAssert.AreNotEqual(a, LabelNoise.Corrupt(labels, 0.2, 10, seed: 4));
        CollectionAssert.AreEqual(copy, labels);
    }

    [TestMethod]
    public void RejectsFractionsOutsideTheUnitInterval()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => LabelNoise.Corrupt(Labels(10), 1.5, 10, 0));
        StringAssert.Contains(e.Message, "1.5");
    }
}
