using System.CommandLine;
using System.Text.Json.Nodes;
using Engine.Vulkan;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine info</c>: what this engine is and what it runs on (see <see cref="EngineInfo"/>), including the
/// Vulkan devices or the reason there are none.</summary>
internal static class InfoCommand
{
    public static Command Create() =>
        new Command("info", "Show the engine version, .NET runtime, SIMD width, cores, threads, backends and Vulkan devices")
            .WithAction((_, output) =>
            {
                var info = EngineInfo.Current();
                var (devices, unavailable) = VulkanBackend.Enumerate();
                if (output.Json)
                {
                    // EngineInfo's fields plus a "vulkan" object: Engine itself knows nothing of Vulkan.
                    var json = JsonNode.Parse(CliOutput.Serialize(info))!.AsObject();
                    json["vulkan"] = JsonNode.Parse(CliOutput.Serialize(new { Devices = devices, Unavailable = unavailable }));
                    output.WriteJson(json);
                }
                else output.Human.Write(Render(info, devices, unavailable));
                return 0;
            });

    private static Grid Render(EngineInfo info, IReadOnlyList<VulkanDeviceInfo> devices, string? unavailable)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string value) => grid.AddRow(new Markup($"[bold]{name}[/]"), new Text(value));
        Row("Engine", info.Version);
        Row(".NET runtime", info.Runtime);
        Row("OS", $"{info.Os} ({info.Architecture})");
        Row("SIMD width", info.SimdWidthBits == 0
            ? "none (scalar code only)"
            : $"{info.SimdWidthBits} bits (hardware-accelerated: {string.Join(", ", info.SimdAcceleratedBits.Select(b => $"Vector{b}"))})");
        Row("Logical cores", info.LogicalCores.ToString());
        Row("CPU threads", info.Threads.ToString());
        Row("Backends", string.Join(", ", info.Backends));
        if (unavailable is not null) Row("Vulkan", unavailable);
        foreach (var d in devices)
            Row($"vulkan:{d.Index}", $"{d.Name} ({d.Type}), driver {d.Driver} {d.DriverInfo}, Vulkan {d.ApiVersion}, "
                + $"{d.DeviceLocalBytes / (1 << 20)} MiB, subgroup {d.SubgroupSize}{(d.SubgroupArithmetic ? " (arithmetic)" : "")}, float64 {(d.Float64 ? "yes" : "no")}");
        return grid;
    }
}
