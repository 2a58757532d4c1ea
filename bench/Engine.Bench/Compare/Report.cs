using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Bench.Compare;

/// <summary>The compare mode's outputs: one table of speedups, or one JSON object keyed by result.</summary>
public static class Report
{
    public static string Table(IReadOnlyList<CompareResult> results, MachineInfo machine, int rounds)
    {
        var text = new StringBuilder();
        foreach (var line in machine.Lines()) text.AppendLine(line);
        text.AppendLine($"{CompareRunner.RatioDefinition}; medians of {rounds} interleaved samples");
        text.AppendLine();
        var width = results.Select(r => r.Key.Length).DefaultIfEmpty(4).Max();
        var header = $"{"case".PadRight(width)} {"Engine",10} {"peer",10} {"speedup",8} {"target",7}  {"Engine thrpt",14} {"peer thrpt",14}  Engine managed/call";
        text.AppendLine(header);
        text.AppendLine(new string('-', header.Length));
        foreach (var r in results)
        {
            var target = r.Target is { } t ? $">={t:0.##}{(r.Speedup >= t ? " " : "!")}" : "";
            var unit = r.Case.Throughput.Unit;
            string Thrpt(double? v) => v is { } x ? $"{Format.Number(x)} {unit}" : "";
            text.AppendLine(
                $"{r.Key.PadRight(width)} {Format.Time(r.EngineSeconds),10} {Format.Time(r.PeerSeconds),10} {r.Speedup,7:0.00}x {target,7}  " +
                $"{Thrpt(r.EngineThroughput),14} {Thrpt(r.PeerThroughput),14}  {Format.Bytes(r.EngineBytesPerCall)}");
        }
        text.AppendLine();
        text.AppendLine("target: the issue's acceptance threshold on the speedup ('!' marks one not met); thrpt: throughput.");
        text.AppendLine("cases:");
        foreach (var c in results.Select(r => r.Case).Distinct()) text.AppendLine($"  {c.Key}: {c.Description}");
        return text.ToString();
    }

    public static string Json(IReadOnlyList<CompareResult> results, MachineInfo machine, int rounds)
    {
        var root = new JsonObject { ["ratio_definition"] = CompareRunner.RatioDefinition };
        foreach (var r in results) root[r.Key] = Math.Round(r.Speedup, 4);
        var bytes = new JsonObject();
        foreach (var r in results.Where(r => r.Case is Cases.TrainStepCase).DistinctBy(r => r.Case.Key))
            bytes[r.Case.Key] = Math.Round(r.EngineBytesPerCall);
        root["engine_managed_bytes_per_step"] = bytes;
        var targets = new JsonObject();
        foreach (var r in results.Where(r => r.Target is not null)) targets[r.Key] = new JsonObject { ["min_speedup"] = r.Target, ["met"] = r.Speedup >= r.Target };
        root["targets"] = targets;
        var details = new JsonObject();
        foreach (var r in results)
            details[r.Key] = new JsonObject
            {
                ["description"] = r.Case.Description,
                ["engine_seconds"] = r.EngineSeconds,
                ["peer_seconds"] = r.PeerSeconds,
                ["throughput_unit"] = r.Case.Throughput.Unit is { Length: > 0 } u ? u : null,
                ["engine_throughput"] = r.EngineThroughput,
                ["peer_throughput"] = r.PeerThroughput,
                ["engine_managed_bytes_per_call"] = Math.Round(r.EngineBytesPerCall),
            };
        root["details"] = details;
        root["machine"] = new JsonObject
        {
            ["date"] = machine.Date,
            ["cpu"] = machine.Cpu,
            ["logical_cpus"] = machine.LogicalCpus,
            ["avx512f"] = machine.Avx512,
            ["os"] = machine.Os,
            ["dotnet"] = machine.Dotnet,
            ["engine_threads"] = machine.EngineThreads,
            ["engine_commit"] = machine.EngineCommit,
            ["torchsharp"] = machine.TorchSharp,
            ["openblas"] = machine.OpenBlas,
            ["load_average"] = machine.LoadAverage,
        };
        root["rounds"] = rounds;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
