using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>What <c>engine info</c> and feature checks need to know about one physical device.</summary>
/// <param name="Index">The engine's index (<c>Device.Vulkan(Index)</c>): devices are ordered discrete GPU first,
/// then integrated, virtual, CPU, keeping the driver's order within a type.</param>
public sealed record VulkanDeviceInfo(
    int Index,
    string Name,
    PhysicalDeviceType Type,
    string Driver,
    string DriverInfo,
    string ApiVersion,
    long DeviceLocalBytes,
    uint SubgroupSize,
    bool Float64,
    bool Int64,
    uint MaxStorageBufferRange,
    uint MaxComputeWorkGroupCountX)
{
    /// <summary>Smaller is preferred when choosing device 0.</summary>
    internal static int TypeRank(PhysicalDeviceType type) => type switch
    {
        PhysicalDeviceType.DiscreteGpu => 0,
        PhysicalDeviceType.IntegratedGpu => 1,
        PhysicalDeviceType.VirtualGpu => 2,
        PhysicalDeviceType.Cpu => 3,
        _ => 4,
    };

    public string TypeName => Type switch
    {
        PhysicalDeviceType.DiscreteGpu => "discrete GPU",
        PhysicalDeviceType.IntegratedGpu => "integrated GPU",
        PhysicalDeviceType.VirtualGpu => "virtual GPU",
        PhysicalDeviceType.Cpu => "CPU",
        _ => "other",
    };
}
