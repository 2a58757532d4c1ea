using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>The one Vulkan backend the tests share (pipelines compile once per process). Without a device a test is
/// marked inconclusive with the reason, unless ENGINE_REQUIRE_VULKAN=1 (CI sets it), in which case it fails.
/// ENGINE_DEVICE=vulkan:N picks the device.</summary>
internal static class VulkanTestDevice
{
    private static readonly Lazy<VulkanBackend> Shared = new(() => (VulkanBackend)DeviceFromEnvironment().Backend);

    public static Device DeviceFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("ENGINE_DEVICE");
        return text is not null && text.StartsWith("vulkan", StringComparison.OrdinalIgnoreCase) ? Device.Parse(text) : Device.Vulkan(0);
    }

    public static VulkanBackend BackendOrInconclusive()
    {
        try
        {
            return Shared.Value;
        }
        catch (VulkanUnavailableException e)
        {
            if (Environment.GetEnvironmentVariable("ENGINE_REQUIRE_VULKAN") == "1")
                Assert.Fail($"ENGINE_REQUIRE_VULKAN=1 but there is no Vulkan device: {e.Message}");
            Assert.Inconclusive(e.Message);
            throw;
        }
    }

    public static IBackend Cpu => Engine.Backends.Cpu.CpuBackend.Instance;
}
