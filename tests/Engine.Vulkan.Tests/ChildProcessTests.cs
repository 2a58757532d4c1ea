using System.Diagnostics;

namespace Engine.Vulkan.Tests;

/// <summary>What can only be seen in a fresh process: the loader reads VK_ICD_FILENAMES, and the instance enables
/// validation, once per process. Each test runs Engine.Vulkan.Probe with its own environment.</summary>
[TestClass]
public sealed class ChildProcessTests
{
    private static string RunProbe(string mode, params (string Name, string Value)[] environment)
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "Engine.Vulkan.Probe.dll");
        var start = new ProcessStartInfo("dotnet", [probe, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the probe ({mode}) did not exit within 2 minutes: a hang");
        }
        Assert.AreEqual(0, process.ExitCode, $"probe {mode} failed: {output.Result}{error.Result}");
        return output.Result;
    }

    [TestMethod]
    public void NoDriverGivesOneClearSentence()
    {
        var output = RunProbe("devices", ("VK_ICD_FILENAMES", "/nonexistent/icd.json"), ("VK_DRIVER_FILES", "/nonexistent/icd.json"));
        StringAssert.Contains(output, "backend-error Vulkan: ");
        StringAssert.Contains(output, "install a driver");
        StringAssert.Contains(output, "cpu-sum 6");
    }

    [TestMethod]
    public void NoLoaderGivesOneClearSentence()
    {
        var output = RunProbe("devices", ("ENGINE_VULKAN_LOADER", "/nonexistent/libvulkan.so.1"));
        StringAssert.Contains(output, "backend-error Vulkan: the Vulkan loader /nonexistent/libvulkan.so.1 (ENGINE_VULKAN_LOADER) could not be loaded");
        StringAssert.Contains(output, "libvulkan1");
        StringAssert.Contains(output, "cpu-sum 6");
    }

    [TestMethod]
    public void ALoaderNamedByPathIsUsed()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var output = RunProbe("devices", ("ENGINE_VULKAN_LOADER", OperatingSystem.IsWindows() ? "vulkan-1.dll" : "libvulkan.so.1"));
        StringAssert.Contains(output, $"device 0: ");
        StringAssert.Contains(output, "backend vulkan:0");
    }

    [TestMethod]
    public void ValidationReportsNoErrorsWithDirectAndStagedMemory()
    {
        VulkanTestDevice.BackendOrInconclusive();
        var direct = RunProbe("ops", ("ENGINE_VULKAN_VALIDATION", "1"));
        var staged = RunProbe("ops", ("ENGINE_VULKAN_VALIDATION", "1"), ("ENGINE_VULKAN_STAGING", "1"));
        StringAssert.Contains(direct, "validation-errors 0", direct);
        StringAssert.Contains(staged, "validation-errors 0", staged);
        StringAssert.Contains(staged, "staging True");
        // tanh of x transposed, plus 0.5: first element tanh(1) + 0.5 (float32 widened to float64).
        var first = double.Parse(Line(direct, "values").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.AreEqual(Math.Tanh(1) + 0.5, first, 1e-6);
        Assert.AreEqual(Line(direct, "values"), Line(staged, "values"));
        Assert.AreEqual("greater True False False True True False", Line(direct, "greater"));
        Assert.AreEqual(Line(direct, "greater"), Line(staged, "greater"));
    }

    private static string Line(string output, string prefix) => output.Split('\n').Single(l => l.StartsWith(prefix + " ")).TrimEnd();
}
