using System.IO.Compression;
using Engine.IO;

namespace Engine.Tests.IOTests;

/// <summary>Issue 3, item 5: save then load gives back every tensor exactly (bit for bit), for every dtype, 0-dim and
/// empty tensors, and non-contiguous inputs (which are written as their contiguous values).</summary>
[TestClass]
public sealed class SafetensorsRoundTripTests
{
    private static Dictionary<string, Tensor> EveryDType() => new()
    {
        ["f32"] = Tensor.FromArray(new[] { 0f, -0f, 1.5f, float.NaN, float.PositiveInfinity, float.Epsilon, float.MaxValue, -3.25e-20f }, 2, 4),
        ["f64"] = Tensor.FromArray(new[] { -0.0, double.NaN, double.NegativeInfinity, double.Epsilon, Math.PI, 1e300 }, 3, 2),
        ["i32"] = Tensor.FromArray(new[] { int.MinValue, -1, 0, int.MaxValue }),
        ["i64"] = Tensor.FromArray(new[] { long.MinValue, -1L, 0L, long.MaxValue, 1L << 53 | 1 }),
        ["bool"] = Tensor.FromArray(new[] { true, false, false, true, true }, 5, 1),
        ["scalar"] = Tensor.Scalar(2.5, DType.Float64),
        ["int scalar"] = Tensor.Scalar(-7, DType.Int32),
        ["empty f32"] = Tensor.Zeros([0], DType.Float32),
        ["empty i64"] = Tensor.Zeros([3, 0, 2], DType.Int64),
        ["empty bool"] = Tensor.Zeros([0, 4], DType.Bool),
    };

    [TestMethod]
    public void EveryDTypeRoundTripsExactly()
    {
        var tensors = EveryDType();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" };
        var loaded = Safetensors.Deserialize(Safetensors.Serialize(tensors, metadata));

        AssertSameTensors(tensors, loaded.Tensors);
        Assert.IsNotNull(loaded.Metadata);
        CollectionAssert.AreEqual(metadata.ToArray(), loaded.Metadata.ToArray());
        // File order: by dtype alignment (I64, F64, F32, I32, BOOL), then by name.
        CollectionAssert.AreEqual(
            new[] { "empty i64", "i64", "f64", "scalar", "empty f32", "f32", "i32", "int scalar", "bool", "empty bool" },
            loaded.Tensors.Keys.ToArray());
    }

    [TestMethod]
    public void FileRoundTripWithoutMetadata()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("all.safetensors");
        var tensors = EveryDType();
        Safetensors.Save(path, tensors);

        var loaded = Safetensors.Load(path, Device.Cpu);

        AssertSameTensors(tensors, loaded.Tensors);
        Assert.IsNull(loaded.Metadata, "a file without __metadata__ has null metadata");
        CollectionAssert.AreEqual(Safetensors.Serialize(tensors), File.ReadAllBytes(path), "Save and Serialize write the same bytes");
        CollectionAssert.AreEqual(new[] { "all.safetensors" }, dir.Entries(), "no temporary file is left behind");
    }

    [TestMethod]
    public void NonContiguousInputsAreSavedContiguous()
    {
        var baseMatrix = Tensor.Arange(0, 12, 1, DType.Float64).Reshape(3, 4);
        var tensors = new Dictionary<string, Tensor>
        {
            ["transposed"] = baseMatrix.T,
            ["sliced"] = baseMatrix.Narrow(1, 1, 2),
            ["expanded"] = Tensor.FromArray(new[] { 1, 2, 3 }).Reshape(3, 1).Expand(3, 4),
            ["permuted"] = Tensor.Arange(0, 24, 1, DType.Float32).Reshape(2, 3, 4).Permute(2, 0, 1),
            ["strided bool"] = Tensor.FromArray(new[] { true, false, true, true, false, false }).Reshape(2, 3).T,
        };
        foreach (var t in tensors.Values) Assert.IsFalse(t.IsContiguous);

        var loaded = Safetensors.Deserialize(Safetensors.Serialize(tensors));

        AssertSameTensors(tensors, loaded.Tensors);
        foreach (var t in loaded.Tensors.Values) Assert.IsTrue(t.IsContiguous);
        CollectionAssert.AreEqual(new[] { 0.0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, loaded["transposed"].ToArray<double>());
    }

    [TestMethod]
    public void LongTensorsRoundTripAcrossChunks()
    {
        // More elements than one write/read chunk (2^20).
        const int n = (1 << 20) + 3;
        var tensors = new Dictionary<string, Tensor>
        {
            ["f"] = Tensor.Arange(0, n, 1, DType.Float32),
            ["b"] = Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % 3 == 0).ToArray()),
        };
        AssertSameTensors(tensors, Safetensors.Deserialize(Safetensors.Serialize(tensors)).Tensors);
    }

    [TestMethod]
    public void StreamsRoundTripIncludingUnseekableOnes()
    {
        var tensors = EveryDType();
        var buffer = new MemoryStream();
        buffer.Write([1, 2, 3]); // the file starts at the stream's current position
        Safetensors.Serialize(buffer, tensors);
        buffer.Position = 3;
        AssertSameTensors(tensors, Safetensors.Deserialize(buffer).Tensors);

        // A decompressing stream cannot seek.
        var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            Safetensors.Serialize(zip, tensors);
        compressed.Position = 0;
        using var unzip = new GZipStream(compressed, CompressionMode.Decompress);
        Assert.IsFalse(unzip.CanSeek);
        AssertSameTensors(tensors, Safetensors.Deserialize(unzip).Tensors);
    }

    [TestMethod]
    public void SavingTwiceGivesTheSameBytesAndLoadingGivesFreshTensors()
    {
        var tensors = EveryDType();
        var first = Safetensors.Serialize(tensors);
        CollectionAssert.AreEqual(first, Safetensors.Serialize(tensors));
        CollectionAssert.AreEqual(first, Safetensors.Serialize(Safetensors.Deserialize(first).Tensors), "a loaded file saves to the same bytes");

        var loaded = Safetensors.Deserialize(first);
        using (Autograd.NoGrad()) loaded["f32"].Fill_(0);
        Assert.AreEqual(1.5f, tensors["f32"].ToArray<float>()[2], "loaded tensors do not share memory with the saved ones");
    }

    internal static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.AreEqual(e.DType, a.DType, name);
            CollectionAssert.AreEqual(e.Shape.ToArray(), a.Shape.ToArray(), $"{name}: shape {Shape.Format(a.Shape)}");
            CollectionAssert.AreEqual(Bits(e), Bits(a), $"{name}: values differ");
        }
    }

    /// <summary>The exact bit patterns (so -0 and NaN compare as stored).</summary>
    private static long[] Bits(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        DType.Int32 => t.ToArray<int>().Select(v => (long)v).ToArray(),
        DType.Int64 => t.ToArray<long>(),
        DType.Bool => t.ToArray<bool>().Select(v => v ? 1L : 0L).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
