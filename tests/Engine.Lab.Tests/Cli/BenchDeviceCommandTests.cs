using System.Text.Json;
using Engine.Vulkan;

namespace Engine.Lab.Tests.Cli;

/// <summary><c>engine bench-device --json</c> at tiny sizes: the shape of its one JSON object (the CPU first, then every
/// Vulkan device; each workload a figure or the reason it could not run), never the times.</summary>
[TestClass]
public sealed class BenchDeviceCommandTests
{
    private static readonly string[] Tiny = ["bench-device", "--gemm-sizes", "1,7", "--models", "mlp,cnn", "--batch", "2", "--steps", "2", "--warmup", "1", "--min-seconds", "0", "--json"];

    /// <summary>Either a positive number and a null error, or a null number and an error message.</summary>
    private static void AssertFigureOrReason(JsonElement entry, string figure, string what)
    {
        var error = entry.GetProperty("error");
        var value = entry.GetProperty(figure);
        if (error.ValueKind == JsonValueKind.Null)
            Assert.IsTrue(value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0, $"{what}: {figure} is {value}");
        else
        {
            Assert.AreEqual(JsonValueKind.Null, value.ValueKind, $"{what}: a figure beside the error {error}");
            Assert.IsFalse(string.IsNullOrWhiteSpace(error.GetString()), $"{what}: an empty error");
        }
    }

    [TestMethod]
    public void JsonHasOneEntryPerDeviceAndWorkload()
    {
        var (code, stdout, stderr) = CliRunner.Run(Tiny);
        Assert.AreEqual(0, code, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var config = root.GetProperty("config");
        CollectionAssert.AreEqual(new[] { 1, 7 }, config.GetProperty("gemm_sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.AreEqual(2, config.GetProperty("batch").GetInt32());
        var devices = root.GetProperty("devices").EnumerateArray().ToList();
        var (vulkan, unavailable) = VulkanBackend.Enumerate();
        Assert.AreEqual(1 + vulkan.Count, devices.Count, "the CPU and every Vulkan device");
        Assert.AreEqual(unavailable, root.GetProperty("vulkan_unavailable").GetString());
        Assert.AreEqual("cpu", devices[0].GetProperty("device").GetString());
        for (var i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            var name = d.GetProperty("device").GetString()!;
            if (i > 0) Assert.AreEqual($"vulkan:{vulkan[i - 1].Index}", name);
            Assert.AreEqual(JsonValueKind.Null, d.GetProperty("error").ValueKind, $"{name} could not be opened");
            Assert.IsFalse(string.IsNullOrEmpty(d.GetProperty("name").GetString()), $"{name}: no device name");
            var gemm = d.GetProperty("gemm").EnumerateArray().ToList();
            CollectionAssert.AreEqual(new[] { 1, 7 }, gemm.Select(g => g.GetProperty("n").GetInt32()).ToArray(), name);
            foreach (var g in gemm)
            {
                AssertFigureOrReason(g, "gflops", $"{name} GEMM {g.GetProperty("n")}");
                AssertFigureOrReason(g, "ms_per_call", $"{name} GEMM {g.GetProperty("n")}");
            }
            var training = d.GetProperty("training").EnumerateArray().ToList();
            CollectionAssert.AreEqual(new[] { "mlp", "cnn" }, training.Select(t => t.GetProperty("model").GetString()).ToArray(), name);
            foreach (var t in training)
            {
                var what = $"{name} {t.GetProperty("model")} step";
                AssertFigureOrReason(t, "median_ms", what);
                AssertFigureOrReason(t, "mean_ms", what);
                Assert.AreEqual(2, t.GetProperty("batch").GetInt32(), what);
            }
            // The CPU runs everything, and GEMM and the MLP step run on every Vulkan device.
            Assert.AreEqual(JsonValueKind.Null, training[0].GetProperty("error").ValueKind, $"{name}: the MLP step failed: {training[0].GetProperty("error")}");
            Assert.IsTrue(gemm.All(g => g.GetProperty("error").ValueKind == JsonValueKind.Null), $"{name}: a GEMM failed");
            if (i == 0) Assert.AreEqual(JsonValueKind.Null, training[1].GetProperty("error").ValueKind, $"cpu: the CNN step failed: {training[1].GetProperty("error")}");
        }
    }

    [TestMethod]
    public void UnknownModelIsAOneLineJsonError()
    {
        var (code, stdout, _) = CliRunner.Run("bench-device", "--models", "rnn", "--devices", "cpu", "--json");
        Assert.AreEqual(1, code);
        using var json = JsonDocument.Parse(stdout);
        StringAssert.Contains(json.RootElement.GetProperty("error").GetString(), "unknown model 'rnn'");
    }
}
