using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Engine.IO;

/// <summary>One tensor as the header describes it: offsets are relative to the start of the data buffer.</summary>
internal sealed record HeaderEntry(string Name, StoredDType DType, int[] Shape, int Numel, long Begin, long End);

/// <summary>Parses a safetensors JSON header and checks it against the data buffer that follows it, so that nothing
/// is allocated or read for a file that is not well formed. Every problem is an <see cref="InvalidDataException"/>
/// naming the tensor (or key) and what is wrong with it.</summary>
internal sealed class SafetensorsHeader
{
    private const string MetadataKey = "__metadata__";

    private SafetensorsHeader(List<HeaderEntry> entries, OrderedDictionary<string, string>? metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors in file order (by data offset; header order among empty tensors at the same offset).</summary>
    public IReadOnlyList<HeaderEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map in header order, or null when the header has none.</summary>
    public OrderedDictionary<string, string>? Metadata { get; }

    /// <param name="json">The header bytes (UTF-8 JSON, possibly padded with spaces).</param>
    /// <param name="bufferLength">Bytes in the data buffer after the header.</param>
    /// <param name="context">Prefix for error messages (the operation and the file).</param>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> json, long bufferLength, string context)
    {
        CheckUtf8(json.Span, context);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Safetensors.Invalid(context, $"the header is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Safetensors.Invalid(context, $"the header must be a JSON object; got {Describe(root)}");
            var entries = new List<HeaderEntry>();
            OrderedDictionary<string, string>? metadata = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Safetensors.Invalid(context, $"the header names '{property.Name}' more than once");
                if (property.Name == MetadataKey) metadata = ParseMetadata(property.Value, context);
                else entries.Add(ParseEntry(property.Name, property.Value, bufferLength, context));
            }
            return new SafetensorsHeader(InFileOrder(entries, bufferLength, context), metadata);
        }
    }

    private static void CheckUtf8(ReadOnlySpan<byte> json, string context)
    {
        if (Utf8.IsValid(json)) return;
        var scratch = ArrayPool<char>.Shared.Rent(json.Length);
        try
        {
            Utf8.ToUtf16(json, scratch, out var valid, out _, replaceInvalidSequences: false);
            throw Safetensors.Invalid(context, $"the header is not valid UTF-8 (bad byte 0x{json[valid]:X2} at header offset {valid})");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    private static OrderedDictionary<string, string> ParseMetadata(JsonElement value, string context)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Safetensors.Invalid(context, $"'{MetadataKey}' must be an object of string values; got {Describe(value)}");
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Safetensors.Invalid(context, $"'{MetadataKey}' key '{item.Name}' holds {Describe(item.Value)}; metadata values must be strings");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Safetensors.Invalid(context, $"'{MetadataKey}' names key '{item.Name}' more than once");
        }
        return metadata;
    }

    private static HeaderEntry ParseEntry(string name, JsonElement value, long bufferLength, string context)
    {
        var where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw Safetensors.Invalid(context, $"{where}: its entry must be an object with dtype, shape and data_offsets; got {Describe(value)}");
        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in value.EnumerateObject())
        {
            if (!fields.Add(field.Name))
                throw Safetensors.Invalid(context, $"{where}: field '{field.Name}' appears more than once");
            // Unknown fields are ignored, as the reference implementation does.
            switch (field.Name)
            {
                case "dtype": dtypeValue = field.Value; break;
                case "shape": shapeValue = field.Value; break;
                case "data_offsets": offsetsValue = field.Value; break;
            }
        }
        var dtype = ParseDType(Required(dtypeValue, "dtype"), where, context);
        var shape = ParseShape(Required(shapeValue, "shape"), where, context);
        var (begin, end) = ParseOffsets(Required(offsetsValue, "data_offsets"), where, bufferLength, context);

        var numel = Numel(shape, where, context);
        var needed = numel * dtype.ElementSize;
        if (end - begin != needed)
            throw Safetensors.Invalid(context,
                $"{where}: dtype {dtype.Name} with shape {Engine.Shape.Format(shape)} needs {needed} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new HeaderEntry(name, dtype, shape, (int)numel, begin, end);

        JsonElement Required(JsonElement? field, string fieldName)
            => field ?? throw Safetensors.Invalid(context, $"{where}: the entry has no '{fieldName}'");
    }

    private static StoredDType ParseDType(JsonElement value, string where, string context)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw Safetensors.Invalid(context, $"{where}: dtype must be a string; got {Describe(value)}");
        var name = value.GetString()!;
        if (SafetensorsDType.TryRead(name, out var stored)) return stored;
        throw Safetensors.Invalid(context, SafetensorsDType.IsFormatName(name)
            ? $"{where}: dtype '{name}' is not supported by Engine (it reads F32, F64, I32, I64, BOOL, and F16/BF16 as Float32)"
            : $"{where}: unknown dtype '{name}'");
    }

    private static int[] ParseShape(JsonElement value, string where, string context)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Safetensors.Invalid(context, $"{where}: shape must be an array of sizes; got {Describe(value)}");
        var shape = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var size = ParseCount(item, $"{where}: shape entry {i}", context);
            if (size > int.MaxValue)
                throw Safetensors.Invalid(context, $"{where}: shape entry {i} is {size}; Engine dimensions are at most {int.MaxValue}");
            shape[i++] = (int)size;
        }
        return shape;
    }

    private static (long Begin, long End) ParseOffsets(JsonElement value, string where, long bufferLength, string context)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
            throw Safetensors.Invalid(context, $"{where}: data_offsets must be an array [begin, end]; got {value.GetRawText()}");
        var begin = ParseCount(value[0], $"{where}: data_offsets begin", context);
        var end = ParseCount(value[1], $"{where}: data_offsets end", context);
        if (end < begin)
            throw Safetensors.Invalid(context, $"{where}: data_offsets [{begin}, {end}] end before they begin");
        if (end > bufferLength)
            throw Safetensors.Invalid(context,
                $"{where}: data_offsets [{begin}, {end}] are out of range: the data buffer after the header has {bufferLength} bytes");
        return (begin, end);
    }

    /// <summary>A JSON number that is a non-negative integer (shape entries and offsets).</summary>
    private static long ParseCount(JsonElement value, string what, string context)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw Safetensors.Invalid(context, $"{what} must be a non-negative integer; got {Describe(value)}");
        if (value.TryGetInt64(out var n))
        {
            if (n < 0) throw Safetensors.Invalid(context, $"{what} is negative ({n})");
            return n;
        }
        if (value.TryGetUInt64(out _))
            throw Safetensors.Invalid(context, $"{what} ({value.GetRawText()}) is too large");
        throw Safetensors.Invalid(context, $"{what} must be an integer; got {value.GetRawText()}");
    }

    private static long Numel(int[] shape, string where, string context)
    {
        if (shape.Contains(0)) return 0;
        long numel = 1;
        foreach (var d in shape)
        {
            numel *= d;
            if (numel > int.MaxValue)
                throw Safetensors.Invalid(context,
                    $"{where}: shape {Engine.Shape.Format(shape)} has more than {int.MaxValue} elements, the most an Engine tensor holds");
        }
        return numel;
    }

    /// <summary>The tensors must tile the data buffer exactly: sorted by offset, each starts where the previous one
    /// ends, the first at 0 and the last at the end of the file. No gaps (no hidden bytes, no polyglot files) and no
    /// overlaps (no aliasing). Returns the entries in that order.</summary>
    private static List<HeaderEntry> InFileOrder(List<HeaderEntry> entries, long bufferLength, string context)
    {
        // OrderBy is stable: empty tensors that share an offset keep their header order.
        var order = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        HeaderEntry? previous = null;
        foreach (var e in order)
        {
            if (e.Begin < position)
                throw Safetensors.Invalid(context,
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            if (e.Begin > position)
                throw Safetensors.Invalid(context,
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave a gap: bytes [{position}, {e.Begin}) of the data buffer belong to no tensor");
            position = e.End;
            previous = e;
        }
        if (position != bufferLength)
            throw Safetensors.Invalid(context,
                $"the data buffer has {bufferLength - position} bytes after the last tensor{(previous is null ? "" : $" ('{previous.Name}')")} ends at offset {position}; tensors must cover it exactly");
        return order;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };
}
