using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Softmax, log-softmax and their gradients on Vulkan against the CPU, along every dim of views, odd row
/// lengths and rows longer than a workgroup.</summary>
[TestClass]
public sealed class SoftmaxParityTests
{
    private static IEnumerable<(string Name, Tensor Base, Func<Tensor, Tensor> View, int Dim)> Cases(int seed)
    {
        foreach (var n in new[] { 1, 7, 33, 1023 }) yield return ($"[3,{n}] along 1", Parity.Random([3, n], DType.Float32, seed + n, -10, 10), t => t, 1);
        var cube = Parity.Random([7, 1, 33], DType.Float32, seed);
        for (var dim = 0; dim < 3; dim++) yield return ($"[7,1,33] along {dim}", cube, t => t, dim);
        yield return ("[7,33]^T along 0", Parity.Random([7, 33], DType.Float32, seed + 1), t => t.Transpose(0, 1), 0);
    }

    [TestMethod]
    public void SoftmaxAndGradientsMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        foreach (var log in new[] { false, true })
        foreach (var (name, baseTensor, view, dim) in Cases(log ? 5 : 6))
        {
            var what = $"{(log ? "LogSoftmax" : "Softmax")} {name}";
            var shape = view(baseTensor).Shape.ToArray();
            var yc = Tensor.Zeros(shape, DType.Float32, Device.Cpu);
            var yg = Tensor.Zeros(shape, DType.Float32, device);
            cpu.Softmax(view(baseTensor), dim, yc, log);
            backend.Softmax(view(baseTensor.To(device)), dim, yg, log);
            Parity.AssertClose(yc, yg, what);

            var gy = Parity.Random(shape, DType.Float32, 17);
            var gc = Tensor.Zeros(shape, DType.Float32, Device.Cpu);
            var gg = Tensor.Zeros(shape, DType.Float32, device);
            cpu.SoftmaxBackward(yc, gy, dim, gc, log);
            backend.SoftmaxBackward(yc.To(device), gy.To(device), dim, gg, log);
            Parity.AssertClose(gc, gg, $"{what} backward");
        }
    }

    [TestMethod]
    public void Float64SoftmaxGradientRunsAndExpNeedingOnesAreRefused()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        var y = Parity.Random([5, 9], DType.Float64, 1, 0, 1);
        var gy = Parity.Random([5, 9], DType.Float64, 2);
        var gc = Tensor.Zeros([5, 9], DType.Float64, Device.Cpu);
        var gg = Tensor.Zeros([5, 9], DType.Float64, backend.Device);
        VulkanTestDevice.Cpu.SoftmaxBackward(y, gy, 1, gc, log: false);
        backend.SoftmaxBackward(y.To(backend.Device), gy.To(backend.Device), 1, gg, log: false);
        Parity.AssertClose(gc, gg, "SoftmaxBackward Float64", 1e-13, 1e-15);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Softmax(gg, 1, gg, log: true));
        StringAssert.Contains(e.Message, "LogSoftmax on Float64");
    }
}
