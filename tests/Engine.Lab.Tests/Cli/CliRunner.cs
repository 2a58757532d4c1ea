using Engine.Cli;

namespace Engine.Lab.Tests.Cli;

/// <summary>Runs an <c>engine</c> command line in-process and captures its streams.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
