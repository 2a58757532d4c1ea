using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>The caching allocator reuses buffers, trims its cache, and says what it was asked when memory runs out.</summary>
[TestClass]
public sealed class MemoryTests
{
    [TestMethod]
    public void SizeClassesRoundUp()
    {
        Assert.AreEqual(256ul, BufferPool.SizeClass(1));
        Assert.AreEqual(256ul, BufferPool.SizeClass(256));
        Assert.AreEqual(512ul, BufferPool.SizeClass(257));
        Assert.AreEqual(1ul << 20, BufferPool.SizeClass((1 << 19) + 1));
        Assert.AreEqual(2ul << 20, BufferPool.SizeClass((1 << 20) + 1));
    }

    [TestMethod]
    public void DisposedTensorsAreReusedNotReallocated()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        void Step()
        {
            using var x = Tensor.Full([1000], 2.0, DType.Float32, backend.Device);
            using var y = Tensor.Zeros([1000], DType.Float32, backend.Device);
            backend.Unary(UnaryOp.Square, x, y, 0, 0);
            Assert.AreEqual(4f, y.ToArray<float>()[999]);
        }
        // Tensors earlier tests dropped without Dispose must not be finalized while this one counts.
        backend.Synchronize();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Step();
        var allocations = pool.DriverAllocations;
        var inUse = pool.BytesInUse;
        for (var i = 0; i < 50; i++) Step();
        Assert.AreEqual(allocations, pool.DriverAllocations, "the pool went back to the driver instead of reusing buffers");
        Assert.AreEqual(inUse, pool.BytesInUse, "disposed tensors did not return their buffers");
    }

    [TestMethod]
    public void TrimEmptiesTheCache()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        using (Tensor.Zeros([4096], DType.Float32, backend.Device))
        {
        }
        Assert.IsTrue(pool.BytesCached > 0);
        backend.TrimMemory();
        Assert.AreEqual(0ul, pool.BytesCached);
    }

    [TestMethod]
    public void OutOfDeviceMemoryNamesTheSize()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.VulkanDevice;
        var tooMuch = device.HeapSize(device.DeviceMemoryType) * 2;
        var e = Assert.ThrowsExactly<VulkanOutOfMemoryException>(() => device.Pool.Rent(tooMuch, staging: false, hostWrite: false));
        StringAssert.Contains(e.Message, $"out of device memory allocating {BufferPool.SizeClass(tooMuch)} bytes");
        StringAssert.Contains(e.Message, "vulkan:");
    }

    [TestMethod]
    public void TensorBeyondTheStorageBufferRangeIsRefused()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Allocate(DType.Float64, int.MaxValue));
        StringAssert.Contains(e.Message, $"{int.MaxValue} elements");
        StringAssert.Contains(e.Message, "largest storage buffer");
    }

    [TestMethod]
    public void FinalizationReturnsBuffersOfUndisposedTensors()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        backend.Synchronize();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var inUse = pool.BytesInUse;
        LeakTensors(backend.Device);
        Assert.IsTrue(pool.BytesInUse > inUse);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.AreEqual(inUse, pool.BytesInUse, "buffers of tensors that were never disposed stayed in use after finalization");
    }

    /// <summary>Tensors that are read (so no queued command holds them) and then dropped without Dispose.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakTensors(Device device)
    {
        for (var i = 0; i < 4; i++) _ = Tensor.Full([1 << 14], i, DType.Float32, device).ToArray<float>();
    }
}
