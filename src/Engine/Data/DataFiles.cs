using System.IO.Compression;

namespace Engine.Data;

/// <summary>Opening data files that may or may not be gzip'd: the content decides (gzip's magic bytes 1f 8b), not
/// the file name.</summary>
internal static class DataFiles
{
    /// <summary>A readable stream of the file's content, decompressed when the file is gzip'd.</summary>
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Decompressed(file, leaveOpen: false);
    }

    /// <summary>The stream itself, or a decompressing stream over it when it starts with gzip's magic bytes. Only a
    /// seekable stream can be sniffed; any other is taken as uncompressed.</summary>
    public static Stream Decompressed(Stream stream, bool leaveOpen)
    {
        if (!stream.CanSeek) return stream;
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen) : stream;
    }
}
