using System.Text;

namespace Engine.Tests.IOTests;

/// <summary>Builds safetensors files by hand in tests: the 8-byte little-endian header length, the header text as
/// given (no padding added), then the data bytes.</summary>
internal static class SafetensorsBytes
{
    public static byte[] File(string header, params byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return [.. LengthPrefix((ulong)json.Length), .. json, .. data];
    }

    public static byte[] LengthPrefix(ulong n)
    {
        var prefix = new byte[8];
        for (var i = 0; i < 8; i++) prefix[i] = (byte)(n >> (8 * i));
        return prefix;
    }

    /// <summary>A fresh empty directory, removed by disposing the result.</summary>
    public static TempDirectory TempDir() => new();

    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "engine-io-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
