using System.Runtime.InteropServices;
using Engine.Backends.Cpu;
using Engine.Bench.Native;

namespace Engine.Bench.Compare;

/// <summary>What a set of numbers was measured on: recorded next to them in the table, the JSON and the docs.</summary>
public sealed record MachineInfo(
    string Date, string Cpu, int LogicalCpus, bool Avx512, string Os, string Dotnet, int EngineThreads,
    string TorchSharp, string OpenBlas, string LoadAverage, string? EngineCommit)
{
    public static MachineInfo Collect()
    {
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        string Field(string name) => cpuinfo.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var flags = Field("flags").Split(' ');
        return new MachineInfo(
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            Field("model name"),
            Environment.ProcessorCount,
            flags.Contains("avx512f"),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            CpuParallel.MaxThreads,
            TorchSharpRuntime.Status,
            Native.OpenBlas.Status,
            File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown",
            Environment.GetEnvironmentVariable("ENGINE_BENCH_COMMIT") is { Length: > 0 } commit ? commit : null);
    }

    public IEnumerable<string> Lines()
    {
        yield return $"date: {Date}{(EngineCommit is null ? "" : $", Engine commit {EngineCommit}")}";
        yield return $"cpu: {Cpu}, {LogicalCpus} logical CPUs, avx512f {(Avx512 ? "yes" : "no")}; load average before the run {LoadAverage}";
        yield return $"runtime: {Dotnet} on {Os}; Engine threads {EngineThreads}";
        yield return $"torchsharp: {TorchSharp}";
        yield return $"openblas: {OpenBlas}";
    }
}
