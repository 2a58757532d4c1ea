using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Philox random fills (shaders/random.comp), the CPU backend's mapping of elements to blocks and words, so a
/// seed gives the same tensors on both: raw words, uniforms and integers bit-identical, normals to float32 precision.</summary>
public sealed partial class VulkanBackend
{
    public unsafe void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta)
    {
        var name = $"Random {kind}";
        if (y.DType == DType.Bool) throw device.Unsupported($"{name} on Bool");
        if (!device.Info.Float64 || !device.Info.Int64)
            throw device.Unsupported(name, "it computes in double and 64-bit integers as the CPU and needs the shaderFloat64 and shaderInt64 features");
        var storage = Own(y, name);
        if (y.Numel == 0) return;
        var p = new RandomParams
        {
            Numel = y.Numel,
            YOffset = y.Offset,
            SeedLow = (uint)seed,
            SeedHigh = (uint)(seed >> 32),
            BlockLow = (uint)offset,
            BlockHigh = (uint)(offset >> 32),
            Alpha = alpha,
            Beta = beta,
        };
        var groups = (uint)Math.Min((y.Numel + 255L) / 256, device.Info.MaxComputeWorkGroupCountX);
        device.CheckLoopIterations($"{name} of {y.Numel} elements", (y.Numel + groups * 256L - 1) / (groups * 256L));
        // Like the CPU, elements are written at y.Offset + i: y is filled as the contiguous tensor it is.
        device.Stream.Dispatch(device.Pipelines.Get("random", 1, (int)kind, DTypeCode(y.DType)), [storage], &p, (uint)sizeof(RandomParams), (groups, 1, 1));
    }
}
