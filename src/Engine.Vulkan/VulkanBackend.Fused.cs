using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Fused primitives. BiasActivation is one pass (shaders/bias_activation.comp) on float32 and float64, with
/// any floating-point activation (unary.comp's formulas, shared through include/unary_apply.glsl); other dtypes are a
/// broadcast add and then the unary kernel, which refuse what they do not take.</summary>
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
        if (y.DType is DType.Float32 or DType.Float64 && activation is not UnaryOp.Not)
        {
            if (bias is null && activation is null) return;
            var module = y.DType == DType.Float32 ? "bias_activation_f32" : RequireFloat64(name, "bias_activation_f64");
            var kernel = device.Pipelines.Get(module, 2, activation is { } act ? (int)act : -1, bias is null ? 0 : 1);
            Run(kernel, shape, [storage, bias is null ? storage : Own(bias, name)],
                [rowsOfY, bias is null ? rowsOfY : (bias.Offset, [0, bias.Strides[^1]])], Scalars(y.DType, alpha, beta));
            return;
        }
        if (bias is not null)
            Run(BinaryKernel(BinaryOp.Add, y.DType), shape, [storage, storage, Own(bias, name)],
                [rowsOfY, rowsOfY, (bias.Offset, [0, bias.Strides[^1]])], default);
        if (activation is { } op)
            Run(UnaryKernel(op, y.DType), shape, [storage, storage], [rowsOfY, rowsOfY], Scalars(y.DType, alpha, beta));
    }
}
