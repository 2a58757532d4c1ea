using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>The fused primitives on Vulkan against the CPU.</summary>
[TestClass]
public sealed class FusedParityTests
{
    [TestMethod]
    public void BiasActivationMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        int[][] shapes = [[1, 1], [33, 7], [1, 1023], [2, 3, 5]];
        UnaryOp?[] activations = [null, UnaryOp.Relu, UnaryOp.Tanh, UnaryOp.LeakyRelu];
        foreach (var shape in shapes)
        foreach (var activation in activations)
        foreach (var withBias in new[] { true, false })
        {
            var n = shape[^1];
            var yc = Parity.Random(shape, DType.Float32, n + 1);
            var yg = yc.To(device);
            // A strided bias: every other element of a longer vector.
            var bias = Parity.Random([2 * n], DType.Float32, n + 2);
            VulkanTestDevice.Cpu.BiasActivation(yc, withBias ? bias.Slice(0, 0, 2 * n, 2) : null, activation, 0.2, 0);
            backend.BiasActivation(yg, withBias ? bias.To(device).Slice(0, 0, 2 * n, 2) : null, activation, 0.2, 0);
            Parity.AssertClose(yc, yg, $"BiasActivation {activation?.ToString() ?? "none"} bias {withBias} [{string.Join(",", shape)}]");
        }
        // The bias alone, Relu and LeakyRelu ran as one pass (shaders/bias_activation.comp).
        foreach (var act in new[] { -1, (int)UnaryOp.Relu, (int)UnaryOp.LeakyRelu })
            Assert.IsTrue(backend.VulkanDevice.Pipelines.IsBuilt("bias_activation_f32", act, 1), $"no fused kernel for activation {act}");
    }

    [TestMethod]
    public void FusedBiasActivationMatchesCpuOnFloat64AndNaN()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        foreach (var dtype in backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32])
        foreach (var activation in new UnaryOp?[] { null, UnaryOp.Relu, UnaryOp.LeakyRelu })
        foreach (var withBias in new[] { true, false })
        {
            // A NaN, infinities and a negative zero in y; the same additions and products on both sides, so exact.
            var yc = Parity.Random([33, 65], dtype, 7);
            var values = Parity.Values(yc);
            values[3] = double.NaN;
            values[100] = double.PositiveInfinity;
            values[200] = double.NegativeInfinity;
            values[300] = -0.0;
            yc = (dtype == DType.Float32 ? Tensor.FromArray(values.Select(v => (float)v).ToArray()) : Tensor.FromArray(values)).Reshape(33, 65);
            var yg = yc.To(device);
            var bias = Parity.Random([65], dtype, 8);
            VulkanTestDevice.Cpu.BiasActivation(yc, withBias ? bias : null, activation, 0.01, 0);
            backend.BiasActivation(yg, withBias ? bias.To(device) : null, activation, 0.01, 0);
            Parity.AssertClose(yc, yg, $"BiasActivation {dtype} {activation?.ToString() ?? "none"} bias {withBias}", 0, 0);
        }
    }
}
