using System.Text.Json;
using static Engine.Lab.Tests.Cli.CliRunner;

namespace Engine.Lab.Tests.Cli;

[TestClass]
public sealed class RegionsCommandTests
{
    [TestMethod]
    public void RegionsTrainsWritesItsFilesAndReproducesFromTheCheckpoint()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-regions-" + Guid.NewGuid().ToString("N"));
        try
        {
            var trained = Run("regions", "--data", "digits", "--hidden", "12", "--epochs", "2", "--points", "8", "--resolution", "16", "--out", dir, "--json");
            Assert.AreEqual(0, trained.ExitCode, trained.Stderr);
            foreach (var file in new[] { "regions.json", "plane.png", "model.safetensors" })
                Assert.IsTrue(File.Exists(Path.Combine(dir, file)), file);
            using var j = JsonDocument.Parse(trained.Stdout);
            var root = j.RootElement;
            Assert.AreEqual(root.ToString(), JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "regions.json"))).RootElement.ToString());
            var samples = root.GetProperty("samples").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.HasCount(3, samples);
            Assert.HasCount(3, labels.Distinct().ToArray(), "by default the samples come from three classes");
            var segments = root.GetProperty("segments").EnumerateArray().ToArray();
            Assert.HasCount(3, segments);
            foreach (var s in segments)
            {
                var regions = s.GetProperty("regions").GetInt32();
                Assert.IsGreaterThan(1, regions, "two samples of different classes lie in different regions");
                Assert.AreEqual(regions - 1, s.GetProperty("transitions").GetArrayLength());
            }
            Assert.IsGreaterThan(1, root.GetProperty("plane_regions").GetInt32());
            Assert.AreEqual(16, root.GetProperty("resolution").GetInt32());

            // The checkpoint it saved gives the same counts on the same samples.
            var reloaded = Run("regions", "--model", Path.Combine(dir, "model.safetensors"), "--samples", string.Join(",", samples),
                "--points", "8", "--resolution", "16", "--out", Path.Combine(dir, "again"), "--json");
            Assert.AreEqual(0, reloaded.ExitCode, reloaded.Stderr);
            using var k = JsonDocument.Parse(reloaded.Stdout);
            Assert.AreEqual(root.GetProperty("plane_regions").GetInt32(), k.RootElement.GetProperty("plane_regions").GetInt32());
            CollectionAssert.AreEqual(
                segments.Select(s => s.GetProperty("regions").GetInt32()).ToArray(),
                k.RootElement.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("regions").GetInt32()).ToArray());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void BadArgumentsGiveOneLineErrors()
    {
        var r = Run("regions", "--samples", "0,1", "--json");
        Assert.AreEqual(1, r.ExitCode);
        StringAssert.Contains(r.Stdout, "three test-sample indices");
        var m = Run("regions", "--model", "no/such/model.safetensors", "--json");
        Assert.AreEqual(1, m.ExitCode);
        StringAssert.Contains(m.Stdout, "no model file");
    }
}
