namespace Engine;

public enum PadMode
{
    Constant,
    Reflect,
    Replicate,
    Circular,
}

/// <summary>Padding as PyTorch's F.pad: pads lists (before, after) pairs starting from the last dim.</summary>
public sealed partial class Tensor
{
    /// <summary>Pads (or, with negative amounts in constant mode, crops) the trailing dims. <paramref name="pads"/> =
    /// (last_before, last_after, second_last_before, ...).</summary>
    public Tensor Pad(int[] pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(pads);
        if (pads.Length % 2 != 0 || pads.Length / 2 > Rank)
            throw new ArgumentException($"Pad: pads must hold (before, after) pairs for at most {Rank} dims of shape {Engine.Shape.Format(shape)}; got {pads.Length} values");
        return mode == PadMode.Constant ? PadConstant(pads, value) : PadByIndex(pads, mode);
    }

    internal Tensor PadConstant(int[] pads, double value)
    {
        var outShape = (int[])shape.Clone();
        var pairs = pads.Length / 2;
        for (var i = 0; i < pairs; i++)
        {
            var d = Rank - 1 - i;
            outShape[d] += pads[2 * i] + pads[2 * i + 1];
            if (outShape[d] < 0)
                throw new ArgumentException($"Pad: padding ({pads[2 * i]}, {pads[2 * i + 1]}) leaves dim {d} of size {shape[d]} with a negative size");
        }
        // Region of the input that survives (negative pads crop) and where it lands in the output.
        var src = this;
        var dstStart = new int[Rank];
        for (var i = 0; i < pairs; i++)
        {
            var d = Rank - 1 - i;
            int before = pads[2 * i], after = pads[2 * i + 1];
            var cropStart = Math.Max(0, -before);
            var cropEnd = Math.Max(0, -after);
            var keep = Math.Max(0, shape[d] - cropStart - cropEnd);
            src = src.AsStrided(ReplaceAt(src.shape, d, keep), src.strides, src.offset + (keep > 0 ? cropStart * src.strides[d] : 0));
            dstStart[d] = Math.Max(0, before);
        }
        var y = Full(outShape, value, DType, Device);
        if (src.Numel > 0)
        {
            var off = 0;
            for (var d = 0; d < Rank; d++) off += dstStart[d] * y.strides[d];
            Backend.Copy(src, y.AsStrided((int[])src.shape.Clone(), y.strides, off));
        }
        if (NeedsGrad(this))
        {
            var inverse = new int[pads.Length];
            for (var i = 0; i < pads.Length; i++) inverse[i] = -pads[i];
            y.Record("Pad", [this], g => [g.PadConstant(inverse, 0)]);
        }
        return y;
    }

    /// <summary>Reflect, replicate and circular padding as an index-select per padded dim (so the gradient comes
    /// from IndexSelect's backward).</summary>
    private Tensor PadByIndex(int[] pads, PadMode mode)
    {
        var result = this;
        for (var i = 0; i < pads.Length / 2; i++)
        {
            var d = Rank - 1 - i;
            int before = pads[2 * i], after = pads[2 * i + 1];
            var n = shape[d];
            if (before < 0 || after < 0)
                throw new ArgumentException($"Pad: {mode} padding must be non-negative; got ({before}, {after}) for dim {d}");
            if (mode == PadMode.Reflect && (before >= n || after >= n))
                throw new ArgumentException($"Pad: reflect padding ({before}, {after}) must be smaller than the size {n} of dim {d}");
            if (n == 0) throw new ArgumentException($"Pad: cannot {mode}-pad the empty dim {d}");
            if (mode == PadMode.Circular && (before > n || after > n))
                throw new ArgumentException($"Pad: circular padding ({before}, {after}) must not exceed the size {n} of dim {d}");
            var index = new long[before + n + after];
            for (var j = 0; j < index.Length; j++)
            {
                var k = j - before;
                index[j] = mode switch
                {
                    PadMode.Replicate => Math.Clamp(k, 0, n - 1),
                    PadMode.Circular => ((k % n) + n) % n,
                    _ => k < 0 ? -k : k >= n ? 2 * (n - 1) - k : k,
                };
            }
            var idx = FromArray(index);
            result = result.IndexSelect(d, Device == Device.Cpu ? idx : idx.To(Device));
        }
        return result;
    }
}
