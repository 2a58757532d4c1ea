using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Engine.Backends.Cpu;

namespace Engine.IO;

/// <summary>Reads a safetensors file: the header is parsed and checked against the file's length before any tensor
/// memory is allocated (so a hostile header cannot make it allocate more than the file holds), and tensors are
/// returned only when every one has been read and checked.</summary>
internal static class SafetensorsReader
{
    /// <summary>Elements moved per read, so no span's byte length overflows an int.</summary>
    private const int ChunkElements = 1 << 20;

    public static SafetensorsData Read(Stream stream, Device? device, string context)
    {
        Safetensors.CheckLittleEndianHost();
        if (!stream.CanSeek)
        {
            // The checks need the file's length up front.
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Read(copy, device, context);
        }

        var available = stream.Length - stream.Position;
        if (available < 8)
            throw Safetensors.Invalid(context, $"the file is {available} bytes; a safetensors file starts with an 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, context, "the header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > Safetensors.MaxHeaderBytes)
            throw Safetensors.Invalid(context, $"the header length {headerLength} exceeds the {Safetensors.MaxHeaderBytes}-byte limit");
        if ((long)headerLength > available - 8)
            throw Safetensors.Invalid(context, $"the header length {headerLength} is larger than the {available - 8} bytes that follow it (truncated file?)");

        var json = new byte[headerLength];
        ReadExactly(stream, json, context, "the header");
        var header = SafetensorsHeader.Parse(json, available - 8 - (long)headerLength, context);

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.Entries)
            tensors.Add(entry.Name, ReadTensor(stream, entry, context));
        if (device is { } d && d != Device.Cpu)
        {
            foreach (var name in tensors.Keys.ToList())
                tensors[name] = tensors[name].To(d);
        }
        return new SafetensorsData(tensors, header.Metadata);
    }

    private static Tensor ReadTensor(Stream stream, HeaderEntry e, string context)
    {
        var storage = CpuStorage.Allocate(e.DType.Target, e.Numel, zero: false);
        switch (e.DType.Name)
        {
            case "F32": ReadRaw(stream, storage.AsSpan<float>(), e, context); break;
            case "F64": ReadRaw(stream, storage.AsSpan<double>(), e, context); break;
            case "I32": ReadRaw(stream, storage.AsSpan<int>(), e, context); break;
            case "I64": ReadRaw(stream, storage.AsSpan<long>(), e, context); break;
            case "BOOL":
                var flags = storage.AsSpan<bool>();
                ReadRaw(stream, flags, e, context);
                CheckBooleans(MemoryMarshal.AsBytes(flags), e, context);
                break;
            case "F16": ReadWidened(stream, storage.AsSpan<float>(), static h => (float)BitConverter.UInt16BitsToHalf(h), e, context); break;
            case "BF16": ReadWidened(stream, storage.AsSpan<float>(), static b => BitConverter.Int32BitsToSingle(b << 16), e, context); break;
            default: throw new InvalidOperationException($"no reader for stored dtype {e.DType.Name}");
        }
        return new Tensor(storage, e.Shape);
    }

    private static void ReadRaw<T>(Stream stream, Span<T> target, HeaderEntry e, string context)
        where T : unmanaged
    {
        for (var start = 0; start < target.Length; start += ChunkElements)
        {
            var chunk = target.Slice(start, Math.Min(ChunkElements, target.Length - start));
            ReadExactly(stream, MemoryMarshal.AsBytes(chunk), context, $"tensor '{e.Name}'");
        }
    }

    /// <summary>Reads 16-bit floats and widens them to Float32 (exact: both half formats fit in a float).</summary>
    private static void ReadWidened(Stream stream, Span<float> target, Func<ushort, float> widen, HeaderEntry e, string context)
    {
        var bits = new ushort[Math.Min(ChunkElements, target.Length)];
        for (var start = 0; start < target.Length; start += bits.Length)
        {
            var count = Math.Min(bits.Length, target.Length - start);
            ReadExactly(stream, MemoryMarshal.AsBytes(bits.AsSpan(0, count)), context, $"tensor '{e.Name}'");
            for (var i = 0; i < count; i++) target[start + i] = widen(bits[i]);
        }
    }

    /// <summary>A .NET bool must be 0 or 1; any other byte would make comparisons misbehave, so it is rejected.</summary>
    private static void CheckBooleans(ReadOnlySpan<byte> bytes, HeaderEntry e, string context)
    {
        var bad = bytes.IndexOfAnyExceptInRange((byte)0, (byte)1);
        if (bad >= 0)
            throw Safetensors.Invalid(context, $"tensor '{e.Name}': BOOL element {bad} holds byte 0x{bytes[bad]:X2}; booleans must be 0 or 1");
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string context, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw Safetensors.Invalid(context, $"the file ended while reading {what}");
        }
    }
}
