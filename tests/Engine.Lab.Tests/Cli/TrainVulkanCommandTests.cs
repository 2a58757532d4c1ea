using System.Text.Json;
using Engine.Cli;
using Engine.Vulkan;

namespace Engine.Lab.Tests.Cli;

/// <summary><c>engine train --device vulkan</c> against the CPU run with the same seed: the same initial weights
/// (Philox on both), the same batches, and float32 kernels that differ only in summation order, so the epoch's mean
/// training loss (which includes the first step's) agrees within 1e-5 and the accuracies are equal.</summary>
[TestClass]
public sealed class TrainVulkanCommandTests
{
    private static JsonElement Train(string device, string dir, string model = "mlp", string hidden = "64")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(["train", "--data", "digits", "--model", model, "--hidden", hidden, "--epochs", "1", "--device", device, "--out", dir, "--json"], stdout, stderr);
        Assert.AreEqual(0, code, $"{device}: {stderr}");
        using var json = JsonDocument.Parse(stdout.ToString());
        return json.RootElement.Clone();
    }

    [TestMethod]
    public void DigitsMlpOnVulkanMatchesTheCpuRun() => CompareRuns("mlp", "64");

    /// <summary>The CNN on digits as 1x8x8 images (conv 8 and 16 channels, linear 32): conv, max-pool and their
    /// gradients on the device.</summary>
    [TestMethod]
    public void DigitsCnnOnVulkanMatchesTheCpuRun() => CompareRuns("cnn", "8,16,32");

    private static void CompareRuns(string model, string hidden)
    {
        VulkanBackend.Register();
        try
        {
            _ = Device.Vulkan(0).Backend;
        }
        catch (VulkanUnavailableException e)
        {
            if (Environment.GetEnvironmentVariable("ENGINE_REQUIRE_VULKAN") == "1") Assert.Fail($"ENGINE_REQUIRE_VULKAN=1 but there is no Vulkan device: {e.Message}");
            Assert.Inconclusive(e.Message);
        }
        var dir = Path.Combine(Path.GetTempPath(), "engine-train-vulkan-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cpu = Train("cpu", Path.Combine(dir, "cpu"), model, hidden);
            var vulkan = Train("vulkan", Path.Combine(dir, "vulkan"), model, hidden);
            var expected = cpu.GetProperty("train_loss").GetDouble();
            var actual = vulkan.GetProperty("train_loss").GetDouble();
            Assert.AreEqual(expected, actual, 1e-5 * expected, "mean training loss of the epoch");
            Assert.AreEqual(cpu.GetProperty("train_accuracy").GetDouble(), vulkan.GetProperty("train_accuracy").GetDouble());
            Assert.AreEqual(cpu.GetProperty("test_accuracy").GetDouble(), vulkan.GetProperty("test_accuracy").GetDouble());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
