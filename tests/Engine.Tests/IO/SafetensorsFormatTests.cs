using System.Text;
using Engine.IO;

namespace Engine.Tests.IOTests;

/// <summary>Issue 3, item 5: Engine's safetensors files are byte-exact to the format, and files assembled by hand from
/// the format's description load with the right values.</summary>
[TestClass]
public sealed class SafetensorsFormatTests
{
    [TestMethod]
    public void SavedBytesMatchAHandComputedFile()
    {
        // Given in an order the file does not use: the layout sorts by dtype (I64, F64, F32, I32, BOOL), then name.
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray(new[] { 1f, -2f }),
            ["n"] = Tensor.Scalar(7, DType.Int64),
            ["m"] = Tensor.FromArray(new[] { true, false, true }),
        };
        var bytes = Safetensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = "pt" });

        // 194 bytes of JSON, padded with 6 spaces to 200 (a multiple of 8).
        const string header = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
            + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]}}      ";
        byte[] expected =
        [
            200, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(header),
            7, 0, 0, 0, 0, 0, 0, 0, // 7L
            0, 0, 0x80, 0x3F, // 1f
            0, 0, 0, 0xC0, // -2f
            1, 0, 1,
        ];
        Assert.AreEqual(200, header.Length);
        CollectionAssert.AreEqual(expected, bytes);
    }

    /// <summary>The reference implementation's own serialization tests fix these files (header length, JSON text and
    /// space padding); Engine must produce the same bytes.</summary>
    [TestMethod]
    public void MatchesTheReferenceSerializerOnItsExamples()
    {
        var data = Tensor.Arange(0, 6, 1, DType.Float32);
        byte[] values = [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40];

        // 64 bytes of JSON: no padding.
        CollectionAssert.AreEqual(
            SafetensorsBytes.File("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", values),
            Safetensors.Serialize(new Dictionary<string, Tensor> { ["attn.0"] = data.Reshape(1, 2, 3) }));
        // 65 bytes: padded with 7 spaces.
        CollectionAssert.AreEqual(
            SafetensorsBytes.File("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", values),
            Safetensors.Serialize(new Dictionary<string, Tensor> { ["attn0"] = data.Reshape(1, 1, 2, 3) }));
        // No tensors: "{}" and 6 spaces.
        CollectionAssert.AreEqual(
            new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32 },
            Safetensors.Serialize(new Dictionary<string, Tensor>()));
        // Metadata only: 35 bytes and 5 spaces.
        CollectionAssert.AreEqual(
            SafetensorsBytes.File("{\"__metadata__\":{\"framework\":\"pt\"}}     "),
            Safetensors.Serialize(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" }));
    }

    [TestMethod]
    public void LoadsAFileAssembledByteByByte()
    {
        // Pretty-printed, keys not in offset order, metadata last, no padding: all allowed by the format.
        const string header = """
            { "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]},
              "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "c": {"data_offsets": [16, 24], "shape": [1, 1], "dtype": "F64"},
              "d": {"dtype": "I32", "shape": [], "data_offsets": [24, 28]},
              "e": {"dtype": "BOOL", "shape": [2, 1], "data_offsets": [28, 30]},
              "g": {"dtype": "I64", "shape": [0], "data_offsets": [30, 30]},
              "f": {"dtype": "F32", "shape": [0, 3], "data_offsets": [30, 30]},
              "__metadata__": {"format": "pt", "note": "caf\u00e9 \"q\""} }
            """;
        var json = Encoding.UTF8.GetBytes(header);
        byte[] file =
        [
            (byte)json.Length, (byte)(json.Length >> 8), 0, 0, 0, 0, 0, 0,
            .. json,
            0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x20, 0xC1, // a: 1.5f, -10f
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // b: -1L
            0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F, // c: 0.1
            0x02, 0x01, 0x00, 0x00, // d: 258
            0x01, 0x00, // e: true, false
        ];
        Assert.IsTrue(json.Length < 65536);

        var loaded = Safetensors.Deserialize(file);

        // File order is offset order; empty tensors at the same offset keep their header order.
        CollectionAssert.AreEqual(new[] { "a", "b", "c", "d", "e", "g", "f" }, loaded.Tensors.Keys.ToArray());
        AssertTensor(loaded["a"], DType.Float32, [2], new[] { 1.5f, -10f });
        AssertTensor(loaded["b"], DType.Int64, [1], new[] { -1L });
        AssertTensor(loaded["c"], DType.Float64, [1, 1], new[] { 0.1 });
        AssertTensor(loaded["d"], DType.Int32, [], new[] { 258 });
        AssertTensor(loaded["e"], DType.Bool, [2, 1], new[] { true, false });
        AssertTensor(loaded["f"], DType.Float32, [0, 3], Array.Empty<float>());
        AssertTensor(loaded["g"], DType.Int64, [0], Array.Empty<long>());
        Assert.IsNotNull(loaded.Metadata);
        CollectionAssert.AreEqual(new[] { "format", "note" }, loaded.Metadata.Keys.ToArray());
        Assert.AreEqual("pt", loaded.Metadata["format"]);
        Assert.AreEqual("café \"q\"", loaded.Metadata["note"]);
    }

    [TestMethod]
    public void HalfPrecisionLoadsAsFloat32()
    {
        const string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[10,18]}}";
        var file = SafetensorsBytes.File(header,
            0x00, 0x3C, // F16 1.0
            0x00, 0xC0, // F16 -2.0
            0xFF, 0x7B, // F16 65504 (largest finite)
            0x01, 0x00, // F16 2^-24 (smallest subnormal)
            0x00, 0xFC, // F16 -inf
            0x80, 0x3F, // BF16 1.0
            0x49, 0x40, // BF16 3.140625
            0x80, 0xFF, // BF16 -inf
            0x01, 0x00); // BF16 smallest subnormal: 2^-133

        var loaded = Safetensors.Deserialize(file);

        AssertTensor(loaded["h"], DType.Float32, [5], new[] { 1f, -2f, 65504f, MathF.Pow(2, -24), float.NegativeInfinity });
        AssertTensor(loaded["b"], DType.Float32, [4], new[] { 1f, 3.140625f, float.NegativeInfinity, (float)Math.Pow(2, -133) });
    }

    [TestMethod]
    public void LongHalfTensorsAreReadAcrossChunks()
    {
        // More elements than one read chunk (2^20). F16 bits 0x6400 + m encode the integer 1024 + m exactly.
        const int n = (1 << 20) + 5;
        var data = new byte[2 * n];
        for (var i = 0; i < n; i++)
        {
            var bits = 0x6400 + i % 1024;
            data[2 * i] = (byte)bits;
            data[2 * i + 1] = (byte)(bits >> 8);
        }
        var loaded = Safetensors.Deserialize(SafetensorsBytes.File($"{{\"h\":{{\"dtype\":\"F16\",\"shape\":[{n}],\"data_offsets\":[0,{2 * n}]}}}}", data));

        var values = loaded["h"].ToArray<float>();
        for (var i = 0; i < n; i++)
            if (values[i] != 1024 + i % 1024) Assert.Fail($"element {i}: {values[i]}, expected {1024 + i % 1024}");
    }

    [TestMethod]
    public void NamesAreEscapedAsJson()
    {
        var name = "a\"b\\c\nd\u0001é";
        var bytes = Safetensors.Serialize(new Dictionary<string, Tensor> { [name] = Tensor.Zeros([0], DType.Int32) });
        var header = Encoding.UTF8.GetString(bytes, 8, bytes.Length - 8).TrimEnd(' ');
        Assert.AreEqual("{\"a\\\"b\\\\c\\nd\\u0001é\":{\"dtype\":\"I32\",\"shape\":[0],\"data_offsets\":[0,0]}}", header);
        Assert.AreEqual(name, Safetensors.Deserialize(bytes).Tensors.Keys.Single());
    }

    [TestMethod]
    public void BadArgumentsToSaveAreArgumentErrors()
    {
        var reserved = Assert.Throws<ArgumentException>(() => Safetensors.Serialize(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
        StringAssert.Contains(reserved.Message, "'__metadata__' is reserved");
        var surrogate = Assert.Throws<ArgumentException>(() => Safetensors.Serialize(new Dictionary<string, Tensor> { ["x\ud800"] = Tensor.Zeros(1) }));
        StringAssert.Contains(surrogate.Message, "unpaired surrogate");
        var nullValue = Assert.Throws<ArgumentException>(() =>
            Safetensors.Serialize(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = null! }));
        StringAssert.Contains(nullValue.Message, "metadata key 'k' has a null value");
    }

    internal static void AssertTensor<T>(Tensor t, DType dtype, int[] shape, T[] values)
        where T : unmanaged
    {
        Assert.AreEqual(dtype, t.DType);
        CollectionAssert.AreEqual(shape, t.Shape.ToArray(), $"shape {Shape.Format(t.Shape)}");
        CollectionAssert.AreEqual(values, t.ToArray<T>());
    }
}
