using Engine.Backends.Cpu;
using Engine.IO;
using Engine.Nn;

namespace Engine.Tests.IOTests;

/// <summary>Issue 3, item 5: writes are atomic (a failed save leaves the old file and no temporary file), and a
/// module's state dict saves and loads with PyTorch's names.</summary>
[TestClass]
public sealed class CheckpointFileTests
{
    private static readonly byte[] OldContent = [1, 2, 3, 4];

    [TestMethod]
    public void AFailureMidWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("model.safetensors");
        File.WriteAllBytes(path, OldContent);
        string[]? duringWrite = null;

        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            stream.Flush();
            duringWrite = dir.Entries();
            throw new IOException("disk full");
        }));

        Assert.AreEqual("disk full", ex.Message);
        Assert.IsNotNull(duringWrite);
        Assert.AreEqual(2, duringWrite.Length, "the content went to a temporary file beside the destination: " + string.Join(", ", duringWrite));
        CollectionAssert.AreEqual(OldContent, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "model.safetensors" }, dir.Entries());
    }

    [TestMethod]
    public void ATensorWhoseDataCannotBeReadFailsTheSaveCleanly()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("model.safetensors");
        File.WriteAllBytes(path, OldContent);
        // Geometry claiming more elements than its storage holds: reading its data throws. It sorts after "a", so the
        // header and "a" are already written when it fails.
        var broken = new Tensor(CpuStorage.Allocate(DType.Float32, 2), [1000], [1], 0);
        var tensors = new Dictionary<string, Tensor> { ["z"] = broken, ["a"] = Tensor.Ones(500) };

        Assert.Throws<ArgumentOutOfRangeException>(() => Safetensors.Save(path, tensors));

        CollectionAssert.AreEqual(OldContent, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "model.safetensors" }, dir.Entries());
    }

    [TestMethod]
    public void UnwritableDestinationsLeaveNothingBehind()
    {
        using var dir = SafetensorsBytes.TempDir();
        var tensors = new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(3) };

        // The destination is a directory: the final rename fails.
        var occupied = dir.File("taken");
        Directory.CreateDirectory(occupied);
        Assert.Throws<IOException>(() => Safetensors.Save(occupied, tensors));
        Assert.IsTrue(Directory.Exists(occupied));
        CollectionAssert.AreEqual(new[] { "taken" }, dir.Entries());

        // The directory does not exist: nothing can be created.
        Assert.Throws<DirectoryNotFoundException>(() => Safetensors.Save(dir.File("missing/model.safetensors"), tensors));
        CollectionAssert.AreEqual(new[] { "taken" }, dir.Entries());

        // Bad arguments are found before any file is opened.
        Assert.Throws<ArgumentException>(() => Safetensors.Save(dir.File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones(1) }));
        CollectionAssert.AreEqual(new[] { "taken" }, dir.Entries());
    }

    [TestMethod]
    public void SaveReplacesAnExistingFile()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("model.safetensors");
        File.WriteAllBytes(path, OldContent);
        var tensors = new Dictionary<string, Tensor> { ["a"] = Tensor.Arange(0, 5, 1, DType.Float32) };

        Safetensors.Save(path, tensors);

        CollectionAssert.AreEqual(Safetensors.Serialize(tensors), File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "model.safetensors" }, dir.Entries());
    }

    private static Sequential Mlp(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(4, 3, generator: g), new Linear(3, 2, generator: g));
    }

    [TestMethod]
    public void ModuleSaveAndLoadRestoreIdenticalOutputs()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("mlp.safetensors");
        var x = Tensor.Randn([5, 4], DType.Float32, new Generator(3));
        var trained = Mlp(1);
        var expected = trained.Forward(x).ToArray<float>();
        trained.Save(path, new Dictionary<string, string> { ["format"] = "pt" });

        var file = Safetensors.Load(path);
        CollectionAssert.AreEquivalent(new[] { "0.weight", "0.bias", "1.weight", "1.bias" }, file.Tensors.Keys.ToArray());
        Assert.AreEqual("pt", file.Metadata!["format"]);

        var fresh = Mlp(2);
        CollectionAssert.AreNotEqual(expected, fresh.Forward(x).ToArray<float>());
        var (missing, unexpected) = fresh.Load(path);

        Assert.AreEqual(0, missing.Count);
        Assert.AreEqual(0, unexpected.Count);
        CollectionAssert.AreEqual(expected, fresh.Forward(x).ToArray<float>());
        foreach (var p in fresh.Parameters()) Assert.IsTrue(p.RequiresGrad, "loading keeps the parameters trainable");
    }

    [TestMethod]
    public void ModuleLoadChecksNamesAndShapes()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("mlp.safetensors");
        Mlp(1).Save(path);

        var smaller = new Sequential(new Linear(4, 3, generator: new Generator(5)));
        var before = smaller.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());
        var ex = Assert.Throws<ArgumentException>(() => smaller.Load(path));
        StringAssert.Contains(ex.Message, "unexpected [1.bias, 1.weight]");

        var (missing, unexpected) = smaller.Load(path, strict: false);
        Assert.AreEqual(0, missing.Count);
        CollectionAssert.AreEquivalent(new[] { "1.weight", "1.bias" }, unexpected.ToArray());
        CollectionAssert.AreNotEqual(before["0.weight"], smaller.StateDict()["0.weight"].ToArray<float>(), "matching names were loaded");

        var wider = new Sequential(new Linear(4, 5), new Linear(5, 2));
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => wider.Load(path)).Message, "'0.weight' has shape (3,4) in the state but (5,4) in the module");
    }

    [TestMethod]
    public void AMalformedCheckpointLeavesTheModuleUntouched()
    {
        using var dir = SafetensorsBytes.TempDir();
        var path = dir.File("mlp.safetensors");
        Mlp(1).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]); // truncated: the last tensor's data is cut short

        var module = Mlp(2);
        var before = module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());
        Assert.Throws<InvalidDataException>(() => module.Load(path));
        foreach (var (name, t) in module.StateDict())
            CollectionAssert.AreEqual(before[name], t.ToArray<float>(), name);
    }
}
