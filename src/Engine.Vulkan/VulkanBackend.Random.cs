using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Philox random fills (shaders/random.comp), the CPU backend's mapping of elements to blocks and words, so a
/// seed gives the same tensors on both: raw words, uniforms and integers bit-identical, normals to float32 precision.
/// Devices without shaderFloat64 and shaderInt64 get the narrow build (float32 and int32 outputs).</summary>
public sealed partial class VulkanBackend
{
    public void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta)
        => Random(y, kind, seed, offset, alpha, beta, wide: device.Info.Float64 && device.Info.Int64);

    /// <summary>The fill with the wide (double, int64) or narrow (float, int32) build; tests run the narrow one on
    /// devices that have both.</summary>
    internal unsafe void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta, bool wide)
    {
        var name = $"Random {kind}";
        // Bool has no draw on the CPU either; an integer normal would take words past its block there.
        if (y.DType == DType.Bool || (kind == RandomKind.Normal && !y.DType.IsFloatingPoint()))
            throw device.Unsupported($"{name} on {y.DType}");
        if (!wide && y.DType is DType.Float64 or DType.Int64)
            throw device.Unsupported($"{name} on {y.DType}", "it computes in double and 64-bit integers and needs the shaderFloat64 and shaderInt64 features");
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
        };
        p.SetScalars(wide, alpha, beta);
        if (!wide && kind == RandomKind.Integer)
        {
            var range = Math.Floor(beta - alpha);
            if (alpha != Math.Floor(alpha) || alpha < int.MinValue || range < 0 || range >= 4294967296.0 || alpha + range > int.MaxValue)
                throw device.Unsupported($"{name} over [{alpha}, {beta})",
                    "without the shaderFloat64 and shaderInt64 features the low bound must be an int32 and the range below 2^32");
            p.Low = (int)alpha;
            p.Range = (uint)range;
        }
        var groups = (uint)Math.Min((y.Numel + 255L) / 256, device.Info.MaxComputeWorkGroupCountX);
        device.CheckLoopIterations($"{name} of {y.Numel} elements", (y.Numel + groups * 256L - 1) / (groups * 256L));
        // Like the CPU, elements are written at y.Offset + i: y is filled as the contiguous tensor it is.
        var kernel = device.Pipelines.Get(wide ? "random" : "random_narrow", 1, (int)kind, DTypeCode(y.DType));
        device.Stream.Dispatch(kernel, [storage], &p, (uint)sizeof(RandomParams), (groups, 1, 1));
    }
}
