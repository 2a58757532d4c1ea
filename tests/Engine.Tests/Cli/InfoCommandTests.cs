using System.Text.Json;
using Engine.Backends.Cpu;

namespace Engine.Tests.Cli;

[TestClass]
public sealed class InfoCommandTests
{
    private static readonly string[] Keys =
        ["version", "runtime", "os", "architecture", "simd_accelerated_bits", "simd_width_bits", "logical_cores", "threads", "backends", "vulkan"];

    [TestMethod]
    public void JsonIsOneObjectWithTheExpectedKeysAndSaneValues()
    {
        var (code, stdout, stderr) = CliRunner.Run("info", "--json");

        Assert.AreEqual(0, code, stderr);
        using var doc = JsonDocument.Parse(stdout); // throws on anything beyond a single JSON value
        var root = doc.RootElement;
        Assert.AreEqual(JsonValueKind.Object, root.ValueKind);
        CollectionAssert.AreEquivalent(Keys, root.EnumerateObject().Select(p => p.Name).ToArray(), stdout);

        Assert.AreEqual(EngineInfo.Current().Version, root.GetProperty("version").GetString());
        StringAssert.StartsWith(root.GetProperty("runtime").GetString(), ".NET");
        Assert.IsTrue(root.GetProperty("logical_cores").GetInt32() >= 1, stdout);
        Assert.IsTrue(root.GetProperty("threads").GetInt32() >= 1, stdout);
        Assert.AreEqual(CpuParallel.MaxThreads, root.GetProperty("threads").GetInt32());
        CollectionAssert.Contains(root.GetProperty("backends").EnumerateArray().Select(b => b.GetString()).ToArray(), "cpu");

        var width = root.GetProperty("simd_width_bits").GetInt32();
        var accelerated = root.GetProperty("simd_accelerated_bits").EnumerateArray().Select(b => b.GetInt32()).ToArray();
        CollectionAssert.IsSubsetOf(accelerated, new[] { 512, 256, 128 });
        Assert.AreEqual(accelerated.Length == 0 ? 0 : accelerated.Max(), width, stdout);

        // Either Vulkan devices with their facts, or the one-sentence reason there are none.
        var vulkan = root.GetProperty("vulkan");
        var devices = vulkan.GetProperty("devices").EnumerateArray().ToArray();
        var unavailable = vulkan.GetProperty("unavailable");
        Assert.AreEqual(devices.Length == 0, unavailable.ValueKind == JsonValueKind.String, stdout);
        foreach (var d in devices)
        {
            Assert.IsFalse(string.IsNullOrEmpty(d.GetProperty("name").GetString()), stdout);
            Assert.IsTrue(d.GetProperty("subgroup_size").GetInt32() > 0, stdout);
            Assert.IsTrue(d.TryGetProperty("float64", out _), stdout);
        }
    }

    [TestMethod]
    public void JsonOptionIsAcceptedBeforeTheCommand()
    {
        var (code, stdout, stderr) = CliRunner.Run("--json", "info");

        Assert.AreEqual(0, code, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.IsTrue(doc.RootElement.TryGetProperty("simd_width_bits", out _), stdout);
    }

    [TestMethod]
    public void HumanOutputGoesToStdoutAndNamesVersionAndBackends()
    {
        var (code, stdout, stderr) = CliRunner.Run("info");

        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, EngineInfo.Current().Version);
        StringAssert.Contains(stdout, "SIMD width");
        StringAssert.Contains(stdout, "cpu");
        Assert.AreEqual("", stderr);
    }

    [TestMethod]
    public void ParseErrorWithJsonIsReportedAsOneJsonErrorObject()
    {
        var (code, stdout, stderr) = CliRunner.Run("info", "--json", "--no-such-option");

        Assert.AreNotEqual(0, code);
        using var doc = JsonDocument.Parse(stdout);
        StringAssert.Contains(doc.RootElement.GetProperty("error").GetString(), "--no-such-option");
        StringAssert.Contains(stderr, "--no-such-option");
    }

    [TestMethod]
    public void ParseErrorWithoutJsonFailsAndExplainsOnStderr()
    {
        var (code, _, stderr) = CliRunner.Run("no-such-command");

        Assert.AreNotEqual(0, code);
        StringAssert.Contains(stderr, "no-such-command");
    }
}
