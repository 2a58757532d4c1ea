using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Engine.Backends.Cpu;

namespace Engine.IO;

/// <summary>A safetensors file ready to be written: the header is built (and every argument checked) up front, the
/// tensor data is copied out of each tensor only as it is written. The layout is the reference implementation's:
/// tensors sorted by descending dtype alignment, then by name; the header is compact JSON with <c>__metadata__</c>
/// first, padded with spaces to a multiple of 8 bytes so the data buffer starts 8-byte aligned.</summary>
internal sealed class SafetensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<(string Name, Tensor Tensor, int[] Shape)> tensors;
    private readonly byte[] header;
    private readonly string op;

    private SafetensorsWriter(List<(string, Tensor, int[])> tensors, byte[] header, long dataLength, string op)
    {
        this.tensors = tensors;
        this.header = header;
        this.op = op;
        Length = 8L + header.Length + dataLength;
    }

    /// <summary>Total bytes of the file.</summary>
    public long Length { get; }

    public static SafetensorsWriter Plan(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata, string op)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Safetensors.CheckLittleEndianHost();
        var ordered = new List<(string Name, Tensor Tensor, int[] Shape, byte[] Utf8Name)>(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            if (name == "__metadata__")
                throw new ArgumentException($"{op}: '__metadata__' is reserved by the format and cannot name a tensor");
            if (tensor is null)
                throw new ArgumentException($"{op}: tensor '{name}' is null");
            ordered.Add((name, tensor, tensor.Shape.ToArray(), Utf8(name, op, $"tensor name '{name}'")));
        }
        ordered.Sort((a, b) =>
        {
            var byDType = SafetensorsDType.ReferenceOrder(b.Tensor.DType).CompareTo(SafetensorsDType.ReferenceOrder(a.Tensor.DType));
            return byDType != 0 ? byDType : a.Utf8Name.AsSpan().SequenceCompareTo(b.Utf8Name);
        });

        var json = new StringBuilder("{");
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            var first = true;
            foreach (var (key, value) in metadata)
            {
                if (value is null) throw new ArgumentException($"{op}: metadata key '{key}' has a null value");
                Utf8(key, op, $"metadata key '{key}'");
                Utf8(value, op, $"the value of metadata key '{key}'");
                if (!first) json.Append(',');
                AppendString(json, key).Append(':');
                AppendString(json, value);
                first = false;
            }
            json.Append('}');
        }
        long offset = 0;
        foreach (var (name, tensor, shape, _) in ordered)
        {
            var bytes = (long)tensor.Numel * tensor.DType.ElementSize();
            if (json.Length > 1) json.Append(',');
            AppendString(json, name).Append(":{\"dtype\":\"").Append(SafetensorsDType.Name(tensor.DType)).Append("\",\"shape\":[");
            json.AppendJoin(',', shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append(CultureInfo.InvariantCulture, $"],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        json.Append('}');
        // Pad to a multiple of 8 so that, after the 8-byte length, the data buffer (and with the dtype ordering, every
        // tensor) is aligned to its element size.
        var padding = (8 - StrictUtf8.GetByteCount(json.ToString()) % 8) % 8;
        json.Append(' ', padding);
        var header = StrictUtf8.GetBytes(json.ToString());
        return new SafetensorsWriter(ordered.Select(t => (t.Name, t.Tensor, t.Shape)).ToList(), header, offset, op);
    }

    public void WriteTo(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (name, tensor, shape) in tensors)
        {
            if (!tensor.Shape.SequenceEqual(shape))
                throw new InvalidOperationException(
                    $"{op}: tensor '{name}' changed shape from {Engine.Shape.Format(shape)} to {Engine.Shape.Format(tensor.Shape)} while being saved");
            WriteData(stream, tensor);
        }
    }

    /// <summary>Writes the tensor's elements in row-major order, as raw little-endian bytes.</summary>
    private static void WriteData(Stream stream, Tensor tensor)
    {
        if (tensor.Numel == 0) return;
        var host = tensor.Detach();
        if (host.Device != Device.Cpu) host = host.To(Device.Cpu);
        host = host.Contiguous();
        switch (host.DType)
        {
            case DType.Float32: WriteElements(stream, CpuBackend.Dense<float>(host)); break;
            case DType.Float64: WriteElements(stream, CpuBackend.Dense<double>(host)); break;
            case DType.Int32: WriteElements(stream, CpuBackend.Dense<int>(host)); break;
            case DType.Int64: WriteElements(stream, CpuBackend.Dense<long>(host)); break;
            case DType.Bool: WriteElements(stream, CpuBackend.Dense<byte>(host)); break;
            default: throw new ArgumentOutOfRangeException(nameof(tensor), host.DType, "no safetensors dtype");
        }
    }

    private static void WriteElements<T>(Stream stream, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        // In chunks, so that no byte span's length overflows an int.
        const int chunk = 1 << 20;
        for (var start = 0; start < values.Length; start += chunk)
            stream.Write(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(chunk, values.Length - start))));
    }

    private static byte[] Utf8(string text, string op, string what)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{op}: {what} is not valid Unicode (it has an unpaired surrogate)");
        }
    }

    /// <summary>A JSON string escaped as serde_json (the reference's JSON library) escapes it: quote, backslash and
    /// control characters only; everything else is written as UTF-8.</summary>
    private static StringBuilder AppendString(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"');
    }
}
