using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Engine.Cli;

/// <summary>The output convention every <c>engine</c> command follows. Progress and diagnostics always go to
/// stderr. Without <c>--json</c> the result is written for people on stdout; with <c>--json</c> stdout carries
/// exactly one JSON object (snake_case keys): the result, or <c>{"error": "..."}</c> when the command fails.</summary>
internal sealed class CliOutput
{
    private const string JsonOptionName = "--json";

    /// <summary>The --json option, for the root command: recursive, so every command accepts it before or after its
    /// name. A new instance per parser, since an option records the commands it is added to.</summary>
    public static Option<bool> CreateJsonOption() => new(JsonOptionName)
    {
        Description = "Write the result as one JSON object on stdout; progress stays on stderr",
        Recursive = true,
    };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Stdout is not HTML: keep '+', '<' and non-ASCII text readable instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly TextWriter stdout;

    public CliOutput(bool json, TextWriter stdout, TextWriter stderr)
    {
        Json = json;
        this.stdout = stdout;
        Human = CreateConsole(stdout);
        Progress = CreateConsole(stderr);
    }

    public bool Json { get; }

    /// <summary>The result for people, on stdout. Commands write here only when <see cref="Json"/> is false.</summary>
    public IAnsiConsole Human { get; }

    /// <summary>Progress and diagnostics, on stderr, in both modes.</summary>
    public IAnsiConsole Progress { get; }

    public static CliOutput From(ParseResult parse) =>
        new(parse.GetValue<bool>(JsonOptionName), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);

    /// <summary>Writes the command's one JSON object to stdout, on a single line.</summary>
    public void WriteJson<T>(T result) => stdout.WriteLine(Serialize(result));

    /// <summary>A result as the commands print it with --json, for the copy they keep in their run directory.</summary>
    public static string Serialize<T>(T result) => JsonSerializer.Serialize(result, JsonOptions);

    /// <summary>Reports a failed command: the message on stderr and, with --json, as the JSON object.</summary>
    public void WriteError(string message)
    {
        Progress.MarkupLineInterpolated($"[red]error:[/] {message}");
        if (Json) WriteJson(new { Error = message });
    }

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        // Spectre assumes 80 columns when the writer is not a terminal; logs and pipes read better unwrapped.
        if (!console.Profile.Out.IsTerminal) console.Profile.Width = 200;
        return console;
    }
}
