using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>What <c>engine info</c> and feature checks need to know about one physical device.</summary>
/// <param name="Index">The engine's index (<c>Device.Vulkan(Index)</c>): devices are ordered discrete GPU first,
/// then integrated, virtual, CPU, keeping the driver's order within a type.</param>
/// <param name="Type">"discrete GPU", "integrated GPU", "virtual GPU", "CPU" or "other".</param>
/// <param name="DeviceLocalBytes">Total size of the device-local memory heaps.</param>
/// <param name="Float64">shaderFloat64: float64 kernels can run.</param>
/// <param name="Int64">shaderInt64: conversions to and from int64/float64 can run.</param>
/// <param name="SubgroupArithmetic">The device's subgroups support basic, vote and arithmetic operations in compute
/// shaders (PhysicalDeviceSubgroupProperties): reductions combine partial results with subgroupAdd/Max/Min.</param>
public sealed record VulkanDeviceInfo(
    int Index,
    string Name,
    string Type,
    string Driver,
    string DriverInfo,
    string ApiVersion,
    long DeviceLocalBytes,
    uint SubgroupSize,
    bool Float64,
    bool Int64,
    uint MaxStorageBufferRange,
    uint MaxComputeWorkGroupCountX,
    bool SubgroupArithmetic = false)
{
    /// <summary>Device types from most to least preferred.</summary>
    private static readonly string[] Preference = ["discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"];

    /// <summary>The most loop iterations one shader invocation may run: llvmpipe (lavapipe) silently stops loops after
    /// 65535 iterations in all, so kernels whose per-invocation loops could run longer refuse such sizes there.</summary>
    internal long LoopIterationLimit => Driver == "llvmpipe" ? 65535 : long.MaxValue;

    /// <summary>Smaller is preferred when choosing device 0.</summary>
    internal static int TypeRank(string type) => Array.IndexOf(Preference, type);

    internal static string TypeName(PhysicalDeviceType type) => type switch
    {
        PhysicalDeviceType.DiscreteGpu => Preference[0],
        PhysicalDeviceType.IntegratedGpu => Preference[1],
        PhysicalDeviceType.VirtualGpu => Preference[2],
        PhysicalDeviceType.Cpu => Preference[3],
        _ => Preference[4],
    };
}
