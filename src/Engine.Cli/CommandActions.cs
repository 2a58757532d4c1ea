using System.CommandLine;

namespace Engine.Cli;

internal static class CommandActions
{
    /// <summary>Sets a command's action under the shared output convention: the action gets a <see cref="CliOutput"/>
    /// and returns the exit code; a user error (bad argument, missing file, unusable device) becomes a one-line
    /// message (and a JSON error object with --json) and exit code 1 instead of a stack trace.</summary>
    public static Command WithAction(this Command command, Func<ParseResult, CliOutput, int> action)
    {
        command.SetAction(parse =>
        {
            var output = CliOutput.From(parse);
            try
            {
                return action(parse, output);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException)
            {
                output.WriteError(e.Message);
                return 1;
            }
        });
        return command;
    }
}
