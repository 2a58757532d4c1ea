using Engine.Nn;

namespace Engine.Vulkan.Tests;

/// <summary>A device without a feature an op needs (simulated by <see cref="VulkanDevice.OverrideCapabilities"/>:
/// what kernels check, not what the device has) and an allocation the driver refuses (simulated by
/// <see cref="BufferPool.SimulateOutOfMemoryFrom"/>) fail with messages naming the feature, or the sizes.</summary>
[TestClass]
public sealed class FeatureAndMemoryFailureTests
{
    [TestMethod]
    public void OpNeedingFloat64OnADeviceWithoutItNamesTheFeature()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var a = Parity.Random([3, 4], DType.Float64, 1).To(backend.Device);
        using var b = Parity.Random([4, 2], DType.Float64, 2).To(backend.Device);
        using (backend.VulkanDevice.OverrideCapabilities(float64: false, int64: true))
        {
            Assert.IsFalse(backend.Info.Float64);
            var cases = new (string Op, Action Run)[]
            {
                ("Gemm", () => a.Matmul(b)),
                ("Binary Add", () => _ = a + a),
                ("Reduce Sum", () => a.Sum(1)),
                ("Cumsum", () => a.Cumsum(1)),
                ("Copy Float32 -> Float64", () => Tensor.Ones([2], DType.Float32, backend.Device).To(DType.Float64)),
            };
            foreach (var (op, run) in cases)
            {
                var e = Assert.ThrowsExactly<NotSupportedException>(run, op);
                StringAssert.Contains(e.Message, op);
                StringAssert.Contains(e.Message, "shaderFloat64");
                StringAssert.Contains(e.Message, backend.Device.ToString());
            }
        }
        Assert.AreEqual(VulkanBackend.Enumerate().Devices[backend.Device.Index].Float64, backend.Info.Float64, "the override was not undone");
        if (backend.Info.Float64)
        {
            using var product = a.Matmul(b);
            Parity.AssertClose(a.Cpu().Matmul(b.Cpu()), product, "Gemm float64 after the override");
        }
    }

    [TestMethod]
    public void OpNeedingInt64OnADeviceWithoutItNamesTheFeature()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var i = Tensor.FromArray(new long[] { 1, 2, 3 }).To(backend.Device);
        using (backend.VulkanDevice.OverrideCapabilities(float64: true, int64: false))
        {
            var cumsum = Assert.ThrowsExactly<NotSupportedException>(() => i.Cumsum(0));
            StringAssert.Contains(cumsum.Message, "Cumsum on Int64");
            StringAssert.Contains(cumsum.Message, "shaderInt64");
            var arange = Assert.ThrowsExactly<NotSupportedException>(() => Tensor.Arange(5, DType.Int64, backend.Device));
            StringAssert.Contains(arange.Message, "Arange");
            StringAssert.Contains(arange.Message, "shaderInt64");
        }
    }

    [TestMethod]
    public void DriverOutOfMemoryTrimsTheCacheThenNamesSizeAskedAndFree()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var pool = backend.VulkanDevice.Pool;
        using (Tensor.Zeros([4096], DType.Float32, backend.Device))
        {
        }
        Assert.IsTrue(pool.BytesCached > 0);
        try
        {
            pool.SimulateOutOfMemoryFrom = 2 << 20;
            // Smaller tensors are still served.
            using var small = Tensor.Ones([1000], DType.Float32, backend.Device);
            var e = Assert.ThrowsExactly<VulkanOutOfMemoryException>(() => Tensor.Zeros([1 << 20], DType.Float32, backend.Device));
            StringAssert.Contains(e.Message, $"{backend.Device} ({backend.Info.Name})");
            StringAssert.Contains(e.Message, "out of device memory allocating 4194304 bytes");
            StringAssert.Contains(e.Message, "heap has");
            StringAssert.Contains(e.Message, "are free");
            Assert.AreEqual(0ul, pool.BytesCached, "the cache was not handed back before giving up");
            Assert.AreEqual(1000f, small.Sum().Item<float>());
        }
        finally
        {
            pool.SimulateOutOfMemoryFrom = null;
        }
        using var large = Tensor.Zeros([1 << 20], DType.Float32, backend.Device);
        Assert.AreEqual(0f, large.Sum().Item<float>());
    }

    /// <summary>Every op family that takes two tensors refuses a CPU tensor next to a device tensor, naming both
    /// devices, whichever operand is foreign (FailureTests covers the elementwise case).</summary>
    [TestMethod]
    public void MixingDevicesIsRefusedByEveryTwoTensorOp()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var gpu = backend.Device;
        using var a = Parity.Random([4, 4], DType.Float32, 1).To(gpu);
        var c = Parity.Random([4, 4], DType.Float32, 2);
        var index = Tensor.FromArray(new long[] { 0, 3, 1, 2 }).Reshape(1, 4);
        var labels = Tensor.FromArray(new long[] { 0, 1, 2, 3 });
        var cases = new (string Op, Action Run)[]
        {
            ("Matmul", () => a.Matmul(c)),
            ("Matmul (cpu first)", () => c.Matmul(a)),
            ("Cat", () => Tensor.Cat([a, c])),
            ("Stack", () => Tensor.Stack([c, a])),
            ("Where", () => Tensor.Where(a.Gt(0), a, c)),
            ("Where (cpu condition)", () => Tensor.Where(c.Gt(0), a, a)),
            ("Gather (cpu index)", () => a.Gather(0, index)),
            ("IndexSelect (cpu index)", () => a.IndexSelect(1, index.Reshape(4))),
            ("ScatterAdd (cpu src)", () => a.ScatterAdd(0, index.To(gpu), c.Narrow(0, 0, 1))),
            ("CrossEntropy (cpu labels)", () => Losses.CrossEntropy(a, labels)),
            ("Mse", () => Losses.Mse(a, c)),
            ("Linear (cpu weight)", () => Tensor.Linear(a, c)),
            ("Maximum", () => a.Maximum(c)),
        };
        foreach (var (op, run) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(run, op);
            StringAssert.Contains(e.Message, "cpu", op);
            StringAssert.Contains(e.Message, gpu.ToString(), op);
        }
    }
}
