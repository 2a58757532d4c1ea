using System.Buffers.Binary;

namespace Engine.Data;

/// <summary>Reads IDX files (the MNIST format), gzip'd or raw. Layout: two zero bytes, an element-type byte
/// (<see cref="IdxElementType"/>), a dimension count; then each dimension's size as a big-endian int32; then the
/// elements, big-endian, row-major. A file that does not match its own header exactly is rejected with an
/// <see cref="InvalidDataException"/> that says what is wrong.</summary>
public static class IdxReader
{
    public static IdxArray Read(string path)
    {
        using var stream = DataFiles.Open(path);
        return ReadContent(stream, path);
    }

    /// <summary>Reads from a stream (decompressed first when it is seekable and gzip'd); <paramref name="name"/>
    /// labels error messages. The stream is left open.</summary>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var content = DataFiles.Decompressed(stream, leaveOpen: true);
        try
        {
            return ReadContent(content, name);
        }
        finally
        {
            if (!ReferenceEquals(content, stream)) content.Dispose();
        }
    }

    private static IdxArray ReadContent(Stream stream, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = ReadFully(stream, magic, name);
        if (got < 4)
            throw Corrupt(name, $"is truncated: {got} bytes, less than the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw Corrupt(name, $"does not start with an IDX magic number: got {Convert.ToHexString(magic)}; expected 0000, an element-type byte and a dimension count");
        var type = (IdxElementType)magic[2];
        if (!Enum.IsDefined(type))
            throw Corrupt(name, $"has unknown element type 0x{magic[2]:X2}; expected 0x08 (unsigned byte), 0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64)");
        var rank = magic[3];
        if (rank == 0)
            throw Corrupt(name, "declares 0 dimensions; expected at least 1");

        var header = new byte[4 * rank];
        got = ReadFully(stream, header, name);
        if (got < header.Length)
            throw Corrupt(name, $"is truncated in its header: {rank} dimensions need {header.Length} bytes of sizes after the magic number but only {got} follow");
        var shape = new int[rank];
        long count = 1;
        for (var k = 0; k < rank; k++)
        {
            shape[k] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * k));
            if (shape[k] < 0)
                throw Corrupt(name, $"declares a negative size {shape[k]} for dimension {k}");
            count *= shape[k];
            if (count > Array.MaxLength / IdxArray.ElementSize(type))
                throw Corrupt(name, $"declares shape {Shape.Format(shape)}, more data than one array can hold");
        }

        var bytes = (int)count * IdxArray.ElementSize(type);
        var data = GC.AllocateUninitializedArray<byte>(bytes);
        got = ReadFully(stream, data, name);
        if (got < bytes)
            throw Corrupt(name, $"is truncated: shape {Shape.Format(shape)} of {type} needs {bytes} bytes of data after the header but only {got} follow");
        Span<byte> probe = stackalloc byte[1];
        if (ReadFully(stream, probe, name) != 0)
            throw Corrupt(name, $"has data beyond the {bytes} bytes its header declares (shape {Shape.Format(shape)} of {type})");
        return new IdxArray(type, shape, data);
    }

    /// <summary>Reads until the buffer is full or the stream ends; returns the byte count read.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer, string name)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // GZipStream's own error for a damaged compressed stream.
            throw Corrupt(name, $"is not a valid gzip stream ({e.Message})", e);
        }
    }

    private static InvalidDataException Corrupt(string name, string problem, Exception? inner = null)
        => new($"IDX file {name} {problem}", inner);
}
