using System.Globalization;
using BenchmarkDotNet.Running;
using Engine.Bench.Compare;
using Engine.Bench.Native;

namespace Engine.Bench;

/// <summary>Engine's benchmarks against TorchSharp and OpenBLAS.
///   Engine.Bench --compare [--json] [--rounds N] [--case TEXT] [--openblas-coretype auto|detect|NAME]
///     the quick comparison: one table (or JSON object) of speedups, a few minutes;
///   Engine.Bench [--openblas-coretype ...] [BenchmarkDotNet options, e.g. --filter '*Gemm*']
///     the full BenchmarkDotNet suite (in-process; Ratio = peer time / Engine time).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        bool compare = false, json = false;
        var rounds = 9;
        string? caseFilter = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--compare": compare = true; break;
                case "--json": json = true; break;
                case "--rounds": rounds = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--case": caseFilter = Value(args, ref i); break;
                case "--openblas-coretype": OpenBlas.CoreTypeChoice = Value(args, ref i); break;
                default: rest.Add(args[i]); break;
            }
        }
        if (compare && rest.Count > 0)
        {
            Console.Error.WriteLine($"Engine.Bench --compare: unknown arguments {string.Join(' ', rest)}");
            return 2;
        }
        var machine = MachineInfo.Collect();
        foreach (var line in machine.Lines()) Console.Error.WriteLine(line);
        if (!compare)
        {
            // In-process: the default toolchain would build a copy of this project (with its 1 GB of libtorch) per run.
            if (!rest.Contains("--inProcess") && !rest.Contains("-i")) rest.Add("--inProcess");
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest]);
            return 0;
        }
        var harness = new Harness(rounds, warmupSeconds: 0.5, minSampleSeconds: 0.05);
        var results = CompareRunner.Run(harness, caseFilter, Console.Error);
        Console.Out.Write(json ? Report.Json(results, machine, rounds) + "\n" : Report.Table(results, machine, rounds));
        return 0;
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
