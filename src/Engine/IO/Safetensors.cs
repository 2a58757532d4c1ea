namespace Engine.IO;

/// <summary>Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}</c>,
/// then the tensors' raw little-endian row-major bytes, packed without gaps. Files are byte-identical to the reference
/// implementation's for the same tensors (and at most one metadata entry, whose order it does not fix). Malformed
/// input is rejected with an <see cref="InvalidDataException"/> that names the tensor and the problem; nothing is
/// returned unless the whole file is well formed.</summary>
public static class Safetensors
{
    /// <summary>Largest header accepted, as in the reference implementation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> atomically: the old file, if any, is
    /// replaced only once the new one is completely on disk. Non-contiguous and non-CPU tensors are written as
    /// their contiguous row-major values.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = SafetensorsWriter.Plan(tensors, metadata, "Safetensors.Save");
        AtomicFile.Write(path, writer.WriteTo);
    }

    /// <summary>Writes the file's bytes to <paramref name="stream"/> (not atomically: use <see cref="Save"/> for files).</summary>
    public static void Serialize(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SafetensorsWriter.Plan(tensors, metadata, "Safetensors.Serialize").WriteTo(stream);
    }

    /// <summary>The file's bytes.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = SafetensorsWriter.Plan(tensors, metadata, "Safetensors.Serialize");
        if (writer.Length > Array.MaxLength)
            throw new ArgumentException($"Safetensors.Serialize: the file would be {writer.Length} bytes, more than a byte array holds; use Save or the stream overload");
        var bytes = new byte[writer.Length];
        writer.WriteTo(new MemoryStream(bytes));
        return bytes;
    }

    /// <summary>Reads a safetensors file. Tensors come back in file order, on <paramref name="device"/> (default CPU);
    /// F16 and BF16 tensors are widened to Float32.</summary>
    public static SafetensorsData Load(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return SafetensorsReader.Read(file, device, $"Safetensors.Load: '{path}'");
    }

    /// <summary>Reads safetensors bytes from the stream's current position to its end (a stream that cannot seek is
    /// first read into memory, since the header is checked against the file's length).</summary>
    public static SafetensorsData Deserialize(Stream stream, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return SafetensorsReader.Read(stream, device, "Safetensors.Deserialize");
    }

    public static SafetensorsData Deserialize(byte[] bytes, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Deserialize(new MemoryStream(bytes, writable: false), device);
    }

    internal static InvalidDataException Invalid(string context, string problem) => new($"{context}: {problem}");

    internal static void CheckLittleEndianHost()
    {
        // Tensor bytes are copied as they lie in memory; the format is little-endian.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Safetensors: reading and writing need a little-endian host");
    }
}
