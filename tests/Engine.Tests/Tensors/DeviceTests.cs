namespace Engine.Tests.Tensors;

/// <summary>Device names and the ENGINE_DEVICE default (issue 8, item 1).</summary>
[TestClass]
public sealed class DeviceTests
{
    [TestMethod]
    public void ParseReadsEveryForm()
    {
        Assert.AreEqual(Device.Cpu, Device.Parse("cpu"));
        Assert.AreEqual(Device.Vulkan(0), Device.Parse("vulkan"));
        Assert.AreEqual(Device.Vulkan(3), Device.Parse(" Vulkan:3 "));
        Assert.AreEqual("vulkan:3", Device.Vulkan(3).ToString());
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => Device.Parse("cuda")).Message, "unknown device 'cuda'");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => Device.Parse("vulkan:-1")).Message, "non-negative integer");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => Device.Parse("vulkan:1:2")).Message, "bad device index");
    }

    [TestMethod]
    public void TheEnvironmentSettingDefaultsToTheCpuAndNamesItselfWhenWrong()
    {
        Assert.AreEqual(Device.Cpu, Device.FromSetting(null));
        Assert.AreEqual(Device.Cpu, Device.FromSetting("  "));
        Assert.AreEqual(Device.Vulkan(1), Device.FromSetting("vulkan:1"));
        var e = Assert.Throws<ArgumentException>(() => Device.FromSetting("gpu"));
        StringAssert.Contains(e.Message, "ENGINE_DEVICE=gpu");
        StringAssert.Contains(e.Message, "expected cpu, vulkan or vulkan:N");
    }
}
