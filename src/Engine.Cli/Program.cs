using System.CommandLine;
using System.CommandLine.Help;
using Engine.Cli.Commands;

namespace Engine.Cli;

/// <summary>The <c>engine</c> command. <see cref="Run"/> is the whole program with its streams passed in, so tests
/// run commands in-process.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs one command line, writing results to <paramref name="stdout"/> and progress,
    /// diagnostics and parse errors to <paramref name="stderr"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // Engine cannot reference its device backends; registering here makes --device vulkan[:N] resolve.
        Engine.Vulkan.VulkanBackend.Register();
        // A plain Command rather than RootCommand, whose name would be the assembly's (Engine.Cli), not the tool's.
        var json = CliOutput.CreateJsonOption();
        var root = new Command("engine", "Engine: a deep-learning engine written in C#.")
        {
            Options = { new HelpOption(), new VersionOption(), json },
        };
        // One line per command; each lives in Commands/<Name>Command.cs.
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchDeviceCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(RegionsCommand.Create());
        root.Subcommands.Add(CodesCommand.Create());
        root.Subcommands.Add(CodesSweepCommand.Create());
        root.Subcommands.Add(PhaseChartCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(ConvexCommand.Create());
        root.Subcommands.Add(RnnCommand.Create());
        root.Subcommands.Add(ParaRnnCommand.Create());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.GetValue(json))
        {
            // Help text would break the one-JSON-object promise; report the parse errors as the object instead.
            new CliOutput(json: true, stdout, stderr).WriteError(string.Join("; ", parse.Errors.Select(e => e.Message)));
            return 1;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
