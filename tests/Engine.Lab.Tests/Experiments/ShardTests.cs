using Engine.Lab.Experiments;

namespace Engine.Lab.Tests.Experiments;

[TestClass]
public sealed class ShardTests
{
    [TestMethod]
    public void ShardsPartitionTheCells()
    {
        var sweep = new CodesSweepOptions(new CodesOptions { Data = "digits", Epochs = 1 }, SweepVariable.Width, [3, 5, 8, 13, 21], [1, 2, 3]);
        var cells = sweep.Cells().Select(c => c.Key).ToArray();
        Assert.AreEqual(15, cells.Length);
        var byShard = Enumerable.Range(0, 4).Select(i => cells.Where((_, j) => new Shard(i, 4).Selects(j)).ToArray()).ToArray();
        CollectionAssert.AreEquivalent(cells, byShard.SelectMany(s => s).ToArray());
        Assert.AreEqual(15, byShard.SelectMany(s => s).Distinct().Count());
        Assert.IsTrue(byShard.All(s => s.Length is 3 or 4));
    }

    [TestMethod]
    public void ParsesIndexOverCount()
    {
        Assert.AreEqual(new Shard(2, 5), Shard.Parse("2/5"));
        Assert.AreEqual(Shard.All, Shard.Parse("0/1"));
        foreach (var bad in new[] { "5/5", "1", "-1/3", "a/b", "1/0" })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => Shard.Parse(bad), bad);
            StringAssert.Contains(e.Message, bad);
        }
    }

    [TestMethod]
    public void EpochSweepTrainsOncePerSeed()
    {
        var sweep = new CodesSweepOptions(new CodesOptions { Data = "digits" }, SweepVariable.Epochs, [0, 1, 3], [1, 2]);
        var cells = sweep.Cells();
        Assert.AreEqual(2, cells.Count);
        Assert.AreEqual(3, cells[0].Options.Epochs);
        CollectionAssert.AreEqual(new[] { 0, 1, 3 }, cells[0].Options.MeasuredEpochs());
    }

    [TestMethod]
    public void SweepRejectsFractionalWidths()
    {
        var sweep = new CodesSweepOptions(new CodesOptions { Data = "digits" }, SweepVariable.Width, [2.5], [1]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => sweep.Cells());
        StringAssert.Contains(e.Message, "2.5");
    }
}
