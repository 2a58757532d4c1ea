using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Conv2d and its two gradients (shaders/conv2d.comp): implicit GEMMs that read the unfolded input straight
/// from the image (no im2col matrix), one 64x64 output tile per workgroup, a 4x4 register block per invocation, per
/// group along the grid's z. Strided inputs are copied dense first, as the CPU backend does; outputs that are not
/// contiguous are written through a dense temporary. The weight gradient reduces over N*OH*OW: it is split into
/// chunks (split-K) whose partial products are summed in a fixed order by <see cref="Reduce"/>, so the device has
/// enough workgroups and no invocation loops past <see cref="VulkanDeviceInfo.LoopIterationLimit"/>.</summary>
public sealed partial class VulkanBackend
{
    private const int ConvTile = 64;

    /// <summary>Workgroups the weight gradient aims for before splitting its reduction (when the output alone has
    /// fewer tiles), and the shortest chunk it splits into.</summary>
    private const int ConvSplitWorkgroups = 64;
    private const int ConvMinChunk = 256;

    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p)
    {
        const string name = "Conv2d";
        var g = ConvGeometry(name, x, w, y, p, bias);
        var q = g.Params(p);
        (q.M, q.Cols, q.K) = (g.O / p.Groups, g.N * g.OH * g.OW, g.C / p.Groups * g.KH * g.KW);
        if (PlanConv(name, 0, y.DType, ref q, g) is not { } kernel) return;
        using var xd = DenseCopy(x);
        using var wd = DenseCopy(w);
        using var bd = bias is null ? null : DenseCopy(bias);
        using var yd = DenseTemporary(y);
        var (xs, ws, bs, ys) = (xd ?? x, wd ?? w, bd ?? bias, yd ?? y);
        q.HasBias = bs is null ? 0 : 1;
        (q.Offset0, q.Offset1, q.Offset2, q.Offset3) = (ys.Offset, xs.Offset, ws.Offset, bs?.Offset ?? 0);
        DispatchConv(kernel, q, [Own(ys, name), Own(xs, name), Own(ws, name), Own(bs ?? xs, name)]);
        if (yd is not null) Copy(yd, y);
    }

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p)
    {
        const string name = "Conv2dBackwardInput";
        var g = ConvGeometry(name, gx, w, gy, p, null);
        var q = g.Params(p);
        (q.M, q.Cols, q.K) = (g.C / p.Groups, g.N * g.H * g.W, g.O / p.Groups * g.KH * g.KW);
        if (PlanConv(name, 1, gx.DType, ref q, g) is not { } kernel) return;
        using var gyd = DenseCopy(gy);
        using var wd = DenseCopy(w);
        using var gxd = DenseTemporary(gx);
        var (gys, ws, gxs) = (gyd ?? gy, wd ?? w, gxd ?? gx);
        (q.Offset0, q.Offset1, q.Offset2) = (gxs.Offset, gys.Offset, ws.Offset);
        DispatchConv(kernel, q, [Own(gxs, name), Own(gys, name), Own(ws, name), Own(ws, name)]);
        if (gxd is not null) Copy(gxd, gx);
    }

    public void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p)
    {
        const string name = "Conv2dBackwardWeight";
        var g = ConvGeometry(name, x, gw, gy, p, null);
        var q = g.Params(p);
        var kg = g.C / p.Groups * g.KH * g.KW;
        (q.M, q.Cols, q.K) = (g.O / p.Groups, kg, g.N * g.OH * g.OW);
        (q.Chunk, q.Splits) = ConvSplits(q.K, (long)Tiles(q.M) * Tiles(q.Cols) * p.Groups, device.Info.LoopIterationLimit);
        if (PlanConv(name, 2, gw.DType, ref q, g) is not { } kernel) return;
        using var gyd = DenseCopy(gy);
        using var xd = DenseCopy(x);
        using var gwd = DenseTemporary(gw);
        var (gys, xs, gws) = (gyd ?? gy, xd ?? x, gwd ?? gw);
        (q.Offset1, q.Offset2) = (gys.Offset, xs.Offset);
        if (q.Splits == 1)
        {
            q.Offset0 = gws.Offset;
            DispatchConv(kernel, q, [Own(gws, name), Own(gys, name), Own(xs, name), Own(xs, name)]);
        }
        else
        {
            // Partial products [splits, O, Kg], then their sum over the splits in the reduce kernel's fixed order.
            using var parts = Tensor.Zeros([q.Splits, g.O, kg], gw.DType, Device);
            DispatchConv(kernel, q, [Own(parts, name), Own(gys, name), Own(xs, name), Own(xs, name)]);
            using var target = gws.Reshape(1, g.O, kg);
            Reduce(ReduceOp.Sum, parts, [0], target);
        }
        if (gwd is not null) Copy(gwd, gw);
    }

    private static int Tiles(int n) => (n + ConvTile - 1) / ConvTile;

    /// <summary>The weight gradient's split of its reduction of length k: enough chunks for about
    /// <see cref="ConvSplitWorkgroups"/> workgroups over <paramref name="outputTiles"/>, none shorter than
    /// <see cref="ConvMinChunk"/>, and as many more as keep each invocation's loop within the driver's limit; each
    /// chunk a multiple of the 16-deep k tile.</summary>
    internal static (int Chunk, int Splits) ConvSplits(int k, long outputTiles, long limit)
    {
        if (k == 0) return (0, 1);
        var splits = Math.Max(1L, Math.Min(ConvSplitWorkgroups / Math.Max(1, outputTiles), (k + ConvMinChunk - 1L) / ConvMinChunk));
        if (limit < long.MaxValue) splits = Math.Max(splits, (k + 16 * limit - 1) / (16 * limit));
        var chunk = (k + splits - 1) / splits;
        chunk = (chunk + 15) / 16 * 16;
        return ((int)chunk, (int)((k + chunk - 1) / chunk));
    }

    /// <summary>The pipeline for one conv kernel after checking the device's dtype support, workgroup-count and loop
    /// limits (before any work is recorded), or null when the output is empty. For the forward and the input gradient
    /// the reduction is one chunk.</summary>
    private Kernel? PlanConv(string name, int mode, DType dtype, ref ConvParams q, ConvShape g)
    {
        var module = dtype switch
        {
            DType.Float32 => "conv2d_f32",
            DType.Float64 => RequireFloat64(name, "conv2d_f64"),
            _ => throw device.Unsupported($"{name} on {dtype}"),
        };
        if (q.M == 0 || q.Cols == 0) return null;
        if (mode != 2) (q.Chunk, q.Splits) = (q.K, 1);
        var limit = device.Info.MaxComputeWorkGroupCountX;
        if (Tiles(q.Cols) > limit || Tiles(q.M) > limit || (long)q.Groups * q.Splits > limit)
            throw device.Unsupported($"{name} of {g}", $"needs more workgroups than the device's limit of {limit} per dimension");
        device.CheckLoopIterations($"{name} of {g}", (q.Chunk + 15L) / 16);
        return device.Pipelines.Get(module, 4, mode);
    }

    private unsafe void DispatchConv(Kernel kernel, ConvParams q, VulkanStorage[] storages)
    {
        var groups = ((uint)Tiles(q.Cols), (uint)Tiles(q.M), (uint)(q.Groups * q.Splits));
        device.Stream.Dispatch(kernel, storages, &q, (uint)sizeof(ConvParams), groups);
    }

    /// <summary>Checks the operands of a conv primitive (x or gx [N,C,H,W], w or gw [O,C/groups,KH,KW], y or gy
    /// [N,O,OH,OW], bias [O]) and returns the sizes.</summary>
    private ConvShape ConvGeometry(string op, Tensor x, Tensor w, Tensor y, Conv2dParams p, Tensor? bias)
    {
        string Describe() => $"x {Shape.Format(x.Shape.ToArray())}, w {Shape.Format(w.Shape.ToArray())}, y {Shape.Format(y.Shape.ToArray())}"
                             + (bias is null ? "" : $", bias {Shape.Format(bias.Shape.ToArray())}") + $", {p}";
        if (!x.DType.IsFloatingPoint() || w.DType != x.DType || y.DType != x.DType || bias is not null && bias.DType != x.DType)
            throw new ArgumentException($"{op}: the operands must share a floating-point dtype; got {x.DType}, {w.DType}, {y.DType}{(bias is null ? "" : ", " + bias.DType)}");
        if (x.Rank != 4 || w.Rank != 4 || y.Rank != 4)
            throw new ArgumentException($"{op}: expected 4-D operands; got {Describe()}");
        var g = new ConvShape(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3], y.Shape[2], y.Shape[3]);
        var valid = p.Groups >= 1 && p.StrideH >= 1 && p.StrideW >= 1 && p.DilationH >= 1 && p.DilationW >= 1 && p.PadH >= 0 && p.PadW >= 0
                    && g.C % p.Groups == 0 && g.O % p.Groups == 0 && w.Shape[1] * p.Groups == g.C
                    && y.Shape[0] == g.N && y.Shape[1] == g.O
                    && g.OH == Math.Max(0, p.OutSize(g.H, g.KH, true)) && g.OW == Math.Max(0, p.OutSize(g.W, g.KW, false))
                    && (bias is null || bias.Rank == 1 && bias.Shape[0] == g.O);
        if (!valid) throw new ArgumentException($"{op}: the operands do not fit together: {Describe()}");
        Own(x, op);
        Own(w, op);
        Own(y, op);
        if (bias is not null) Own(bias, op);
        return g;
    }

    /// <summary>The sizes of one conv: input [N,C,H,W], weight [O,C/groups,KH,KW], output [N,O,OH,OW].</summary>
    private readonly record struct ConvShape(int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW)
    {
        public ConvParams Params(Conv2dParams p) => new()
        {
            N = N, C = C, H = H, W = W, O = O, KH = KH, KW = KW, Groups = p.Groups, OH = OH, OW = OW,
            StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW, DilationH = p.DilationH, DilationW = p.DilationW,
            Splits = 1,
        };

        public override string ToString() => $"x [{N},{C},{H},{W}], w [{O},..,{KH},{KW}], y [{N},{O},{OH},{OW}]";
    }
}
