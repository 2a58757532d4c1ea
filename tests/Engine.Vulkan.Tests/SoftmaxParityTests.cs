using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Softmax, log-softmax and their gradients on Vulkan against the CPU, along every dim of views, odd row
/// lengths and rows longer than a workgroup.</summary>
[TestClass]
public sealed class SoftmaxParityTests
{
    private static IEnumerable<(string Name, Tensor Base, Func<Tensor, Tensor> View, int Dim)> Cases(int seed, DType dtype = DType.Float32)
    {
        foreach (var n in new[] { 1, 7, 33, 1023 }) yield return ($"[3,{n}] along 1", Parity.Random([3, n], dtype, seed + n, -10, 10), t => t, 1);
        var cube = Parity.Random([7, 1, 33], dtype, seed);
        for (var dim = 0; dim < 3; dim++) yield return ($"[7,1,33] along {dim}", cube, t => t, dim);
        yield return ("[7,33]^T along 0", Parity.Random([7, 33], dtype, seed + 1), t => t.Transpose(0, 1), 0);
        // Wide logits: exp underflows for most of the row, and a row of -inf gives zeros as on the CPU.
        yield return ("[4,257] in [-800, 800] along 1", Parity.Random([4, 257], dtype, seed + 2, -800, 800), t => t, 1);
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

    /// <summary>Float64 (exp and log from include/f64math.glsl): within 1e-12 relative, the CPU and the device summing
    /// the row in different orders; 1e-300 absolute for probabilities that underflow.</summary>
    [TestMethod]
    public void Float64SoftmaxAndGradientsMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        foreach (var log in new[] { false, true })
        foreach (var (name, baseTensor, view, dim) in Cases(log ? 7 : 8, DType.Float64))
        {
            var what = $"{(log ? "LogSoftmax" : "Softmax")} Float64 {name}";
            var shape = view(baseTensor).Shape.ToArray();
            var yc = Tensor.Zeros(shape, DType.Float64, Device.Cpu);
            var yg = Tensor.Zeros(shape, DType.Float64, device);
            cpu.Softmax(view(baseTensor), dim, yc, log);
            backend.Softmax(view(baseTensor.To(device)), dim, yg, log);
            Parity.AssertClose(yc, yg, what, 1e-12, 1e-300);

            var gy = Parity.Random(shape, DType.Float64, 17);
            var gc = Tensor.Zeros(shape, DType.Float64, Device.Cpu);
            var gg = Tensor.Zeros(shape, DType.Float64, device);
            cpu.SoftmaxBackward(yc, gy, dim, gc, log);
            backend.SoftmaxBackward(yc.To(device), gy.To(device), dim, gg, log);
            // The gradient subtracts a row sum: absolute slack relative to that sum's terms (|gy| < 3).
            Parity.AssertClose(gc, gg, $"{what} backward", 1e-12, 1e-13);
        }
        using var allNegativeInfinity = Tensor.Full([2, 5], double.NegativeInfinity, DType.Float64, Device.Cpu);
        var zc = Tensor.Zeros([2, 5], DType.Float64, Device.Cpu);
        var zg = Tensor.Zeros([2, 5], DType.Float64, device);
        cpu.Softmax(allNegativeInfinity, 1, zc, log: false);
        backend.Softmax(allNegativeInfinity.To(device), 1, zg, log: false);
        Parity.AssertClose(zc, zg, "Softmax Float64 of a row of -inf", 0, 0);
    }
}
