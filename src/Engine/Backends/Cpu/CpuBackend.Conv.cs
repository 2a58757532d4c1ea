using System.Numerics;

namespace Engine.Backends.Cpu;

/// <summary>Conv2d and its two gradients as im2col plus GEMM over chunks of images. A chunk of B images is unfolded
/// into one wide column matrix [G, Kg, B*L] (image b's columns at b*L), so each product has B*L columns (or, for
/// the weight gradient, a K of B*L) rather than one image's L: products large enough for the GEMM to run near its
/// peak and to split across threads by itself. Per chunk and group g:
///   forward:       wy[g]   = W[g] @ cols[g]          ([Og,Kg] x [Kg,B*L]), then spread into y [B,O,L] (+ bias)
///   input grad:    cols[g] = W[g]^T @ wgy[g], then col2im into gx
///   weight grad:   gw[g]  += wgy[g] @ cols[g]^T      (K = B*L; the chunks are summed in order, deterministically)
/// where wy/wgy are the output (gradient) in the same wide layout [O, B*L]. The steps of a chunk run one after
/// another, each parallel inside (im2col, col2im and the relayouts over images and channels, the GEMM on its own),
/// so parallel loops never nest.</summary>
public sealed partial class CpuBackend
{
    /// <summary>Bytes of the larger of a chunk's two scratch matrices (columns, wide output): big enough for long
    /// GEMM rows (784 columns for 14x14 images), small enough to stay in a core's L2 between the unfolding and the
    /// product. On the reference machine (2 MB L2 per core) 1 MB ran conv2 of the test CNN ~15% faster than 4 MB
    /// on one thread (0.5 MB no faster than 1 MB); with two threads the sizes measured alike, within the noise.</summary>
    private const long ConvChunkBytes = 1 << 20;

    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p)
    {
        switch (y.DType)
        {
            case DType.Float32: ConvForward<float>(x, w, bias, y, p); break;
            case DType.Float64: ConvForward<double>(x, w, bias, y, p); break;
            default: ThrowUnsupported("Conv2d", y.DType); break;
        }
    }

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p)
    {
        switch (gx.DType)
        {
            case DType.Float32: ConvBackwardInput<float>(gy, w, gx, p); break;
            case DType.Float64: ConvBackwardInput<double>(gy, w, gx, p); break;
            default: ThrowUnsupported("Conv2dBackwardInput", gx.DType); break;
        }
    }

    public void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p)
    {
        switch (gw.DType)
        {
            case DType.Float32: ConvBackwardWeight<float>(gy, x, gw, p); break;
            case DType.Float64: ConvBackwardWeight<double>(gy, x, gw, p); break;
            default: ThrowUnsupported("Conv2dBackwardWeight", gw.DType); break;
        }
    }

    private void ConvForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = ConvGeometry.Of(x.ShapeArray, w.ShapeArray, y.ShapeArray, p);
        if (y.Numel == 0) return;
        x = Densify(x);
        w = Densify(w);
        var b = bias is null ? null : Densify(bias);
        if (ConvDirect.Applies<T>(g))
        {
            ConvDirect.Forward<T>(x, w, b, y, g);
            return;
        }
        var weight = GroupedWeight(w, g);
        using var loop = new ChunkLoop<T>(g, images: x, outputs: y, b);
        while (loop.Next())
        {
            loop.PackImages();
            BatchedGemm.Run<T>(weight, loop.ColsView, loop.WideView, accumulate: false);
            loop.FromWide();
        }
    }

    private void ConvBackwardInput<T>(Tensor gy, Tensor w, Tensor gx, Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = ConvGeometry.Of(gx.ShapeArray, w.ShapeArray, gy.ShapeArray, p);
        if (gy.Numel == 0 || gx.Numel == 0)
        {
            Dense<T>(gx).Clear();
            return;
        }
        gy = Densify(gy);
        var weight = GroupedWeight(Densify(w), g);
        var weightT = weight.AsStrided([g.Groups, g.Kg, g.Og], [g.Og * g.Kg, 1, g.Kg], weight.Offset);
        using var loop = new ChunkLoop<T>(g, images: gx, outputs: gy, bias: null);
        while (loop.Next())
        {
            loop.ToWide();
            BatchedGemm.Run<T>(weightT, loop.WideView, loop.ColsView, accumulate: false);
            loop.UnpackImages();
        }
    }

    private void ConvBackwardWeight<T>(Tensor gy, Tensor x, Tensor gw, Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = ConvGeometry.Of(x.ShapeArray, gw.ShapeArray, gy.ShapeArray, p);
        if (gy.Numel == 0 || gw.Numel == 0)
        {
            Dense<T>(gw).Clear();
            return;
        }
        gy = Densify(gy);
        x = Densify(x);
        if (ConvDirect.Applies<T>(g))
        {
            ConvDirect.WeightGrad<T>(gy, x, gw, g);
            return;
        }
        var grouped = GroupedWeight(gw, g);
        using var loop = new ChunkLoop<T>(g, images: x, outputs: gy, bias: null);
        var first = true;
        while (loop.Next())
        {
            loop.PackImages();
            loop.ToWide();
            BatchedGemm.Run<T>(loop.WideView, loop.ColsTransposedView, grouped, accumulate: !first);
            first = false;
        }
    }

    /// <summary>Images per chunk: as many as keep the larger scratch matrix within <see cref="ConvChunkBytes"/>,
    /// then evened out over the chunks that takes (so the last chunk is not a sliver).</summary>
    internal static int ChunkImages<T>(in ConvGeometry g)
        where T : unmanaged
    {
        var bytesPerImage = Math.Max(1L, (long)Math.Max(g.C * g.Taps, g.O) * g.L * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        var most = (int)Math.Clamp(ConvChunkBytes / bytesPerImage, 1, Math.Max(1, g.N));
        var chunks = (g.N + most - 1) / most;
        return Math.Max(1, (g.N + chunks - 1) / chunks);
    }

    /// <summary>The weight [O, C/groups, KH, KW] (or its gradient) seen as [G, Og, Kg].</summary>
    private static Tensor GroupedWeight(Tensor w, in ConvGeometry g)
        => w.AsStrided([g.Groups, g.Og, g.Kg], [g.Og * g.Kg, g.Kg, 1], w.Offset);
}
