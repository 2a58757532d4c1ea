using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Batched GEMM (shaders/gemm.comp): one 64x64 output tile per 8x8 workgroup (an 8x8 register block per
/// invocation), batches along the grid's z.</summary>
public sealed partial class VulkanBackend
{
    private const int GemmTile = 64;

    public void Matmul(Tensor a, Tensor b, Tensor c, bool accumulate)
        => Gemm(a, MatrixOperand.Of(a), b, MatrixOperand.Of(b), c, MatrixOperand.Of(c), accumulate);

    public unsafe void Gemm(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate)
    {
        MatrixOperand.CheckGemm(a, av, b, bv, c, cv);
        var module = c.DType switch
        {
            DType.Float32 => "gemm_f32",
            DType.Float64 => RequireFloat64("Gemm", "gemm_f64"),
            _ => throw device.Unsupported($"Gemm on {c.DType}"),
        };
        if (cv.Batch == 0 || cv.Rows == 0 || cv.Cols == 0) return;
        if (av.Cols == 0)
        {
            // An empty sum: c = 0, or c unchanged when accumulating.
            if (!accumulate) Fill(c, 0);
            return;
        }
        var limit = device.Info.MaxComputeWorkGroupCountX;
        var groups = ((uint)((cv.Cols + GemmTile - 1) / GemmTile), (uint)((cv.Rows + GemmTile - 1) / GemmTile), (uint)cv.Batch);
        if (groups.Item1 > limit || groups.Item2 > limit || groups.Item3 > limit)
            throw device.Unsupported($"Gemm of {cv}", $"needs more workgroups than the device's limit of {limit} per dimension");
        device.CheckLoopIterations($"Gemm of {cv} with k = {av.Cols}", (av.Cols + 15L) / 16);
        var kernel = device.Pipelines.Get(module, 3);
        var p = GemmParams.Of(av, bv, cv, accumulate);
        device.Stream.Dispatch(kernel, [Own(c, "Gemm"), Own(a, "Gemm"), Own(b, "Gemm")], &p, (uint)sizeof(GemmParams), groups);
    }
}
