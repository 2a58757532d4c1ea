using Engine.Backends;

namespace Engine;

/// <summary>Convolutions: Conv2d over [N,C,H,W] (or unbatched [C,H,W]) and Conv1d as a Conv2d over a height of 1.
/// The gradients are themselves differentiable ops: conv is bilinear in (input, weight), so the input gradient
/// (a transposed conv of the output gradient) and the weight gradient (a correlation of the output gradient with the
/// input) have gradients that are again convs and conv gradients, to any order.</summary>
public sealed partial class Tensor
{
    /// <summary>2-D convolution (cross-correlation, as PyTorch): input [N,C,H,W] or [C,H,W], weight
    /// [O,C/groups,KH,KW], optional bias [O].</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with separate (height, width) stride, padding and dilation.</summary>
    public static Tensor Conv2d(
        Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding = default, (int H, int W)? dilation = null, int groups = 1)
    {
        var d = dilation ?? (1, 1);
        var p = new Conv2dParams(stride.H, stride.W, padding.H, padding.W, d.H, d.W, groups);
        CheckConv("Conv2d", 2, input, weight, bias, p);
        var batched = input.Rank == 4;
        var y = ConvForward(batched ? input : input.Unsqueeze(0), weight, bias, p);
        return batched ? y : y.Squeeze(0);
    }

    /// <summary>1-D convolution: input [N,C,L] or [C,L], weight [O,C/groups,K], optional bias [O].</summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        var p = new Conv2dParams(1, stride, 0, padding, 1, dilation, groups);
        CheckConv("Conv1d", 1, input, weight, bias, p);
        var batched = input.Rank == 3;
        var x = (batched ? input : input.Unsqueeze(0)).Unsqueeze(2);
        var y = ConvForward(x, weight.Unsqueeze(2), bias, p).Squeeze(2);
        return batched ? y : y.Squeeze(0);
    }

    /// <summary>Conv2d on validated 4-D operands.</summary>
    private static Tensor ConvForward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p)
    {
        var outShape = new[] { x.shape[0], w.shape[0], p.OutSize(x.shape[2], w.shape[2], true), p.OutSize(x.shape[3], w.shape[3], false) };
        var y = x.NewEmpty(outShape);
        x.Backend.Conv2d(x, w, bias, y, p);
        Tensor[] inputs = bias is null ? [x, w] : [x, w, bias];
        if (NeedsGrad(inputs))
        {
            y.Record("Conv2d", inputs, g =>
            {
                var gx = x.requiresGrad ? ConvInputGrad(g, w, x.shape, p) : null;
                var gw = w.requiresGrad ? ConvWeightGrad(g, x, w.shape, p) : null;
                var gb = bias is not null && bias.requiresGrad ? g.Sum([0, 2, 3]) : null;
                return bias is null ? [gx, gw] : [gx, gw, gb];
            });
        }
        return y;
    }

    /// <summary>d conv2d(x, w) / dx applied to gy. Bilinear in (gy, w): for an upstream u (shaped like x),
    /// &lt;u, gx&gt; = &lt;gy, conv(u, w)&gt; = &lt;w, weightGrad(gy, u)&gt;.</summary>
    private static Tensor ConvInputGrad(Tensor gy, Tensor w, int[] xShape, Conv2dParams p)
    {
        var gx = gy.NewEmpty((int[])xShape.Clone());
        gy.Backend.Conv2dBackwardInput(gy, w, gx, p);
        if (NeedsGrad(gy, w))
        {
            gx.Record("Conv2dBackwardInput", [gy, w], u =>
            [
                gy.requiresGrad ? ConvForward(u, w, null, p) : null,
                w.requiresGrad ? ConvWeightGrad(gy, u, w.shape, p) : null,
            ]);
        }
        return gx;
    }

    /// <summary>d conv2d(x, w) / dw applied to gy. Bilinear in (gy, x): for an upstream v (shaped like w),
    /// &lt;v, gw&gt; = &lt;gy, conv(x, v)&gt; = &lt;x, inputGrad(gy, v)&gt;.</summary>
    private static Tensor ConvWeightGrad(Tensor gy, Tensor x, int[] wShape, Conv2dParams p)
    {
        var gw = gy.NewEmpty((int[])wShape.Clone());
        gy.Backend.Conv2dBackwardWeight(gy, x, gw, p);
        if (NeedsGrad(gy, x))
        {
            gw.Record("Conv2dBackwardWeight", [gy, x], v =>
            [
                gy.requiresGrad ? ConvForward(x, v, null, p) : null,
                x.requiresGrad ? ConvInputGrad(gy, v, x.shape, p) : null,
            ]);
        }
        return gw;
    }

    /// <summary>Validates a Conv1d/Conv2d call on its original (1-D or 2-D spatial) shapes.</summary>
    private static void CheckConv(string op, int spatial, Tensor input, Tensor weight, Tensor? bias, Conv2dParams p)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        string Pair(int h, int w) => spatial == 2 ? $"({h},{w})" : $"{w}";
        var layout = spatial == 2 ? "[N,C,H,W]" : "[N,C,L]";
        if (input.Rank != spatial + 1 && input.Rank != spatial + 2)
            throw new ArgumentException($"{op}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched {layout}) input; got shape {Engine.Shape.Format(input.shape)}");
        if (weight.Rank != spatial + 2)
            throw new ArgumentException($"{op}: expected a {spatial + 2}-D weight {(spatial == 2 ? "[O,C/groups,KH,KW]" : "[O,C/groups,K]")}; got shape {Engine.Shape.Format(weight.shape)}");
        if (!input.DType.IsFloatingPoint() || weight.DType != input.DType || bias is not null && bias.DType != input.DType)
            throw new ArgumentException($"{op}: input, weight and bias must share a floating-point dtype; got {input.DType}, {weight.DType}{(bias is null ? "" : ", " + bias.DType)}");
        input.CheckSameDevice(weight, op);
        if (bias is not null) input.CheckSameDevice(bias, op);
        if (p.StrideH < 1 || p.StrideW < 1)
            throw new ArgumentException($"{op}: stride must be positive; got {Pair(p.StrideH, p.StrideW)}");
        if (p.PadH < 0 || p.PadW < 0)
            throw new ArgumentException($"{op}: padding must be non-negative; got {Pair(p.PadH, p.PadW)}");
        if (p.DilationH < 1 || p.DilationW < 1)
            throw new ArgumentException($"{op}: dilation must be positive; got {Pair(p.DilationH, p.DilationW)}");
        if (p.Groups < 1)
            throw new ArgumentException($"{op}: groups must be positive; got {p.Groups}");

        var channelDim = input.Rank - spatial - 1;
        var channels = input.shape[channelDim];
        var outChannels = weight.shape[0];
        if (channels % p.Groups != 0)
            throw new ArgumentException($"{op}: groups {p.Groups} must divide the input channels {channels} (input {Engine.Shape.Format(input.shape)})");
        if (outChannels % p.Groups != 0)
            throw new ArgumentException($"{op}: groups {p.Groups} must divide the output channels {outChannels} (weight {Engine.Shape.Format(weight.shape)})");
        if (weight.shape[1] * p.Groups != channels)
            throw new ArgumentException(
                $"{op}: input has {channels} channels but weight {Engine.Shape.Format(weight.shape)} expects {weight.shape[1] * p.Groups} (groups {p.Groups})");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != outChannels))
            throw new ArgumentException($"{op}: bias must have shape ({outChannels}) for weight {Engine.Shape.Format(weight.shape)}; got {Engine.Shape.Format(bias.shape)}");

        // Spatial sizes as (height, width), with height 1 for Conv1d.
        int kh = spatial == 2 ? weight.shape[2] : 1, kw = weight.shape[^1];
        int h = spatial == 2 ? input.shape[^2] : 1, w = input.shape[^1];
        if (kh < 1 || kw < 1)
            throw new ArgumentException($"{op}: the kernel size must be positive; got weight {Engine.Shape.Format(weight.shape)}");
        int spanH = p.DilationH * (kh - 1) + 1, spanW = p.DilationW * (kw - 1) + 1;
        if (spanH > h + 2 * p.PadH || spanW > w + 2 * p.PadW)
        {
            var span = spatial == 2 ? $"{spanH}x{spanW}" : $"{spanW}";
            var padded = spatial == 2 ? $"{h + 2 * p.PadH}x{w + 2 * p.PadW}" : $"{w + 2 * p.PadW}";
            throw new ArgumentException(
                $"{op}: kernel {Pair(kh, kw)} with dilation {Pair(p.DilationH, p.DilationW)} spans {span}, larger than the padded input {padded} (input {Engine.Shape.Format(input.shape)}, padding {Pair(p.PadH, p.PadW)})");
        }
    }
}
