using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Fused primitives, composed for now from the elementwise kernels (two dispatches where the CPU makes one
/// pass); a dedicated kernel comes when a benchmark shows the gain.</summary>
public sealed partial class VulkanBackend
{
    public void BiasActivation(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta)
    {
        var n = y.Shape[^1];
        var rows = n == 0 ? 0 : y.Numel / n;
        if (rows == 0) return;
        const string name = "BiasActivation";
        var storage = Own(y, name);
        int[] shape = [rows, n];
        var rowsOfY = (y.Offset, new[] { n, 1 });
        if (bias is not null)
            Run(BinaryKernel(BinaryOp.Add, y.DType), shape, [storage, storage, Own(bias, name)],
                [rowsOfY, rowsOfY, (bias.Offset, [0, bias.Strides[^1]])], default);
        if (activation is { } op)
            Run(UnaryKernel(op, y.DType), shape, [storage, storage], [rowsOfY, rowsOfY], Scalars(y.DType, alpha, beta));
    }
}
