using Engine.Nn;
using Engine.Optim;

namespace Engine.Vulkan.Tests;

/// <summary>Device buffers come back to the pool through Dispose, scopes and, as a safety net, finalization; a long
/// training run holds device memory and driver allocations flat.</summary>
[TestClass]
public sealed class LifetimeTests
{
    /// <summary>2,000 steps of a small MLP (forward, cross-entropy, backward, Adam, reading the loss), each in a
    /// <see cref="TensorScope"/>: after warm-up, the bytes in live buffers, the bytes cached and the driver
    /// allocations are the same at every checkpoint, and the loss went down.</summary>
    [TestMethod]
    public void TwoThousandTrainingStepsHoldDeviceMemoryFlat()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        var device = backend.Device;
        // Undisposed tensors of earlier tests would otherwise come back through finalizers during the run.
        Collect();
        backend.Synchronize();
        Collect();
        var generator = new Generator(3);
        var model = new Sequential(new Linear(8, 16, generator: generator), new Relu(), new Linear(16, 4, generator: generator));
        model.To(device);
        var optimizer = new Adam(model.Parameters(), lr: 1e-2);
        using var x = Parity.Random([16, 8], DType.Float32, 5).To(device);
        using var labels = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (long)(i % 4)).ToArray()).To(device);
        const int Steps = 2000, WarmUp = 20;
        var checkpoints = new List<(int Step, ulong InUse, ulong Cached, long Allocations)>();
        float first = 0, last = 0;
        for (var step = 1; step <= Steps; step++)
        {
            using (TensorScope.Enter())
            {
                var loss = Losses.CrossEntropy(model.Forward(x), labels);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                last = loss.Item<float>();
            }
            if (step == 1) first = last;
            if (step >= WarmUp && step % 200 == 0) checkpoints.Add((step, pool.BytesInUse, pool.BytesCached, pool.DriverAllocations));
        }
        Assert.IsTrue(last < first * 0.5, $"the loss did not go down: {first} -> {last}");
        var reference = checkpoints[0];
        foreach (var c in checkpoints)
        {
            Assert.AreEqual(reference.InUse, c.InUse, $"bytes in live buffers grew by step {c.Step}");
            Assert.AreEqual(reference.Allocations, c.Allocations, $"the pool went back to the driver by step {c.Step}");
            Assert.AreEqual(reference.InUse + reference.Cached, c.InUse + c.Cached, $"device memory held grew by step {c.Step}");
        }
    }

    [TestMethod]
    public void AScopeReturnsTheBuffersOfEverythingCreatedInIt()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        using var w = Parity.Random([64, 64], DType.Float32, 1).To(backend.Device);
        // Staging buffers of uploads return to the pool once their copies have run.
        backend.Synchronize();
        var inUse = pool.BytesInUse;
        Tensor kept;
        using (var scope = TensorScope.Enter())
        {
            var h = w.Matmul(w).Relu();
            var y = (h * 2 + 1).Sum(1);
            kept = scope.Keep(y.Exp());
            Assert.IsTrue(pool.BytesInUse > inUse + 3 * 64 * 64 * 4);
        }
        backend.Synchronize();
        Assert.AreEqual(inUse + BufferPool.SizeClass(64 * 4), pool.BytesInUse, "only the kept tensor should still hold a buffer");
        Assert.AreEqual(64, kept.ToArray<float>().Length);
        kept.Dispose();
        Assert.AreEqual(inUse, pool.BytesInUse);
    }

    /// <summary>Tensors dropped without Dispose while their kernels are still queued: the command stream keeps their
    /// storages alive (so the finalizer cannot hand a buffer back under a running kernel) until the batch has run;
    /// then garbage collection and finalizers return every buffer.</summary>
    [TestMethod]
    public void FinalizationReturnsBuffersOnlyAfterTheirQueuedKernelsRan()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        backend.Synchronize();
        Collect();
        var inUse = pool.BytesInUse;
        var cached = pool.BytesCached;
        DropQueued(backend.Device);
        var queued = pool.BytesInUse;
        Assert.IsTrue(queued >= inUse + 8 * BufferPool.SizeClass(4 << 14), "the dropped tensors' buffers were not counted");
        Collect();
        Assert.AreEqual(queued, pool.BytesInUse, "a buffer went back to the pool while a queued kernel still used it");
        backend.Synchronize();
        Collect();
        Assert.AreEqual(inUse, pool.BytesInUse, "buffers of tensors that were never disposed stayed in use after finalization");
        Assert.IsTrue(pool.BytesCached > cached, "the finalized buffers were not kept for reuse");
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void DropQueued(Device device)
    {
        for (var i = 0; i < 4; i++)
        {
            var a = Tensor.Full([1 << 14], i, DType.Float32, device);
            _ = (a * 3).Exp();
        }
    }
}
