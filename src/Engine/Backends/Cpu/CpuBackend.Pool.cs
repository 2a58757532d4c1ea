using System.Numerics;

namespace Engine.Backends.Cpu;

/// <summary>2-D pooling over [N,C,H,W] with PyTorch's window rules, one (n, c) plane per work item. Inputs are made
/// dense first; outputs are fresh and contiguous. The common 2x2 stride-2 window goes to <see cref="Pool2x2"/>.</summary>
public sealed partial class CpuBackend
{
    public void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p)
    {
        switch (y.DType)
        {
            case DType.Float32: MaxPoolForward<float>(Densify(x), y, indices, p); break;
            case DType.Float64: MaxPoolForward<double>(Densify(x), y, indices, p); break;
            default: ThrowUnsupported("MaxPool2d", y.DType); break;
        }
    }

    public void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx)
    {
        switch (gx.DType)
        {
            case DType.Float32: MaxPoolBackward<float>(Densify(gy), Densify(indices), gx); break;
            case DType.Float64: MaxPoolBackward<double>(Densify(gy), Densify(indices), gx); break;
            default: ThrowUnsupported("MaxPool2dBackward", gx.DType); break;
        }
    }

    public void AvgPool2d(Tensor x, Tensor y, Pool2dParams p)
    {
        switch (y.DType)
        {
            case DType.Float32: AvgPoolForward<float>(Densify(x), y, p); break;
            case DType.Float64: AvgPoolForward<double>(Densify(x), y, p); break;
            default: ThrowUnsupported("AvgPool2d", y.DType); break;
        }
    }

    public void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p)
    {
        switch (gx.DType)
        {
            case DType.Float32: AvgPoolBackward<float>(Densify(gy), gx, p); break;
            case DType.Float64: AvgPoolBackward<double>(Densify(gy), gx, p); break;
            default: ThrowUnsupported("AvgPool2dBackward", gx.DType); break;
        }
    }

    public void AdaptiveAvgPool2d(Tensor x, Tensor y)
    {
        switch (y.DType)
        {
            case DType.Float32: AdaptivePool<float>(Densify(x), y, backward: false); break;
            case DType.Float64: AdaptivePool<double>(Densify(x), y, backward: false); break;
            default: ThrowUnsupported("AdaptiveAvgPool2d", y.DType); break;
        }
    }

    public void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx)
    {
        switch (gx.DType)
        {
            case DType.Float32: AdaptivePool<float>(gx, Densify(gy), backward: true); break;
            case DType.Float64: AdaptivePool<double>(gx, Densify(gy), backward: true); break;
            default: ThrowUnsupported("AdaptiveAvgPool2dBackward", gx.DType); break;
        }
    }

    /// <summary>Max over each window (padding never wins); NaN propagates as in PyTorch. The index is the flat
    /// position of the maximum within its H*W plane.</summary>
    private static void MaxPoolForward<T>(Tensor x, Tensor y, Tensor indices, Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = new PoolPlanes(x.ShapeArray, y.ShapeArray);
        var fast = Pool2x2.Applies(p, planes.H, planes.W, planes.OH, planes.OW);
        CpuParallel.For(planes.Count, (long)planes.OutArea * p.KernelH * p.KernelW, (c0, c1) =>
        {
            var xs = Dense<T>(x);
            var ys = Dense<T>(y);
            var ids = Dense<long>(indices);
            for (var c = c0; c < c1; c++)
            {
                var src = xs.Slice(c * planes.InArea, planes.InArea);
                var k = c * planes.OutArea;
                if (fast)
                {
                    Pool2x2.Max(src, ys.Slice(k, planes.OutArea), ids.Slice(k, planes.OutArea), planes.W, planes.OH, planes.OW);
                    continue;
                }
                for (var oh = 0; oh < planes.OH; oh++)
                for (var ow = 0; ow < planes.OW; ow++, k++)
                {
                    var best = T.NegativeInfinity;
                    var arg = -1;
                    for (var i = 0; i < p.KernelH; i++)
                    {
                        var ih = oh * p.StrideH - p.PadH + i * p.DilationH;
                        if ((uint)ih >= (uint)planes.H) continue;
                        for (var j = 0; j < p.KernelW; j++)
                        {
                            var iw = ow * p.StrideW - p.PadW + j * p.DilationW;
                            if ((uint)iw >= (uint)planes.W) continue;
                            var v = src[ih * planes.W + iw];
                            if (arg < 0 || v > best || T.IsNaN(v))
                            {
                                best = v;
                                arg = ih * planes.W + iw;
                            }
                        }
                    }
                    ys[k] = best;
                    ids[k] = arg;
                }
            }
        });
    }

    private static void MaxPoolBackward<T>(Tensor gy, Tensor indices, Tensor gx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = new PoolPlanes(gx.ShapeArray, gy.ShapeArray);
        CpuParallel.For(planes.Count, planes.InArea + planes.OutArea, (c0, c1) =>
        {
            var gys = Dense<T>(gy);
            var ids = Dense<long>(indices);
            var gxs = Dense<T>(gx);
            for (var c = c0; c < c1; c++)
            {
                // Cleared plane by plane, in the worker that scatters into it (while it is in cache).
                var dst = gxs.Slice(c * planes.InArea, planes.InArea);
                dst.Clear();
                for (var k = c * planes.OutArea; k < (c + 1) * planes.OutArea; k++) dst[(int)ids[k]] += gys[k];
            }
        });
    }

    /// <summary>The input rows and columns an average-pooling output reads (clipped to the input) and PyTorch's
    /// divisor: the window counted up to the padded edge (count_include_pad) or only its input elements.</summary>
    private static (Window Window, int Divisor) AvgWindow(int oh, int ow, in PoolPlanes planes, in Pool2dParams p)
    {
        var h0 = oh * p.StrideH - p.PadH;
        var w0 = ow * p.StrideW - p.PadW;
        var h1 = Math.Min(h0 + p.KernelH, planes.H + p.PadH);
        var w1 = Math.Min(w0 + p.KernelW, planes.W + p.PadW);
        var padded = (h1 - h0) * (w1 - w0);
        var win = new Window(Math.Max(h0, 0), Math.Min(h1, planes.H), Math.Max(w0, 0), Math.Min(w1, planes.W));
        return (win, p.CountIncludePad ? padded : win.Area);
    }

    private static void AvgPoolForward<T>(Tensor x, Tensor y, Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = new PoolPlanes(x.ShapeArray, y.ShapeArray);
        var fast = Pool2x2.Applies(p, planes.H, planes.W, planes.OH, planes.OW);
        CpuParallel.For(planes.Count, (long)planes.OutArea * p.KernelH * p.KernelW, (c0, c1) =>
        {
            var xs = Dense<T>(x);
            var ys = Dense<T>(y);
            for (var c = c0; c < c1; c++)
            {
                var src = xs.Slice(c * planes.InArea, planes.InArea);
                var k = c * planes.OutArea;
                if (fast)
                {
                    Pool2x2.Avg(src, ys.Slice(k, planes.OutArea), planes.W, planes.OH, planes.OW);
                    continue;
                }
                for (var oh = 0; oh < planes.OH; oh++)
                for (var ow = 0; ow < planes.OW; ow++, k++)
                {
                    var (win, divisor) = AvgWindow(oh, ow, planes, p);
                    ys[k] = win.Area == 0 ? T.Zero : win.Sum(src, planes.W) / T.CreateTruncating(divisor);
                }
            }
        });
    }

    private static void AvgPoolBackward<T>(Tensor gy, Tensor gx, Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = new PoolPlanes(gx.ShapeArray, gy.ShapeArray);
        var fast = Pool2x2.Applies(p, planes.H, planes.W, planes.OH, planes.OW);
        CpuParallel.For(planes.Count, (long)planes.OutArea * p.KernelH * p.KernelW + planes.InArea, (c0, c1) =>
        {
            var gys = Dense<T>(gy);
            var gxs = Dense<T>(gx);
            for (var c = c0; c < c1; c++)
            {
                var dst = gxs.Slice(c * planes.InArea, planes.InArea);
                var k = c * planes.OutArea;
                if (fast)
                {
                    Pool2x2.AvgBackward(gys.Slice(k, planes.OutArea), dst, planes.H, planes.W, planes.OH, planes.OW);
                    continue;
                }
                dst.Clear();
                for (var oh = 0; oh < planes.OH; oh++)
                for (var ow = 0; ow < planes.OW; ow++, k++)
                {
                    var (win, divisor) = AvgWindow(oh, ow, planes, p);
                    if (win.Area > 0) win.Add(dst, planes.W, gys[k] / T.CreateTruncating(divisor));
                }
            }
        });
    }

    /// <summary>Adaptive average pooling (forward: big = x, small = y) or its gradient (backward: big = gx receives
    /// small = gy spread evenly over each window). Window i covers [floor(i*In/Out), ceil((i+1)*In/Out)).</summary>
    private static void AdaptivePool<T>(Tensor big, Tensor small, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = new PoolPlanes(big.ShapeArray, small.ShapeArray);
        if (backward) Dense<T>(big).Clear();
        var cost = (long)Math.Max(planes.InArea, planes.OutArea) * 2;
        CpuParallel.For(planes.Count, cost, (c0, c1) =>
        {
            var bigs = Dense<T>(big);
            var smalls = Dense<T>(small);
            for (var c = c0; c < c1; c++)
            {
                var plane = bigs.Slice(c * planes.InArea, planes.InArea);
                var k = c * planes.OutArea;
                for (var oh = 0; oh < planes.OH; oh++)
                for (var ow = 0; ow < planes.OW; ow++, k++)
                {
                    var (h0, h1) = AdaptiveWindow(oh, planes.H, planes.OH);
                    var (w0, w1) = AdaptiveWindow(ow, planes.W, planes.OW);
                    var win = new Window(h0, h1, w0, w1);
                    var area = T.CreateTruncating(win.Area);
                    if (backward) win.Add(plane, planes.W, smalls[k] / area);
                    else smalls[k] = win.Sum(plane, planes.W) / area;
                }
            }
        });
    }

    private static (int Start, int End) AdaptiveWindow(int i, int inSize, int outSize)
        => ((int)((long)i * inSize / outSize), (int)(((long)(i + 1) * inSize + outSize - 1) / outSize));

    /// <summary>The (n, c) planes of a pooling: input H x W, output OH x OW.</summary>
    private readonly record struct PoolPlanes(int Count, int H, int W, int OH, int OW)
    {
        public PoolPlanes(ReadOnlySpan<int> input, ReadOnlySpan<int> output)
            : this(input[0] * input[1], input[2], input[3], output[2], output[3])
        {
        }

        public int InArea => H * W;

        public int OutArea => OH * OW;
    }

    /// <summary>Rows [H0, H1) by columns [W0, W1) of a row-major plane of width w.</summary>
    private readonly record struct Window(int H0, int H1, int W0, int W1)
    {
        public int Area => Math.Max(0, H1 - H0) * Math.Max(0, W1 - W0);

        public T Sum<T>(ReadOnlySpan<T> plane, int width)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = T.Zero;
            for (var h = H0; h < H1; h++)
            for (var w = W0; w < W1; w++)
                s += plane[h * width + w];
            return s;
        }

        public void Add<T>(Span<T> plane, int width, T value)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (var h = H0; h < H1; h++)
            for (var w = W0; w < W1; w++)
                plane[h * width + w] += value;
        }
    }
}
