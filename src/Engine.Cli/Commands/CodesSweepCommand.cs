using System.CommandLine;
using Engine.Lab.Experiments;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine codes-sweep</c>: the codes experiment over the values of one variable x seeds, resumable (rerun
/// with the same --out to continue) and shardable (--shard i/n); writes the cells and the tables and plots
/// (<see cref="GridReports"/>).</summary>
internal static class CodesSweepCommand
{
    public static Command Create()
    {
        var shared = new CodesCliOptions();
        var vary = new Option<string>("--vary") { Description = string.Join(" | ", CodesSweepOptions.VariableNames), Required = true };
        var values = new Option<string>("--values") { Description = "Comma-separated values of the variable (epochs: the checkpoints, 0 = before training)", Required = true };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds", DefaultValueFactory = _ => "1,2,3" };
        var shard = GridCommand.ShardOption();
        var outDir = GridCommand.OutOption("codes-sweep");
        var command = new Command("codes-sweep", "Sweep one variable of the codes experiment over values x seeds");
        foreach (var o in shared.All()) command.Options.Add(o);
        foreach (var o in new Option[] { vary, values, seeds, shard, outDir }) command.Options.Add(o);
        return command.WithAction((parse, output) =>
        {
            var spec = new GridSpec(Sweep: new CodesSweepOptions(
                shared.Read(parse, seed: 0),
                CodesSweepOptions.ParseVariable(parse.GetValue(vary)!),
                CodesCliOptions.ParseList<double>(parse.GetValue(values)!, "--values"),
                CodesCliOptions.ParseList<ulong>(parse.GetValue(seeds)!, "--seeds")));
            return GridCommand.Run(output, spec, Shard.Parse(parse.GetValue(shard)!), parse.GetValue(outDir) ?? CodesCliOptions.DefaultRunDirectory("codes-sweep"));
        });
    }
}

/// <summary><c>engine phase-chart</c>: the activation hash phase chart over width x train size at a fixed epoch
/// budget, resumable and shardable like the sweep.</summary>
internal static class PhaseChartCommand
{
    public static Command Create()
    {
        var shared = new CodesCliOptions();
        var widths = new Option<string>("--widths") { Description = "Comma-separated total widths", DefaultValueFactory = _ => "3,10,40,100" };
        var sizes = new Option<string>("--train-sizes") { Description = "Comma-separated training-set sizes", DefaultValueFactory = _ => "100,1000,10000,48000" };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds", DefaultValueFactory = _ => "1" };
        var under = new Option<double>("--under-redundancy") { Description = "Under-expressive where the test redundancy is at least this", DefaultValueFactory = _ => 0.1 };
        var sufficient = new Option<double>("--sufficient-redundancy") { Description = "Sufficiently expressive needs the test redundancy at most this ...", DefaultValueFactory = _ => 0.01 };
        var gap = new Option<double>("--knn-gap") { Description = "... and K-NN on the codes within this of the network's test accuracy", DefaultValueFactory = _ => 0.03 };
        var shard = GridCommand.ShardOption();
        var outDir = GridCommand.OutOption("phase-chart");
        var command = new Command("phase-chart", "Classify width x train-size into under-, critically- and sufficiently-expressive regimes");
        foreach (var o in shared.All("--width", "--train-size")) command.Options.Add(o);
        foreach (var o in new Option[] { widths, sizes, seeds, under, sufficient, gap, shard, outDir }) command.Options.Add(o);
        return command.WithAction((parse, output) =>
        {
            var spec = new GridSpec(Phase: new PhaseChartOptions(
                shared.Read(parse, seed: 0),
                CodesCliOptions.ParseList<int>(parse.GetValue(widths)!, "--widths"),
                CodesCliOptions.ParseList<int>(parse.GetValue(sizes)!, "--train-sizes"),
                CodesCliOptions.ParseList<ulong>(parse.GetValue(seeds)!, "--seeds"),
                parse.GetValue(under), parse.GetValue(sufficient), parse.GetValue(gap)));
            return GridCommand.Run(output, spec, Shard.Parse(parse.GetValue(shard)!), parse.GetValue(outDir) ?? CodesCliOptions.DefaultRunDirectory("phase-chart"));
        });
    }
}

/// <summary><c>engine merge</c>: joins the shard folders of one sweep or phase chart into one folder and writes its
/// tables and plots.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("dirs") { Description = "The shard run folders", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "The merged run folder (created, or completed if it holds the same grid)", Required = true };
        var command = new Command("merge", "Join the shard folders of a codes-sweep or phase-chart") { dirs, outDir };
        return command.WithAction((parse, output) =>
        {
            var folder = RunFolder.Merge(parse.GetValue(dirs)!, parse.GetValue(outDir)!);
            var report = GridReports.Write(folder);
            output.Progress.MarkupLineInterpolated($"merged {report.Finished}/{report.Total} cells into {folder.Path}");
            if (output.Json) output.WriteJson(report);
            else output.Human.WriteLine(report.Markdown);
            return 0;
        });
    }
}

/// <summary>What codes-sweep, phase-chart and merge share: the shard and output options and the run loop.</summary>
internal static class GridCommand
{
    public static Option<string> ShardOption() => new("--shard")
    {
        Description = "Run only shard i of n (0-based: cells whose position modulo n is i), e.g. $SLURM_ARRAY_TASK_ID/4",
        DefaultValueFactory = _ => "0/1",
    };

    public static Option<string?> OutOption(string name) => new("--out") { Description = $"Run folder (default runs/{name}-<timestamp>); rerun with the same folder to resume" };

    public static int Run(CliOutput output, GridSpec spec, Shard shard, string dir)
    {
        var folder = RunFolder.Create(dir, spec);
        var total = spec.Cells().Count;
        output.Progress.MarkupLineInterpolated($"[bold]engine {spec.Kind}[/]: {total} cells, shard {shard} -> {dir}");
        using var ctrlC = new CtrlC();
        var summary = GridRunner.Run(folder, shard, new InlineProgress<GridProgress>(p =>
        {
            var prefix = $"[{p.Position}/{p.Total} {p.Cell.Key}] ";
            if (p.Skipped) output.Progress.MarkupLineInterpolated($"{prefix}already done, skipped");
            else if (p.Inner is { } inner) CodesProgressLines.Write(output, inner, prefix);
            else if (p.Result is { } r) output.Progress.MarkupLineInterpolated($"{prefix}saved ({r.Seconds:F1} s)");
        }), ctrlC.Token);
        var report = GridReports.Write(folder) with { Ran = summary.Ran, Skipped = summary.Skipped, Cancelled = summary.Cancelled, Seconds = Math.Round(summary.Seconds, 3) };
        if (summary.Cancelled) output.Progress.MarkupLine("[yellow]stopped[/]: the finished cells are saved; rerun with the same --out to continue");
        if (output.Json) output.WriteJson(report);
        else output.Human.WriteLine(report.Markdown);
        return summary.Cancelled ? 130 : 0;
    }
}
