using Engine.IO;

namespace Engine.Tests.IOTests;

/// <summary>Issue 3, item 5: malformed files are rejected with an InvalidDataException whose message names the tensor
/// (or key) and the problem; never another exception type, never a partial result.</summary>
[TestClass]
public sealed class SafetensorsMalformedTests
{
    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private static InvalidDataException Rejects(byte[] file, params string[] fragments)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Safetensors.Deserialize(file));
        StringAssert.StartsWith(ex.Message, "Safetensors.Deserialize: ");
        foreach (var f in fragments) StringAssert.Contains(ex.Message, f);
        return ex;
    }

    [TestMethod]
    public void FileShorterThanTheLengthPrefix()
    {
        Rejects([], "the file is 0 bytes", "8-byte header length");
        Rejects([8, 0, 0], "the file is 3 bytes");
    }

    [TestMethod]
    public void HeaderLengthLargerThanTheFile()
    {
        Rejects([.. SafetensorsBytes.LengthPrefix(100), .. "{}      "u8], "header length 100 is larger than the 8 bytes that follow it");
    }

    [TestMethod]
    public void AbsurdHeaderLength()
    {
        Rejects([.. SafetensorsBytes.LengthPrefix(ulong.MaxValue), .. "{}"u8], $"header length {ulong.MaxValue} exceeds the 100000000-byte limit");
        Rejects([.. SafetensorsBytes.LengthPrefix(100_000_001), .. "{}"u8], "header length 100000001 exceeds");
    }

    [TestMethod]
    public void HeaderThatIsNotUtf8()
    {
        Rejects([.. SafetensorsBytes.LengthPrefix(4), (byte)'{', (byte)'}', 0xC3, 0x28], "not valid UTF-8", "0xC3", "offset 2");
    }

    [TestMethod]
    public void HeaderThatIsNotJson()
    {
        Rejects(SafetensorsBytes.File("{\"a\": "), "the header is not valid JSON");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",}} "), "the header is not valid JSON");
        Rejects(SafetensorsBytes.File(""), "the header is not valid JSON");
    }

    [TestMethod]
    [DataRow("[1,2]", "an array")]
    [DataRow("\"x\"", "the string \"x\"")]
    [DataRow("null", "null")]
    public void HeaderThatIsNotAnObject(string header, string got)
        => Rejects(SafetensorsBytes.File(header), $"the header must be a JSON object; got {got}");

    [TestMethod]
    [DataRow("Q4", "tensor 'a': unknown dtype 'Q4'")]
    [DataRow("f32", "tensor 'a': unknown dtype 'f32'")]
    [DataRow("U8", "tensor 'a': dtype 'U8' is not supported by Engine")]
    [DataRow("F8_E4M3", "tensor 'a': dtype 'F8_E4M3' is not supported by Engine")]
    public void UnknownOrUnsupportedDType(string dtype, string message)
        => Rejects(SafetensorsBytes.File($"{{\"a\":{{\"dtype\":\"{dtype}\",\"shape\":[2],\"data_offsets\":[0,2]}}}}", 0, 0), message);

    [TestMethod]
    public void ShapeAndSizeMismatch()
    {
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
            "tensor 'a': dtype F32 with shape (2,3) needs 24 bytes but data_offsets [0, 20] span 20");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]),
            "tensor 'a': dtype I64 with shape () needs 8 bytes but data_offsets [0, 4] span 4");
        Rejects(SafetensorsBytes.File("{\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,4]}}", new byte[4]),
            "tensor 'e': dtype F32 with shape (0) needs 0 bytes");
    }

    [TestMethod]
    public void OverlappingOffsets()
    {
        Rejects(SafetensorsBytes.File("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
            "tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]");
        // Two names for the same bytes (aliasing).
        Rejects(SafetensorsBytes.File("{" + A + ",\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
            "overlap tensor");
    }

    [TestMethod]
    public void OutOfRangeOffsets()
    {
        Rejects(SafetensorsBytes.File("{" + A + "}", new byte[4]),
            "tensor 'a': data_offsets [0, 8] are out of range: the data buffer after the header has 4 bytes");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]),
            "tensor 'a': data_offsets [8, 4] end before they begin");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551615]}}", new byte[4]),
            "tensor 'a': data_offsets end (18446744073709551615) is too large");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
            "tensor 'a': data_offsets must be an array [begin, end]; got [0]");
    }

    [TestMethod]
    public void GapBetweenTensors()
    {
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
            "tensor 'b': data_offsets [8, 12] leave a gap: bytes [4, 8) of the data buffer belong to no tensor");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
            "tensor 'a': data_offsets [4, 8] leave a gap: bytes [0, 4)");
    }

    [TestMethod]
    public void DataBeyondTheLastTensor()
    {
        Rejects(SafetensorsBytes.File("{" + A + "}", new byte[12]),
            "the data buffer has 4 bytes after the last tensor ('a') ends at offset 8");
        Rejects(SafetensorsBytes.File("{}", 1, 2, 3), "the data buffer has 3 bytes after the last tensor ends at offset 0");
    }

    [TestMethod]
    [DataRow("[-1]", "tensor 'a': shape entry 0 is negative (-1)")]
    [DataRow("[2,1.5]", "tensor 'a': shape entry 1 must be an integer; got 1.5")]
    [DataRow("[2e0]", "tensor 'a': shape entry 0 must be an integer; got 2e0")]
    [DataRow("[\"2\"]", "tensor 'a': shape entry 0 must be a non-negative integer; got the string \"2\"")]
    [DataRow("[3000000000]", "tensor 'a': shape entry 0 is 3000000000; Engine dimensions are at most 2147483647")]
    [DataRow("[65536,65536]", "tensor 'a': shape (65536,65536) has more than 2147483647 elements")]
    [DataRow("2", "tensor 'a': shape must be an array of sizes; got the number 2")]
    public void BadShapeEntries(string shape, string message)
        => Rejects(SafetensorsBytes.File($"{{\"a\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,8]}}}}", new byte[8]), message);

    [TestMethod]
    public void DuplicateNames()
    {
        Rejects(SafetensorsBytes.File("{" + A + "," + A + "}", new byte[8]), "the header names 'a' more than once");
        // The same name spelled with a JSON escape is still the same name.
        Rejects(SafetensorsBytes.File("{" + A + ",\"\\u0061\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", new byte[8]),
            "the header names 'a' more than once");
        Rejects(SafetensorsBytes.File("{\"__metadata__\":{},\"__metadata__\":{}}"), "the header names '__metadata__' more than once");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
            "tensor 'a': field 'dtype' appears more than once");
        Rejects(SafetensorsBytes.File("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), "'__metadata__' names key 'k' more than once");
    }

    [TestMethod]
    [DataRow("{\"epoch\":3}", "'__metadata__' key 'epoch' holds the number 3; metadata values must be strings")]
    [DataRow("{\"nested\":{\"a\":\"b\"}}", "'__metadata__' key 'nested' holds an object")]
    [DataRow("{\"none\":null}", "'__metadata__' key 'none' holds null")]
    [DataRow("[\"a\"]", "'__metadata__' must be an object of string values; got an array")]
    [DataRow("\"text\"", "'__metadata__' must be an object of string values; got the string \"text\"")]
    public void MetadataThatIsNotStringToString(string metadata, string message)
        => Rejects(SafetensorsBytes.File($"{{\"__metadata__\":{metadata}}}"), message);

    [TestMethod]
    public void EntriesThatAreNotTensorDescriptions()
    {
        Rejects(SafetensorsBytes.File("{\"a\":[1,2]}"), "tensor 'a': its entry must be an object with dtype, shape and data_offsets; got an array");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'a': the entry has no 'shape'");
        Rejects(SafetensorsBytes.File("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'a': dtype must be a string; got the number 4");
    }

    [TestMethod]
    public void BooleansOtherThanZeroOrOne()
    {
        Rejects(SafetensorsBytes.File("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 1, 0, 2),
            "tensor 'm': BOOL element 2 holds byte 0x02; booleans must be 0 or 1");
    }

    [TestMethod]
    public void EveryCaseHasItsOwnMessage()
    {
        byte[][] files =
        [
            [1, 2],
            [.. SafetensorsBytes.LengthPrefix(100), .. "{}"u8],
            [.. SafetensorsBytes.LengthPrefix(ulong.MaxValue), .. "{}"u8],
            [.. SafetensorsBytes.LengthPrefix(2), 0xFF, 0xFE],
            SafetensorsBytes.File("{"),
            SafetensorsBytes.File("[]"),
            SafetensorsBytes.File("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
            SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
            SafetensorsBytes.File("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
            SafetensorsBytes.File("{" + A + "}", new byte[4]),
            SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
            SafetensorsBytes.File("{" + A + "}", new byte[9]),
            SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]),
            SafetensorsBytes.File("{\"a\":{\"dtype\":\"F32\",\"shape\":[0.5],\"data_offsets\":[0,8]}}", new byte[8]),
            SafetensorsBytes.File("{" + A + "," + A + "}", new byte[8]),
            SafetensorsBytes.File("{\"__metadata__\":{\"k\":1}}"),
        ];
        var messages = files.Select(f => Assert.Throws<InvalidDataException>(() => Safetensors.Deserialize(f)).Message).ToList();
        Assert.AreEqual(messages.Count, messages.Distinct().Count(), string.Join("\n", messages));
    }

    [TestMethod]
    public void LoadNamesTheFileAndLeavesNothingOpen()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.File("{" + A + "}", new byte[4]));

        var ex = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path));

        StringAssert.StartsWith(ex.Message, $"Safetensors.Load: '{path}': tensor 'a'");
        File.Delete(path); // the reader closed the file
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(path));
    }
}
