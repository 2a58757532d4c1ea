using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Max, average and adaptive average pooling with their gradients (shaders/pool.comp), in the CPU backend's
/// order of operations: forwards one invocation per output, the average gradients one per input element (summing the
/// windows that cover it, in output order), the max gradient one per (n, c) plane routing its outputs in order, so
/// overlapping windows accumulate deterministically and as on the CPU. Strided inputs are copied dense first.</summary>
public sealed partial class VulkanBackend
{
    private enum PoolMode
    {
        Max = 0,
        MaxBackward = 1,
        Avg = 2,
        AvgBackward = 3,
        Adaptive = 4,
        AdaptiveBackward = 5,
    }

    public void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p)
    {
        const string name = "MaxPool2d";
        CheckPool(name, x, y, indices);
        // Per invocation: its window's rows, and their columns.
        RunPool(name, PoolMode.Max, y, x, indices, p, p.KernelH * (p.KernelW + 1L));
    }

    public void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx)
    {
        const string name = "MaxPool2dBackward";
        CheckPool(name, gx, gy, indices);
        // Per invocation: one plane's outputs.
        RunPool(name, PoolMode.MaxBackward, gx, gy, indices, default, (long)gy.Shape[2] * gy.Shape[3]);
    }

    public void AvgPool2d(Tensor x, Tensor y, Pool2dParams p)
    {
        const string name = "AvgPool2d";
        CheckPool(name, x, y, null);
        RunPool(name, PoolMode.Avg, y, x, null, p, p.KernelH * (p.KernelW + 1L));
    }

    public void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p)
    {
        const string name = "AvgPool2dBackward";
        CheckPool(name, gx, gy, null);
        // Per invocation: the windows that can cover one input element.
        RunPool(name, PoolMode.AvgBackward, gx, gy, null, p, (p.KernelH / (long)p.StrideH + 2) * (p.KernelW / (long)p.StrideW + 2));
    }

    public void AdaptiveAvgPool2d(Tensor x, Tensor y)
    {
        const string name = "AdaptiveAvgPool2d";
        CheckPool(name, x, y, null);
        // Per invocation: a window of at most ceil(In/Out) + 1 rows and columns.
        RunPool(name, PoolMode.Adaptive, y, x, null, default, AdaptiveSpan(x.Shape[2], y.Shape[2]) * AdaptiveSpan(x.Shape[3], y.Shape[3]));
    }

    public void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx)
    {
        const string name = "AdaptiveAvgPool2dBackward";
        CheckPool(name, gx, gy, null);
        // Per invocation: the windows that can cover one input element.
        RunPool(name, PoolMode.AdaptiveBackward, gx, gy, null, default, AdaptiveSpan(gy.Shape[2], gx.Shape[2]) * AdaptiveSpan(gy.Shape[3], gx.Shape[3]));
    }

    private static long AdaptiveSpan(int a, int b) => b == 0 ? 0 : (a + b - 1L) / b + 2;

    /// <summary>Checks a pooling's planes: the input (or its gradient) [N,C,H,W] and the output (or its gradient)
    /// [N,C,OH,OW] of one floating-point dtype, Int64 indices shaped like the output.</summary>
    private void CheckPool(string op, Tensor big, Tensor small, Tensor? indices)
    {
        if (!big.DType.IsFloatingPoint() || small.DType != big.DType)
            throw new ArgumentException($"{op}: input and output must share a floating-point dtype; got {big.DType} and {small.DType}");
        if (big.Rank != 4 || small.Rank != 4 || big.Shape[0] != small.Shape[0] || big.Shape[1] != small.Shape[1]
            || indices is not null && (indices.DType != DType.Int64 || !indices.Shape.SequenceEqual(small.Shape)))
            throw new ArgumentException(
                $"{op}: expected input [N,C,H,W] and output [N,C,OH,OW]{(indices is null ? "" : " with Int64 indices of the output's shape")}; got {Shape.Format(big.Shape.ToArray())} and {Shape.Format(small.Shape.ToArray())}"
                + (indices is null ? "" : $", indices {indices.DType} {Shape.Format(indices.Shape.ToArray())}"));
        Own(big, op);
        Own(small, op);
        if (indices is not null) Own(indices, op);
    }

    /// <summary>Runs one pooling mode: <paramref name="output"/> is written (y, or the gradient gx), <paramref name="input"/>
    /// read (x, or gy); the max modes also write (forward) or read (gradient) <paramref name="indices"/>.
    /// <paramref name="iterations"/> bounds each element's loop, for the driver's loop limit.</summary>
    private unsafe void RunPool(string name, PoolMode mode, Tensor output, Tensor input, Tensor? indices, Pool2dParams p, long iterations)
    {
        var module = output.DType switch
        {
            DType.Float32 => "pool_f32",
            DType.Float64 => RequireFloat64(name, "pool_f64"),
            _ => throw device.Unsupported($"{name} on {output.DType}"),
        };
        if (output.Numel == 0) return;
        var backward = mode is PoolMode.MaxBackward or PoolMode.AvgBackward or PoolMode.AdaptiveBackward;
        var (big, small) = backward ? (output, input) : (input, output);
        // Invocations: one per plane for the max gradient, else one per output element.
        var total = mode == PoolMode.MaxBackward ? big.Shape[0] * big.Shape[1] : output.Numel;
        var groups = (uint)Math.Min((total + 255L) / 256, device.Info.MaxComputeWorkGroupCountX);
        device.CheckLoopIterations($"{name} of {Shape.Format(big.Shape.ToArray())} to {Shape.Format(small.Shape.ToArray())}",
            (total + groups * 256L - 1) / (groups * 256L) * (iterations + 1));
        using var inDense = DenseCopy(input);
        var inIndices = mode == PoolMode.MaxBackward ? indices : null;
        using var indicesDense = inIndices is null ? null : DenseCopy(inIndices);
        using var outDense = DenseTemporary(output);
        using var outIndices = mode == PoolMode.Max ? DenseTemporary(indices!) : null;
        var (ins, outs) = (inDense ?? input, outDense ?? output);
        var ids = indicesDense ?? outIndices ?? indices;
        var q = new PoolParams
        {
            Total = total,
            H = big.Shape[2], W = big.Shape[3], OH = small.Shape[2], OW = small.Shape[3],
            KH = p.KernelH, KW = p.KernelW, StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW,
            DilationH = p.DilationH, DilationW = p.DilationW, CountIncludePad = p.CountIncludePad ? 1 : 0,
            OffsetIn = ins.Offset, OffsetOut = outs.Offset, OffsetIndex = ids?.Offset ?? 0,
        };
        if (mode == PoolMode.MaxBackward)
        {
            Fill(outs, 0);
            if (input.Numel == 0)
            {
                if (outDense is not null) Copy(outDense, output);
                return;
            }
        }
        var kernel = device.Pipelines.Get(module, 3, (int)mode) with { Writes = mode == PoolMode.Max ? 0b101 : 0b001 };
        device.Stream.Dispatch(kernel, [Own(outs, name), Own(ins, name), Own(ids ?? ins, name)], &q, (uint)sizeof(PoolParams), (groups, 1, 1));
        if (outDense is not null) Copy(outDense, output);
        if (outIndices is not null) Copy(outIndices, indices!);
    }
}
