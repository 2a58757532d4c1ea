using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Lab.Experiments;

/// <summary>The JSON form of the lab's result files: snake_case keys like the CLI's --json output, enums by kebab
/// name (train-size), NaN allowed (an accuracy on an empty split), indented for people reading a run folder.</summary>
public static class LabJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json, string path)
        => JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{path}: holds JSON null, not a {typeof(T).Name}");
}
