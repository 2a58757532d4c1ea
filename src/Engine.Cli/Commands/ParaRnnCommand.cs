using System.CommandLine;
using Engine.Lab.Sequence;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine pararnn</c>: evaluates a ParaRNN cell on random inputs by Newton's method with parallel
/// reductions and times it; with --check also by the sequential loop, reporting the largest differences of the
/// states and of the BPTT gradients.</summary>
internal static class ParaRnnCommand
{
    public static Command Create()
    {
        var defaults = new ParaRnnCheckOptions();
        var cell = new Option<string>("--cell") { Description = "paragru, paralstm or gru-dense", Required = true };
        var length = new Option<int>("--length") { Description = "Sequence length T", Required = true };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units (ParaLSTM's state holds c and h, twice this)", DefaultValueFactory = _ => defaults.Hidden };
        var input = new Option<int?>("--input") { Description = "Input features (default: the hidden size)" };
        var batch = new Option<int>("--batch") { Description = "Sequences evaluated together", DefaultValueFactory = _ => defaults.Batch };
        var heads = new Option<int>("--heads") { Description = "Heads of ParaGRU/ParaLSTM's block-diagonal input weights", DefaultValueFactory = _ => defaults.Heads };
        var iterations = new Option<int>("--iterations") { Description = "Newton iterations (the most, with --tolerance)", DefaultValueFactory = _ => defaults.Newton.Iterations };
        var tolerance = new Option<double?>("--tolerance") { Description = "Stop Newton once the largest residual is at most this" };
        var dtype = new Option<string>("--dtype") { Description = "float32 or float64", DefaultValueFactory = _ => "float32" };
        var check = new Option<bool>("--check") { Description = "Compare with sequential evaluation (states, BPTT gradients, time)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights and inputs", DefaultValueFactory = _ => defaults.Seed };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of untimed runs on a short sequence first, so the JIT has optimised both solvers", DefaultValueFactory = _ => defaults.WarmupSeconds };
        var command = new Command("pararnn", "Evaluate a nonlinear RNN over the whole sequence at once by Newton's method and parallel scans (ParaRNN)")
        {
            cell, length, hidden, input, batch, heads, iterations, tolerance, dtype, check, seed, warmup,
        };
        return command.WithAction((parse, output) =>
        {
            var options = new ParaRnnCheckOptions
            {
                Cell = parse.GetValue(cell)!,
                Length = parse.GetValue(length),
                Hidden = parse.GetValue(hidden),
                Input = parse.GetValue(input),
                Batch = parse.GetValue(batch),
                Heads = parse.GetValue(heads),
                Newton = new ParaRnnOptions { Iterations = parse.GetValue(iterations), Tolerance = parse.GetValue(tolerance) },
                DType = parse.GetValue(dtype) switch
                {
                    "float32" => DType.Float32,
                    "float64" => DType.Float64,
                    var other => throw new ArgumentException($"pararnn: --dtype must be float32 or float64; got '{other}'"),
                },
                Check = parse.GetValue(check),
                Seed = parse.GetValue(seed),
                WarmupSeconds = parse.GetValue(warmup),
            };
            output.Progress.MarkupLineInterpolated(
                $"[bold]engine pararnn[/] {options.Cell}, T {options.Length}, hidden {options.Hidden}, batch {options.Batch}, {parse.GetValue(dtype)}, {options.Newton.Iterations} Newton iterations{(options.Check ? ", checked against the sequential loop" : "")}");
            var r = ParaRnnCheck.Run(options);
            if (output.Json) output.WriteJson(r);
            else
            {
                output.Human.MarkupLineInterpolated(
                    $"parallel [bold]{r.SecondsParallel:F4} s[/] ({r.NewtonIterations} Newton iterations, {r.Threads} threads)");
                if (r.SecondsSequential is { } s)
                    output.Human.MarkupLineInterpolated(
                        $"sequential [bold]{s:F4} s[/]; max |parallel - sequential|: states {r.MaxAbsDiffForward:E2}, gradients {r.MaxAbsDiffGrad:E2} (relative {r.MaxRelDiffGrad:E2})");
            }
            return 0;
        });
    }
}
