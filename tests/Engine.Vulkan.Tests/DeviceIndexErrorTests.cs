namespace Engine.Vulkan.Tests;

/// <summary>Out-of-range indices in Gather, IndexSelect, Scatter, ScatterAdd and IndexAdd: the CPU throws at the
/// call; the device records the first bad index and the host raises it at its next wait (a read or Synchronize),
/// naming the op, the index and the dim's size, never a silent zero or a dropped write.</summary>
[TestClass]
public sealed class DeviceIndexErrorTests
{
    private static Tensor Index(Device device, params long[] values) => Tensor.FromArray(values).To(device);

    [TestMethod]
    public void GatherWithAnIndexPastTheEndIsRaisedAtTheRead()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var x = Parity.Random([3, 5], DType.Float32, 1);
        var index = Tensor.FromArray(new long[] { 0, 4, 5, 1, 2, 3 }, 3, 2);
        var cpu = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => x.Gather(1, index));
        StringAssert.Contains(cpu.Message, "index 5 is out of bounds for dim 1 of size 5");
        // The call records the kernel and returns; the error surfaces when the result is read.
        using var y = x.To(backend.Device).Gather(1, index.To(backend.Device));
        var e = Assert.ThrowsExactly<VulkanIndexOutOfRangeException>(() => y.ToArray<float>());
        StringAssert.Contains(e.Message, "Gather on vulkan:");
        StringAssert.Contains(e.Message, "index 5 is out of bounds for dim 1 of size 5");
        StringAssert.Contains(e.Message, "next wait");
        Assert.IsInstanceOfType<ArgumentOutOfRangeException>(e, "the same exception family as the CPU's");
        // Reported once: the record is cleared, and the device keeps working.
        var values = y.ToArray<float>();
        Assert.AreEqual(0f, values[2], "the bad index reads zero");
        Assert.AreEqual(x.ToArray<float>()[4], values[1]);
        AssertClean(backend);
    }

    [TestMethod]
    public void NegativeIndexInIndexSelectIsRaisedAtSynchronize()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var x = Parity.Random([4, 7], DType.Float64, 2).To(backend.Device);
        using var y = x.IndexSelect(0, Index(backend.Device, 1, -1, 3));
        var e = Assert.ThrowsExactly<VulkanIndexOutOfRangeException>(backend.Synchronize);
        StringAssert.Contains(e.Message, "IndexSelect on vulkan:");
        StringAssert.Contains(e.Message, "index -1 is out of bounds for dim 0 of size 4");
        AssertClean(backend);
    }

    [TestMethod]
    public void ScatterOpsSkipTheBadWriteAndReportIt()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cases = new (string Op, Func<Tensor, Tensor> Run)[]
        {
            ("Scatter", y => y.Scatter(0, Index(device, 2, 9), Tensor.Ones([2], DType.Float32, device))),
            ("ScatterAdd", y => y.ScatterAdd(0, Index(device, 9, 2), Tensor.Ones([2], DType.Float32, device))),
            ("IndexAdd", y => y.IndexAdd(0, Index(device, 2, 1L << 40), Tensor.Ones([2], DType.Float32, device))),
        };
        foreach (var (op, run) in cases)
        {
            using var y = Tensor.Zeros([4], DType.Float32, device);
            using var result = run(y);
            var e = Assert.ThrowsExactly<VulkanIndexOutOfRangeException>(() => result.ToArray<float>(), op);
            StringAssert.Contains(e.Message, $"{op} on vulkan:");
            StringAssert.Contains(e.Message, $"index {(op == "IndexAdd" ? 1L << 40 : 9)} is out of bounds for dim 0 of size 4");
            StringAssert.Contains(e.Message, "skipped that write");
            CollectionAssert.AreEqual(new float[] { 0, 0, 1, 0 }, result.ToArray<float>(), $"{op}: the good index is written, the bad one nowhere");
        }
        AssertClean(backend);
    }

    [TestMethod]
    public void OnlyTheFirstBadIndexIsKeptUntilTheHostReadsIt()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var x = Tensor.Zeros([2, 3], DType.Float32, backend.Device);
        using var a = x.IndexSelect(1, Index(backend.Device, 7));
        using var b = x.IndexSelect(0, Index(backend.Device, 8));
        var e = Assert.ThrowsExactly<VulkanIndexOutOfRangeException>(() => b.ToArray<float>());
        StringAssert.Contains(e.Message, "index 7 is out of bounds for dim 1 of size 3");
        AssertClean(backend);
    }

    [TestMethod]
    public void EmbeddingReportsItsBadLookupAsIndexSelectAndLeaksNothing()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        using var weight = Parity.Random([10, 4], DType.Float32, 4).To(backend.Device);
        using var ids = Tensor.FromArray(new long[] { 3, 10, 0 }).To(backend.Device);
        backend.Synchronize();
        var inUse = pool.BytesInUse;
        // The scope frees Embedding's intermediates too.
        using (TensorScope.Enter())
        {
            var rows = Tensor.Embedding(ids, weight);
            var e = Assert.ThrowsExactly<VulkanIndexOutOfRangeException>(() => rows.ToArray<float>());
            StringAssert.Contains(e.Message, "IndexSelect on vulkan:");
            StringAssert.Contains(e.Message, "index 10 is out of bounds for dim 0 of size 10");
        }
        backend.Synchronize();
        Assert.AreEqual(inUse, pool.BytesInUse, "a failed read kept a buffer (a staging buffer, through staging)");
        AssertClean(backend);
    }

    [TestMethod]
    public void InRangeIndicesReportNothing()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var x = Parity.Random([5, 6], DType.Int32, 3).To(backend.Device);
        using var y = x.Gather(0, Tensor.FromArray(new long[] { 0, 4, 4, 0, 2, 3 }, 1, 6).To(backend.Device));
        using var z = x.IndexAdd(1, Index(backend.Device, 5, 0), x.IndexSelect(1, Index(backend.Device, 0, 5)));
        _ = y.ToArray<int>();
        _ = z.ToArray<int>();
        AssertClean(backend);
    }

    private static void AssertClean(VulkanBackend backend)
    {
        backend.Synchronize();
        using var t = Tensor.Ones([3], DType.Float32, backend.Device);
        using var u = t * 2;
        CollectionAssert.AreEqual(new float[] { 2, 2, 2 }, u.ToArray<float>());
    }
}
