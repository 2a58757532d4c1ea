using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Backends;
using Engine.Backends.Cpu;

namespace Engine;

/// <summary>What this process's engine is and what it runs on: the facts a benchmark or a bug report needs
/// beside its numbers.</summary>
/// <param name="Version">The Engine assembly's informational version (with the source revision when built from git).</param>
/// <param name="Runtime">The .NET runtime, e.g. ".NET 10.0.0".</param>
/// <param name="Os">The operating system description.</param>
/// <param name="Architecture">The process architecture, e.g. "x64", "arm64".</param>
/// <param name="SimdAcceleratedBits">The vector widths (512, 256, 128) the JIT accelerates in hardware, widest first.</param>
/// <param name="SimdWidthBits">The width the CPU kernels use: the widest accelerated one (0: scalar code only).</param>
/// <param name="LogicalCores">Logical cores visible to this process.</param>
/// <param name="Threads">Threads the CPU backend splits large loops across.</param>
/// <param name="Backends">Backends available in this process ("cpu" always, others once their assembly registers).</param>
public sealed record EngineInfo(
    string Version,
    string Runtime,
    string Os,
    string Architecture,
    IReadOnlyList<int> SimdAcceleratedBits,
    int SimdWidthBits,
    int LogicalCores,
    int Threads,
    IReadOnlyList<string> Backends)
{
    /// <summary>Gathers the information for the current process.</summary>
    public static EngineInfo Current()
    {
        var accelerated = new List<int>();
        if (Vector512.IsHardwareAccelerated) accelerated.Add(512);
        if (Vector256.IsHardwareAccelerated) accelerated.Add(256);
        if (Vector128.IsHardwareAccelerated) accelerated.Add(128);
        return new EngineInfo(
            Version: VersionOf(typeof(Tensor).Assembly),
            Runtime: RuntimeInformation.FrameworkDescription,
            Os: RuntimeInformation.OSDescription,
            Architecture: RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            SimdAcceleratedBits: accelerated,
            // TensorPrimitives and our own kernels take the widest accelerated Vector path.
            SimdWidthBits: accelerated.Count > 0 ? accelerated[0] : 0,
            LogicalCores: Environment.ProcessorCount,
            Threads: CpuParallel.MaxThreads,
            Backends: [.. BackendRegistry.Available().Select(t => t.ToString().ToLowerInvariant())]);
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}
