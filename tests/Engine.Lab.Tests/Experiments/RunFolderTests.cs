using Engine.Lab.Experiments;

namespace Engine.Lab.Tests.Experiments;

/// <summary>Resumption and merging, with cell results written by hand (no training): a finished cell is never run
/// again, shards merge into the whole grid, and folders of different grids are refused.</summary>
[TestClass]
public sealed class RunFolderTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly CodesSweepOptions Sweep = new(new CodesOptions { Data = "digits", Epochs = 1, Width = 8 }, SweepVariable.Width, [3, 8], [1, 2, 3]);

    private string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-lab-tests", TestContext.TestName + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A result whose numbers identify the cell (redundancy = width / 100 + seed / 1000).</summary>
    internal static CodesResult Fake(CodesCell cell)
    {
        var o = cell.Options;
        var m = new CodesMeasurement(o.Epochs, 0, o.Width / 100.0 + o.Seed / 1000.0, 1, 0.5, 0.4, 0.45, 0.4, 0.6, null, 0.9, 0.8, 0.7, o.Width, o.Width, 100, 50, 0.1);
        return new CodesResult(o, [m], 1);
    }

    [TestMethod]
    public void RerunSkipsFinishedCells()
    {
        var folder = RunFolder.Create(TempDir(), new GridSpec(Sweep));
        foreach (var cell in Sweep.Cells()) folder.Save(cell.Key, Fake(cell));
        var skipped = new List<string>();
        var summary = GridRunner.Run(RunFolder.Create(folder.Path, new GridSpec(Sweep)), Shard.All,
            new InlineProgress<GridProgress>(p => { if (p.Skipped) skipped.Add(p.Cell.Key); }));
        Assert.AreEqual(0, summary.Ran);
        Assert.AreEqual(6, summary.Skipped);
        CollectionAssert.AreEqual(Sweep.Cells().Select(c => c.Key).ToArray(), skipped);
    }

    [TestMethod]
    public void CellsRoundTripThroughTheirJsonFiles()
    {
        var folder = RunFolder.Create(TempDir(), new GridSpec(Sweep));
        var cell = Sweep.Cells()[4];
        folder.Save(cell.Key, Fake(cell));
        var (loaded, result) = RunFolder.Open(folder.Path).Finished().Single();
        Assert.AreEqual(cell.Key, loaded.Key);
        Assert.AreEqual(Fake(cell).Final, result.Final);
        Assert.AreEqual(cell.Options.Seed, result.Options.Seed);
        Assert.IsFalse(Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories).Any(), "no temporary files left");
    }

    [TestMethod]
    public void MergeJoinsShardsIntoTheWholeGrid()
    {
        var cells = Sweep.Cells();
        var shards = Enumerable.Range(0, 3).Select(i =>
        {
            var folder = RunFolder.Create(TempDir(), new GridSpec(Sweep));
            for (var j = 0; j < cells.Count; j++)
                if (new Shard(i, 3).Selects(j)) folder.Save(cells[j].Key, Fake(cells[j]));
            return folder.Path;
        }).ToList();
        var merged = RunFolder.Merge(shards, Path.Combine(TempDir(), "merged"));
        var finished = merged.Finished();
        CollectionAssert.AreEqual(cells.Select(c => c.Key).ToArray(), finished.Select(f => f.Cell.Key).ToArray());
        var summaries = SweepTable.Summarize(Sweep.Rows(finished));
        Assert.AreEqual(2, summaries.Count);
        Assert.AreEqual(0.03 + 0.002, summaries[0].MeanOf("redundancy_test"), 1e-12);
        Assert.AreEqual(0.001, summaries[0].StdOf("redundancy_test"), 1e-12);
    }

    [TestMethod]
    public void RefusesAFolderOfAnotherGrid()
    {
        var dir = TempDir();
        RunFolder.Create(dir, new GridSpec(Sweep));
        var other = Sweep with { Seeds = [1, 2] };
        var e = Assert.ThrowsExactly<ArgumentException>(() => RunFolder.Create(dir, new GridSpec(other)));
        StringAssert.Contains(e.Message, dir);
        var otherDir = TempDir();
        RunFolder.Create(otherDir, new GridSpec(other));
        Assert.ThrowsExactly<ArgumentException>(() => RunFolder.Merge([dir, otherDir], Path.Combine(TempDir(), "m")));
    }

    [TestMethod]
    public void PhaseChartClassifiesByTheStatedRule()
    {
        var phase = new PhaseChartOptions(new CodesOptions { Data = "digits" }, [3], [100], [1]);
        Assert.AreEqual(Regime.UnderExpressive, phase.Classify(0.5, 0.8, 0.8));
        Assert.AreEqual(Regime.UnderExpressive, phase.Classify(0.1, 0.8, 0.8));
        Assert.AreEqual(Regime.SufficientlyExpressive, phase.Classify(0.005, 0.86, 0.88));
        Assert.AreEqual(Regime.CriticallyExpressive, phase.Classify(0.005, 0.80, 0.88));
        Assert.AreEqual(Regime.CriticallyExpressive, phase.Classify(0.05, 0.88, 0.88));
    }
}
