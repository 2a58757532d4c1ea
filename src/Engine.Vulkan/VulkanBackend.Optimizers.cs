using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Fused optimizer updates (shaders/adam.comp): one pass over a parameter and its state per step.</summary>
public sealed partial class VulkanBackend
{
    public unsafe void AdamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, AdamStep step)
    {
        const string name = "AdamUpdate";
        var module = param.DType switch
        {
            DType.Float32 => "adam_f32",
            DType.Float64 => RequireFloat64(name, "adam_f64"),
            _ => throw device.Unsupported($"{name} on {param.DType}"),
        };
        if (param.Numel == 0) return;
        // The kernel walks every operand densely; a strided gradient is copied first (the copy is ordered before the
        // update, and its buffer returns to the pool once both have run).
        using var dense = DenseCopy(grad);
        var g = dense ?? grad;
        var p = new AdamParams { Numel = param.Numel, Maximize = step.Maximize ? 1 : 0 };
        Tensor[] tensors = [param, g, expAvg, expAvgSq, maxExpAvgSq ?? expAvg];
        for (var i = 0; i < tensors.Length; i++) p.Offset[i] = tensors[i].Offset;
        p.SetScalars(step, param.DType == DType.Float64);
        // It writes the parameter and its state: bindings 0, 2, 3 and 4.
        var kernel = device.Pipelines.Get(module, 5, maxExpAvgSq is null ? 0 : 1) with { Writes = 0b11101 };
        var groups = (uint)Math.Min((param.Numel + 255L) / 256, device.Info.MaxComputeWorkGroupCountX);
        device.Stream.Dispatch(kernel, tensors.Select(t => Own(t, name)).ToArray(), &p, (uint)sizeof(AdamParams), (groups, 1, 1));
    }
}
