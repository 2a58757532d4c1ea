using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Ops without a kernel yet, and tensors of two devices, fail with a message instead of a wrong answer.</summary>
[TestClass]
public sealed class FailureTests
{
    [TestMethod]
    public void UnsupportedDTypeIsRefusedNotComputed()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var x = Tensor.Zeros([3], DType.Bool, backend.Device);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Binary(BinaryOp.Add, x, x, x));
        StringAssert.Contains(e.Message, "Binary Add on Bool");
        using var n = Tensor.Zeros([3], DType.Int32, backend.Device);
        var exp = Assert.ThrowsExactly<NotSupportedException>(() => backend.Unary(UnaryOp.Exp, n, n, 0, 0));
        StringAssert.Contains(exp.Message, "Unary Exp on Int32");
    }

    [TestMethod]
    public void MixingDevicesIsAnArgumentError()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var cpu = Tensor.Ones([3], DType.Float32, Device.Cpu);
        using var gpu = Tensor.Ones([3], DType.Float32, backend.Device);
        var e = Assert.ThrowsExactly<ArgumentException>(() => cpu + gpu);
        StringAssert.Contains(e.Message, "different devices");
        // The backend itself refuses a foreign tensor, whichever op layer called it.
        var direct = Assert.ThrowsExactly<ArgumentException>(() => backend.Binary(BinaryOp.Add, cpu, gpu, gpu));
        StringAssert.Contains(direct.Message, "cpu");
        StringAssert.Contains(direct.Message, backend.Device.ToString());
    }

    [TestMethod]
    public void MissingDeviceIndexListsTheDevices()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var count = VulkanBackend.Enumerate().Devices.Count;
        var e = Assert.ThrowsExactly<VulkanUnavailableException>(() => Device.Vulkan(count + 5).Backend);
        StringAssert.Contains(e.Message, $"no device vulkan:{count + 5}");
        StringAssert.Contains(e.Message, backend.Info.Name);
    }

    [TestMethod]
    public void DevicesAreDescribedAndOrdered()
    {
        VulkanTestDevice.BackendOrInconclusive();
        var (devices, unavailable) = VulkanBackend.Enumerate();
        Assert.IsNull(unavailable);
        for (var i = 0; i < devices.Count; i++)
        {
            Assert.AreEqual(i, devices[i].Index);
            Assert.IsFalse(string.IsNullOrEmpty(devices[i].Name));
            Assert.IsTrue(devices[i].SubgroupSize > 0, "subgroup size not queried");
            Assert.IsTrue(devices[i].DeviceLocalBytes > 0);
            if (i > 0) Assert.IsTrue(VulkanDeviceInfo.TypeRank(devices[i - 1].Type) <= VulkanDeviceInfo.TypeRank(devices[i].Type));
        }
    }
}
