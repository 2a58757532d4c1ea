using System.IO.Compression;
using Engine.Data;

namespace Engine.Tests.DataTests;

/// <summary>IDX files assembled byte by byte from the format's description: magic 00 00 type rank, big-endian int32
/// sizes, big-endian elements.</summary>
[TestClass]
public sealed class IdxReaderTests
{
    [TestMethod]
    public void UnsignedBytesRawAndGzipReadTheSame()
    {
        byte[] pixels = [0, 1, 2, 127, 128, 200, 254, 255, 17, 34, 51, 68];
        var file = Concat([0x00, 0x00, 0x08, 0x03], [0, 0, 0, 2], [0, 0, 0, 2], [0, 0, 0, 3], pixels);
        foreach (var bytes in new[] { file, Gzip(file) })
        {
            var idx = IdxReader.Read(new MemoryStream(bytes), "test");
            Assert.AreEqual(IdxElementType.UnsignedByte, idx.ElementType);
            CollectionAssert.AreEqual(new[] { 2, 2, 3 }, idx.Shape);
            Assert.AreEqual(12, idx.Count);

            var asFloat = idx.ToTensor(DType.Float32, divisor: 255);
            CollectionAssert.AreEqual(new[] { 2, 2, 3 }, asFloat.Shape.ToArray());
            CollectionAssert.AreEqual(pixels.Select(p => p / 255f).ToArray(), asFloat.ToArray<float>());
            CollectionAssert.AreEqual(pixels.Select(p => (long)p).ToArray(), idx.ToTensor(DType.Int64).ToArray<long>());
            CollectionAssert.AreEqual(pixels.Select(p => (double)p).ToArray(), idx.ToTensor(DType.Float64).ToArray<double>());
        }
    }

    [TestMethod]
    public void VectorisedByteConversionMatchesScalarDivisionOnEveryValue()
    {
        // 256 values plus a tail that is not a multiple of the vector width.
        var src = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();
        var dst = new float[src.Length];
        IdxArray.BytesToSingles(src, dst, 255f);
        for (var i = 0; i < src.Length; i++)
            Assert.AreEqual(src[i] / 255f, dst[i], 0f, $"element {i} ({src[i]})");
    }

    [TestMethod]
    public void Int32ElementsAreBigEndianAndSigned()
    {
        var file = Concat([0x00, 0x00, 0x0C, 0x01], [0, 0, 0, 3],
            [0x00, 0x00, 0x01, 0x02], [0xFF, 0xFF, 0xFF, 0xFE], [0x7F, 0xFF, 0xFF, 0xFF]);
        var path = TempFile(file);
        try
        {
            var idx = IdxReader.Read(path);
            Assert.AreEqual(IdxElementType.Int32, idx.ElementType);
            CollectionAssert.AreEqual(new long[] { 258, -2, int.MaxValue }, idx.ToTensor(DType.Int64).ToArray<long>());
            CollectionAssert.AreEqual(new[] { 258, -2, int.MaxValue }, idx.ToTensor(DType.Int32).ToArray<int>());
            CollectionAssert.AreEqual(new double[] { 129, -1, int.MaxValue / 2.0 }, idx.ToTensor(DType.Float64, divisor: 2).ToArray<double>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void GzipFileOnDiskIsDetectedByContent()
    {
        var file = Concat([0x00, 0x00, 0x08, 0x01], [0, 0, 0, 4], [9, 8, 7, 6]);
        var path = TempFile(Gzip(file));
        try
        {
            CollectionAssert.AreEqual(new long[] { 9, 8, 7, 6 }, IdxReader.Read(path).ToTensor(DType.Int64).ToArray<long>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void FloatElementsConvertOnlyToFloatingDtypes()
    {
        var file = Concat([0x00, 0x00, 0x0D, 0x01], [0, 0, 0, 2], [0x3F, 0xC0, 0x00, 0x00], [0xC0, 0x20, 0x00, 0x00]);
        var idx = IdxReader.Read(new MemoryStream(file), "floats");
        CollectionAssert.AreEqual(new[] { 1.5f, -2.5f }, idx.ToTensor(DType.Float32).ToArray<float>());
        var e = Assert.ThrowsExactly<ArgumentException>(() => idx.ToTensor(DType.Int64));
        StringAssert.Contains(e.Message, "cannot convert Float32 elements to Int64");
    }

    [TestMethod]
    public void MalformedFilesAreRejectedEachWithItsOwnMessage()
    {
        var good = Concat([0x00, 0x00, 0x08, 0x02], [0, 0, 0, 2], [0, 0, 0, 3], [1, 2, 3, 4, 5, 6]);
        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("empty", [], "is truncated: 0 bytes, less than the 4-byte magic number"),
            ("short", [0x00, 0x00], "is truncated: 2 bytes, less than the 4-byte magic number"),
            ("magic", Concat([0x12, 0x34], good[2..]), "does not start with an IDX magic number: got 12340802"),
            ("type", Concat([0x00, 0x00, 0x07], good[3..]), "has unknown element type 0x07"),
            ("rank0", [0x00, 0x00, 0x08, 0x00], "declares 0 dimensions"),
            ("header", good[..9], "is truncated in its header: 2 dimensions need 8 bytes of sizes after the magic number but only 5 follow"),
            ("negative", Concat([0x00, 0x00, 0x08, 0x01], [0xFF, 0xFF, 0xFF, 0xFF]), "declares a negative size -1 for dimension 0"),
            ("data", good[..^2], "is truncated: shape (2,3) of UnsignedByte needs 6 bytes of data after the header but only 4 follow"),
            ("trailing", Concat(good, [0]), "has data beyond the 6 bytes its header declares"),
            ("huge", Concat([0x00, 0x00, 0x0E, 0x02], [0x7F, 0, 0, 0], [0x7F, 0, 0, 0]), "more data than one array can hold"),
            ("gzip-truncated", Gzip(good)[..^12], "is truncated"),
            ("gzip-corrupt", CorruptDeflate(Gzip(good)), "is not a valid gzip stream"),
        };
        var messages = new HashSet<string>();
        foreach (var (name, bytes, expected) in cases)
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), name), name);
            StringAssert.StartsWith(e.Message, $"IDX file {name} ", name);
            StringAssert.Contains(e.Message, expected, name);
            messages.Add(e.Message);
        }
        Assert.HasCount(cases.Length, messages, "every malformed case has a message of its own");
    }

    [TestMethod]
    public void MissingFileIsAFileNotFoundError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"engine-missing-{Guid.NewGuid():N}.idx");
        Assert.ThrowsExactly<FileNotFoundException>(() => IdxReader.Read(path));
    }

    internal static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    internal static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(data);
        return output.ToArray();
    }

    internal static string TempFile(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"engine-test-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A gzip stream whose deflate data starts with the reserved block type 11, which every inflater rejects.</summary>
    private static byte[] CorruptDeflate(byte[] gz)
    {
        var bytes = (byte[])gz.Clone();
        bytes[10] = 0xFF; // the first deflate byte, right after the 10-byte gzip header
        return bytes;
    }
}
