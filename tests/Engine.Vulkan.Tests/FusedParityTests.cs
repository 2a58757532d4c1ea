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
    }
}
