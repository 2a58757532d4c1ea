using Engine.Backends;

namespace Engine;

/// <summary>2-D pooling over [N,C,H,W] (or unbatched [C,H,W]) with PyTorch's arguments and window rules. Each
/// backward is itself differentiable: max pooling's gradient is a scatter-add of g into the argmax positions, and the
/// average poolings are linear, so their gradient's gradient is the pooling again.</summary>
public sealed partial class Tensor
{
    /// <summary>Max pooling; <paramref name="stride"/> defaults to the kernel size.</summary>
    public Tensor MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPool2dWithIndices(kernelSize, stride, padding, dilation, ceilMode).Values;

    public Tensor MaxPool2d(
        (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, (int H, int W)? dilation = null, bool ceilMode = false)
        => MaxPool2dWithIndices(kernelSize, stride, padding, dilation, ceilMode).Values;

    /// <summary>Max pooling that also returns, for each output, the flat index (Int64) of its maximum within the
    /// input's H*W plane, as PyTorch's return_indices.</summary>
    public (Tensor Values, Tensor Indices) MaxPool2dWithIndices(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        => MaxPool2dWithIndices((kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding), (dilation, dilation), ceilMode);

    public (Tensor Values, Tensor Indices) MaxPool2dWithIndices(
        (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, (int H, int W)? dilation = null, bool ceilMode = false)
    {
        var s = stride ?? kernelSize;
        var d = dilation ?? (1, 1);
        var p = new Pool2dParams(kernelSize.H, kernelSize.W, s.H, s.W, padding.H, padding.W, d.H, d.W, ceilMode, CountIncludePad: true);
        var x = CheckPool("MaxPool2d", p);
        var outShape = PoolOutShape(x, p);
        var y = x.NewEmpty(outShape);
        var indices = x.NewEmpty((int[])outShape.Clone(), DType.Int64);
        Backend.MaxPool2d(x, y, indices, p);
        if (NeedsGrad(x)) y.Record("MaxPool2d", [x], g => [MaxPoolGrad(g, indices, x.shape)]);
        return Rank == 4 ? (y, indices) : (y.Squeeze(0), indices.Squeeze(0));
    }

    /// <summary>Average pooling; <paramref name="stride"/> defaults to the kernel size.</summary>
    public Tensor AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
        => AvgPool2d((kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding), ceilMode, countIncludePad);

    public Tensor AvgPool2d(
        (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, bool ceilMode = false, bool countIncludePad = true)
    {
        var s = stride ?? kernelSize;
        var p = new Pool2dParams(kernelSize.H, kernelSize.W, s.H, s.W, padding.H, padding.W, 1, 1, ceilMode, countIncludePad);
        var x = CheckPool("AvgPool2d", p);
        var y = AvgPoolForward(x, p);
        return Rank == 4 ? y : y.Squeeze(0);
    }

    /// <summary>Adaptive average pooling to a square output.</summary>
    public Tensor AdaptiveAvgPool2d(int outputSize) => AdaptiveAvgPool2d(outputSize, outputSize);

    /// <summary>Average pooling to an output of outH x outW: output i averages input [floor(i*H/outH), ceil((i+1)*H/outH)).</summary>
    public Tensor AdaptiveAvgPool2d(int outH, int outW)
    {
        CheckPoolInput("AdaptiveAvgPool2d");
        if (outH < 1 || outW < 1)
            throw new ArgumentException($"AdaptiveAvgPool2d: the output size must be positive; got ({outH},{outW})");
        if (shape[^2] == 0 || shape[^1] == 0)
            throw new ArgumentException($"AdaptiveAvgPool2d: the input's spatial size must be non-empty; got shape {Engine.Shape.Format(shape)}");
        var x = Rank == 4 ? this : Unsqueeze(0);
        var y = AdaptiveAvgPoolForward(x, outH, outW);
        return Rank == 4 ? y : y.Squeeze(0);
    }

    /// <summary>The gradient of max pooling: g routed to the argmax positions. When the backward pass is recorded it
    /// is a scatter-add over the flattened H*W planes, so it can be differentiated again.</summary>
    private static Tensor MaxPoolGrad(Tensor g, Tensor indices, int[] xShape)
    {
        if (Autograd.IsEnabled)
        {
            int n = xShape[0], c = xShape[1];
            var planes = Zeros([n, c, xShape[2] * xShape[3]], g.DType, g.Device);
            return planes.ScatterAdd(2, indices.Reshape(n, c, -1), g.Reshape(n, c, -1)).Reshape(xShape);
        }
        var gx = g.NewEmpty((int[])xShape.Clone());
        g.Backend.MaxPool2dBackward(g, indices, gx);
        return gx;
    }

    private static Tensor AvgPoolForward(Tensor x, Pool2dParams p)
    {
        var y = x.NewEmpty(PoolOutShape(x, p));
        x.Backend.AvgPool2d(x, y, p);
        if (NeedsGrad(x)) y.Record("AvgPool2d", [x], g => [AvgPoolGrad(g, x.shape, p)]);
        return y;
    }

    /// <summary>The (linear) gradient of average pooling; its own gradient is average pooling.</summary>
    private static Tensor AvgPoolGrad(Tensor g, int[] xShape, Pool2dParams p)
    {
        var gx = g.NewEmpty((int[])xShape.Clone());
        g.Backend.AvgPool2dBackward(g, gx, p);
        if (NeedsGrad(g)) gx.Record("AvgPool2dBackward", [g], u => [AvgPoolForward(u, p)]);
        return gx;
    }

    private static Tensor AdaptiveAvgPoolForward(Tensor x, int outH, int outW)
    {
        var y = x.NewEmpty([x.shape[0], x.shape[1], outH, outW]);
        x.Backend.AdaptiveAvgPool2d(x, y);
        if (NeedsGrad(x)) y.Record("AdaptiveAvgPool2d", [x], g => [AdaptiveAvgPoolGrad(g, x.shape)]);
        return y;
    }

    /// <summary>The (linear) gradient of adaptive average pooling; its own gradient is adaptive average pooling.</summary>
    private static Tensor AdaptiveAvgPoolGrad(Tensor g, int[] xShape)
    {
        var gx = g.NewEmpty((int[])xShape.Clone());
        g.Backend.AdaptiveAvgPool2dBackward(g, gx);
        if (NeedsGrad(g)) gx.Record("AdaptiveAvgPool2dBackward", [g], u => [AdaptiveAvgPoolForward(u, g.shape[2], g.shape[3])]);
        return gx;
    }

    private static int[] PoolOutShape(Tensor x, Pool2dParams p)
        => [x.shape[0], x.shape[1], p.OutSize(x.shape[2], height: true), p.OutSize(x.shape[3], height: false)];

    private void CheckPoolInput(string op)
    {
        if (Rank != 3 && Rank != 4)
            throw new ArgumentException($"{op}: expected a 3-D (unbatched) or 4-D (batched [N,C,H,W]) input; got shape {Engine.Shape.Format(shape)}");
        if (DType is not (DType.Float32 or DType.Float64))
            throw new ArgumentException($"{op}: needs a Float32 or Float64 input; got {DType}");
    }

    /// <summary>Validates a pooling call as PyTorch does and returns the input as 4-D.</summary>
    private Tensor CheckPool(string op, Pool2dParams p)
    {
        CheckPoolInput(op);
        var kernel = $"({p.KernelH},{p.KernelW})";
        var padding = $"({p.PadH},{p.PadW})";
        if (p.KernelH < 1 || p.KernelW < 1)
            throw new ArgumentException($"{op}: the kernel size must be positive; got {kernel}");
        if (p.StrideH < 1 || p.StrideW < 1)
            throw new ArgumentException($"{op}: stride must be positive; got ({p.StrideH},{p.StrideW})");
        if (p.DilationH < 1 || p.DilationW < 1)
            throw new ArgumentException($"{op}: dilation must be positive; got ({p.DilationH},{p.DilationW})");
        if (p.PadH < 0 || p.PadW < 0 || p.PadH > p.KernelH / 2 || p.PadW > p.KernelW / 2)
            throw new ArgumentException($"{op}: padding {padding} must be non-negative and at most half the kernel size {kernel}");
        // A window that overhangs even the padded input leaves no output (PyTorch divides rounding down; OutSize's
        // integer division would round a negative span up to an output of 1).
        var spanH = shape[^2] + 2 * p.PadH - p.DilationH * (p.KernelH - 1) - 1 + (p.CeilMode ? p.StrideH - 1 : 0);
        var spanW = shape[^1] + 2 * p.PadW - p.DilationW * (p.KernelW - 1) - 1 + (p.CeilMode ? p.StrideW - 1 : 0);
        int oh = spanH < 0 ? 0 : p.OutSize(shape[^2], height: true), ow = spanW < 0 ? 0 : p.OutSize(shape[^1], height: false);
        if (oh < 1 || ow < 1)
            throw new ArgumentException(
                $"{op}: input {Engine.Shape.Format(shape)} is too small for kernel {kernel} with padding {padding} and dilation ({p.DilationH},{p.DilationW}): the output would be {Math.Max(oh, 0)}x{Math.Max(ow, 0)}");
        return Rank == 4 ? this : Unsqueeze(0);
    }
}
