using System.CommandLine;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine info</c>: what this engine is and what it runs on (see <see cref="EngineInfo"/>).</summary>
internal static class InfoCommand
{
    public static Command Create() =>
        new Command("info", "Show the engine version, .NET runtime, SIMD width, cores, threads and backends")
            .WithAction((_, output) =>
            {
                var info = EngineInfo.Current();
                if (output.Json) output.WriteJson(info);
                else output.Human.Write(Render(info));
                return 0;
            });

    private static Grid Render(EngineInfo info)
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
        return grid;
    }
}
