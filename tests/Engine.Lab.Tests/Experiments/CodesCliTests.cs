using System.Text.Json;
using Engine.Cli;

namespace Engine.Lab.Tests.Experiments;

/// <summary>Smoke tests of engine codes, codes-sweep, phase-chart and merge on tiny digits runs.</summary>
[TestClass]
public sealed class CodesCliTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly string[] Tiny = ["--data", "digits", "--epochs", "1", "--test-size", "100", "--noise-samples", "100", "--logreg-epochs", "10"];

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string TempDir() => Path.Combine(Path.GetTempPath(), "engine-lab-cli", TestContext.TestName + "-" + Guid.NewGuid().ToString("N"));

    [TestMethod]
    public void CodesJsonHasTheIssuesKeys()
    {
        var dir = TempDir();
        var (code, stdout, stderr) = Run(["codes", .. Tiny, "--train-size", "200", "--width", "8", "--out", dir, "--json"]);
        Assert.AreEqual(0, code, stderr);
        using var json = JsonDocument.Parse(stdout);
        foreach (var key in new[] { "redundancy_train", "redundancy_test", "knn_accuracy", "kmeans_accuracy", "logreg_accuracy", "network_test_accuracy", "code_bits", "redundancy_noise" })
            Assert.IsTrue(json.RootElement.TryGetProperty(key, out _), $"missing {key} in {stdout}");
        foreach (var file in new[] { "result.json", "checkpoints.csv", "summary.md" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, file)), file);
    }

    [TestMethod]
    public void ShardedSweepMergesIntoTheWholeSweep()
    {
        var root = TempDir();
        string[] sweep = ["codes-sweep", .. Tiny, "--train-size", "200", "--vary", "width", "--values", "3,8", "--seeds", "1,2"];
        for (var i = 0; i < 2; i++)
        {
            var (code, _, stderr) = Run([.. sweep, "--shard", $"{i}/2", "--out", Path.Combine(root, $"s{i}")]);
            Assert.AreEqual(0, code, stderr);
            Assert.AreEqual(2, Directory.GetFiles(Path.Combine(root, $"s{i}", "cells")).Length);
        }
        var rerun = Run([.. sweep, "--shard", "0/2", "--out", Path.Combine(root, "s0"), "--json"]);
        Assert.AreEqual(0, rerun.Code, rerun.Stderr);
        using (var json = JsonDocument.Parse(rerun.Stdout))
        {
            Assert.AreEqual(0, json.RootElement.GetProperty("ran").GetInt32());
            Assert.AreEqual(2, json.RootElement.GetProperty("skipped").GetInt32());
        }
        var merged = Path.Combine(root, "merged");
        var (mergeCode, mergeOut, mergeErr) = Run("merge", Path.Combine(root, "s0"), Path.Combine(root, "s1"), "--out", merged, "--json");
        Assert.AreEqual(0, mergeCode, mergeErr);
        using (var json = JsonDocument.Parse(mergeOut)) Assert.AreEqual(4, json.RootElement.GetProperty("finished").GetInt32());
        var csv = File.ReadAllLines(Path.Combine(merged, "results.csv"));
        Assert.AreEqual(5, csv.Length, string.Join("\n", csv));
        Assert.AreEqual(3, File.ReadAllLines(Path.Combine(merged, "summary.csv")).Length);
        foreach (var png in new[] { "redundancy.png", "accuracy.png" })
            Assert.IsGreaterThan(1000L, new FileInfo(Path.Combine(merged, png)).Length, png);
    }

    [TestMethod]
    public void PhaseChartDrawsItsGrid()
    {
        var dir = TempDir();
        var (code, stdout, stderr) = Run(["phase-chart", .. Tiny, "--widths", "3,16", "--train-sizes", "100,200", "--out", dir, "--json"]);
        Assert.AreEqual(0, code, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.AreEqual(4, json.RootElement.GetProperty("finished").GetInt32());
        Assert.AreEqual(5, File.ReadAllLines(Path.Combine(dir, "phase.csv")).Length);
        Assert.IsTrue(File.Exists(Path.Combine(dir, "phase-chart.png")));
    }

    [TestMethod]
    public void BadArgumentsGiveOneLineErrors()
    {
        var (code, stdout, _) = Run("codes", "--data", "mnist", "--json");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stdout, "unknown data set 'mnist'");
        var shard = Run(["codes-sweep", .. Tiny, "--vary", "width", "--values", "3", "--shard", "2/2", "--out", TempDir(), "--json"]);
        Assert.AreEqual(1, shard.Code);
        StringAssert.Contains(shard.Stdout, "2/2");
    }
}
