using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>Conv2d and its two gradients as im2col plus GEMM, one image at a time (each batch worker owns its column
/// buffer). Per image and group g the products are
///   forward:       y[g]    = W[g] @ cols[g]          ([Og,Kg] x [Kg,L])
///   input grad:    cols[g] = W[g]^T @ gy[g], then col2im into gx
///   weight grad:   gw[g]  += gy[g] @ cols[g]^T       (summed over the batch)
/// with W viewed as [G,Og,Kg], so all groups of one image go through one batched GEMM call.</summary>
public sealed partial class CpuBackend
{
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
        var weight = GroupedWeight(Densify(w), g);
        var b = bias is null ? null : Densify(bias);
        CpuParallel.For(g.N, g.MacsPerImage, (n0, n1) =>
        {
            var cols = ColumnBuffer<T>(g);
            for (var n = n0; n < n1; n++)
            {
                var yn = y.AsStrided([g.Groups, g.Og, g.L], [g.Og * g.L, g.L, 1], y.Offset + n * g.OutputSize);
                if (b is not null)
                {
                    var rows = Dense<T>(yn);
                    var bs = Dense<T>(b);
                    for (var o = 0; o < g.O; o++) rows.Slice(o * g.L, g.L).Fill(bs[o]);
                }
                Gemm.Batched<T>(weight, Columns(x, n, cols, g), yn, accumulate: b is not null);
            }
            ReturnBuffer(cols);
        });
    }

    private void ConvBackwardInput<T>(Tensor gy, Tensor w, Tensor gx, Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = ConvGeometry.Of(gx.ShapeArray, w.ShapeArray, gy.ShapeArray, p);
        Dense<T>(gx).Clear();
        if (gy.Numel == 0 || gx.Numel == 0) return;
        gy = Densify(gy);
        var weight = GroupedWeight(Densify(w), g);
        var weightT = weight.AsStrided([g.Groups, g.Kg, g.Og], [g.Og * g.Kg, 1, g.Kg], weight.Offset);
        CpuParallel.For(g.N, g.MacsPerImage, (n0, n1) =>
        {
            var cols = ColumnBuffer<T>(g);
            for (var n = n0; n < n1; n++)
            {
                var gyn = gy.AsStrided([g.Groups, g.Og, g.L], [g.Og * g.L, g.L, 1], gy.Offset + n * g.OutputSize);
                if (cols is null)
                {
                    // The columns are the image itself: the product lands directly in gx.
                    Gemm.Batched<T>(weightT, gyn, ImageAsColumns(gx, n, g), accumulate: false);
                    continue;
                }
                Gemm.Batched<T>(weightT, gyn, WrapColumns(cols, g), accumulate: false);
                Im2Col.Unpack<T>(cols, Dense<T>(gx).Slice(n * g.ImageSize, g.ImageSize), g);
            }
            ReturnBuffer(cols);
        });
    }

    private void ConvBackwardWeight<T>(Tensor gy, Tensor x, Tensor gw, Conv2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = ConvGeometry.Of(x.ShapeArray, gw.ShapeArray, gy.ShapeArray, p);
        Dense<T>(gw).Clear();
        if (gy.Numel == 0 || gw.Numel == 0) return;
        gy = Densify(gy);
        x = Densify(x);
        // Each worker sums its images into a private buffer; the buffers are added to gw in the order of their first
        // image, so the result does not depend on which thread finished first.
        var partials = new System.Collections.Concurrent.ConcurrentDictionary<int, T[]>();
        CpuParallel.For(g.N, g.MacsPerImage, (n0, n1) =>
        {
            var partial = CpuArrayPool.Rent<T>(gw.Numel, out _);
            var partialT = new Tensor(CpuStorage.Prefix(partial, gw.DType, gw.Numel), [g.Groups, g.Og, g.Kg]);
            var cols = ColumnBuffer<T>(g);
            for (var n = n0; n < n1; n++)
            {
                var gyn = gy.AsStrided([g.Groups, g.Og, g.L], [g.Og * g.L, g.L, 1], gy.Offset + n * g.OutputSize);
                var cn = Columns(x, n, cols, g);
                var colsT = cn.AsStrided([g.Groups, g.L, g.Kg], [g.Kg * g.L, 1, g.L], cn.Offset);
                Gemm.Batched<T>(gyn, colsT, partialT, accumulate: n > n0);
            }
            partials[n0] = partial;
            ReturnBuffer(cols);
        });
        foreach (var start in partials.Keys.Order())
        {
            var partial = partials[start];
            var total = Dense<T>(gw);
            TensorPrimitives.Add(total, partial.AsSpan(0, gw.Numel), total);
            ReturnBuffer(partial);
        }
    }

    /// <summary>The weight [O, C/groups, KH, KW] seen as [G, Og, Kg].</summary>
    private static Tensor GroupedWeight(Tensor w, in ConvGeometry g)
        => w.AsStrided([g.Groups, g.Og, g.Kg], [g.Og * g.Kg, g.Kg, 1], w.Offset);

    /// <summary>A column buffer for one worker (from the array pool; its tail past Groups*Kg*L is unused), or null
    /// when the image serves as its own columns.</summary>
    private static T[]? ColumnBuffer<T>(in ConvGeometry g)
        where T : unmanaged
        => g.ImageIsColumns ? null : CpuArrayPool.Rent<T>(g.Groups * g.Kg * g.L, out _);

    private static void ReturnBuffer<T>(T[]? cols)
    {
        if (cols is not null && (long)cols.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() >= CpuArrayPool.MinPooledBytes)
            CpuArrayPool.Return(cols);
    }

    private static Tensor WrapColumns<T>(T[] cols, in ConvGeometry g)
        where T : unmanaged
        => new(CpuStorage.Prefix(cols, DTypeExtensions.FromClrType(typeof(T)), g.Groups * g.Kg * g.L), [g.Groups, g.Kg, g.L]);

    /// <summary>Image n of the dense input x as a [G, Kg, L] column matrix: unfolded into cols, or a view of the
    /// image itself for a 1x1 unit-stride kernel.</summary>
    private static Tensor Columns<T>(Tensor x, int n, T[]? cols, in ConvGeometry g)
        where T : unmanaged
    {
        if (cols is null) return ImageAsColumns(x, n, g);
        Im2Col.Pack<T>(Dense<T>(x).Slice(n * g.ImageSize, g.ImageSize), cols, g);
        return WrapColumns(cols, g);
    }

    private static Tensor ImageAsColumns(Tensor x, int n, in ConvGeometry g)
        => x.AsStrided([g.Groups, g.Kg, g.L], [g.Kg * g.L, g.L, 1], x.Offset + n * g.ImageSize);
}
