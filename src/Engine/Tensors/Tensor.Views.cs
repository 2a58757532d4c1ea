namespace Engine;

/// <summary>Movement ops: zero-copy views over the same storage (Reshape copies only when no view exists).</summary>
public sealed partial class Tensor
{
    /// <summary>A view with a new shape (one size may be -1). Throws when the strides do not allow a view; use
    /// <see cref="Reshape"/> to copy in that case.</summary>
    public Tensor View(params int[] newShape)
    {
        var dims = ResolveShape(newShape, Numel, "View");
        var newStrides = ViewStrides(dims)
            ?? throw new ArgumentException(
                $"View: a tensor of shape {Engine.Shape.Format(shape)} with strides {Engine.Shape.Format(strides)} cannot be viewed as {Engine.Shape.Format(dims)} without a copy; use Reshape or Contiguous().View");
        return ViewOf(dims, newStrides, offset, "View");
    }

    /// <summary>The tensor with a new shape: a view when the strides allow it, otherwise a contiguous copy.</summary>
    public Tensor Reshape(params int[] newShape)
    {
        var dims = ResolveShape(newShape, Numel, "Reshape");
        var newStrides = ViewStrides(dims);
        return newStrides is not null ? ViewOf(dims, newStrides, offset, "Reshape") : Contiguous().View(dims);
    }

    /// <summary>Merges dims startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        var s = Engine.Shape.NormalizeDim(startDim, Rank, "Flatten");
        var e = Engine.Shape.NormalizeDim(endDim, Rank, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: startDim {startDim} comes after endDim {endDim} for rank {Rank}");
        var dims = new List<int>();
        for (var i = 0; i < s; i++) dims.Add(shape[i]);
        var merged = 1;
        for (var i = s; i <= e; i++) merged *= shape[i];
        dims.Add(merged);
        for (var i = e + 1; i < Rank; i++) dims.Add(shape[i]);
        return Reshape(dims.ToArray());
    }

    /// <summary>Reorders the dims: result dim i is this tensor's dim <c>dims[i]</c>.</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank)
            throw new ArgumentException($"Permute: got {dims.Length} dims ({string.Join(", ", dims)}) for a tensor of rank {Rank}; expected a permutation of all {Rank}");
        var perm = new int[Rank];
        var seen = new bool[Rank];
        for (var i = 0; i < Rank; i++)
        {
            perm[i] = Engine.Shape.NormalizeDim(dims[i], Rank, "Permute");
            if (seen[perm[i]]) throw new ArgumentException($"Permute: dim {dims[i]} repeats in ({string.Join(", ", dims)})");
            seen[perm[i]] = true;
        }
        var newShape = new int[Rank];
        var newStrides = new int[Rank];
        for (var i = 0; i < Rank; i++)
        {
            newShape[i] = shape[perm[i]];
            newStrides[i] = strides[perm[i]];
        }
        var result = AsStrided(newShape, newStrides, offset);
        if (NeedsGrad(this))
        {
            var inverse = new int[Rank];
            for (var i = 0; i < Rank; i++) inverse[perm[i]] = i;
            result.Record("Permute", [this], g => [g.Permute(inverse)]);
        }
        return result;
    }

    public Tensor Transpose(int dim0, int dim1)
    {
        if (Rank == 0) return this;
        var d0 = Engine.Shape.NormalizeDim(dim0, Rank, "Transpose");
        var d1 = Engine.Shape.NormalizeDim(dim1, Rank, "Transpose");
        var perm = new int[Rank];
        for (var i = 0; i < Rank; i++) perm[i] = i;
        (perm[d0], perm[d1]) = (perm[d1], perm[d0]);
        return Permute(perm);
    }

    /// <summary>All dims reversed (a matrix transpose for 2-D).</summary>
    public Tensor T
    {
        get
        {
            var perm = new int[Rank];
            for (var i = 0; i < Rank; i++) perm[i] = Rank - 1 - i;
            return Permute(perm);
        }
    }

    /// <summary>The last two dims swapped (batched matrix transpose).</summary>
    public Tensor MT => Rank < 2
        ? throw new ArgumentException($"MT: needs a tensor of rank >= 2; got shape {Engine.Shape.Format(shape)}")
        : Transpose(-2, -1);

    /// <summary>Elements start .. start+length-1 along dim.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Narrow");
        if (start < 0) start += shape[d];
        if (start < 0 || length < 0 || start + length > shape[d])
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Narrow: start {start} and length {length} do not fit dim {d} of size {shape[d]} (shape {Engine.Shape.Format(shape)})");
        return Slice(d, start, start + length, 1);
    }

    /// <summary>Elements start, start+step, ... below end along dim (PyTorch's x[..., start:end:step]). Negative
    /// start/end count from the end; out-of-range bounds are clamped as in Python.</summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Slice");
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive; got {step}");
        var n = shape[d];
        if (start < 0) start += n;
        if (end < 0) end += n;
        start = Math.Clamp(start, 0, n);
        end = Math.Clamp(end, start, n);
        var len = (end - start + step - 1) / step;
        var newShape = (int[])shape.Clone();
        var newStrides = (int[])strides.Clone();
        newShape[d] = len;
        newStrides[d] = strides[d] * step;
        var result = AsStrided(newShape, newStrides, offset + (len > 0 ? start * strides[d] : 0));
        if (NeedsGrad(this))
        {
            var inShape = shape;
            result.Record("Slice", [this], g =>
            {
                var gx = Zeros(inShape, g.DType, g.Device);
                gx.SliceAssign(d, start, step, g);
                return [gx];
            });
        }
        return result;
    }

    /// <summary>Writes src into the slice start::step of dim (differentiable in src when grad mode is on; this
    /// tensor must be a fresh buffer that is not part of a graph).</summary>
    private void SliceAssign(int d, int start, int step, Tensor src)
    {
        var target = AsStrided(ReplaceAt(shape, d, src.shape[d]), ReplaceAt(strides, d, strides[d] * step), offset + start * strides[d]);
        if (NeedsGrad(src))
        {
            // Build the result as a graph node: gx = pad(src). Only reached with createGraph.
            using (Autograd.NoGrad()) Backend.Copy(src, target);
            Record("SliceBackward", [src], g => [g.Slice(d, start, start + (src.shape[d] - 1) * step + 1, step)]);
        }
        else
        {
            Backend.Copy(src, target);
        }
    }

    /// <summary>Index <paramref name="index"/> of dim, which is removed.</summary>
    public Tensor Select(int dim, int index)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Select");
        var i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new ArgumentOutOfRangeException(nameof(index),
                $"Select: index {index} is out of range for dim {d} of size {shape[d]} (shape {Engine.Shape.Format(shape)})");
        return Narrow(d, i, 1).Squeeze(d);
    }

    /// <summary>A view with size-1 dims expanded (stride 0) to the given sizes; -1 keeps a size. New leading dims
    /// may be added.</summary>
    public Tensor Expand(params int[] sizes)
    {
        if (sizes.Length < Rank)
            throw new ArgumentException($"Expand: target {Engine.Shape.Format(sizes)} has fewer dims than the tensor's shape {Engine.Shape.Format(shape)}");
        var lead = sizes.Length - Rank;
        var newShape = new int[sizes.Length];
        var newStrides = new int[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            if (i < lead)
            {
                if (sizes[i] < 0) throw new ArgumentException($"Expand: size -1 is not allowed for the new leading dim {i} in {Engine.Shape.Format(sizes)}");
                newShape[i] = sizes[i];
                newStrides[i] = 0;
                continue;
            }
            var own = shape[i - lead];
            var want = sizes[i] == -1 ? own : sizes[i];
            if (own == want)
            {
                newShape[i] = own;
                newStrides[i] = strides[i - lead];
            }
            else if (own == 1)
            {
                newShape[i] = want;
                newStrides[i] = 0;
            }
            else
            {
                throw new ArgumentException(
                    $"Expand: shape {Engine.Shape.Format(shape)} cannot be expanded to {Engine.Shape.Format(sizes)}: size {own} != {want} at dim {i} and it is not 1");
            }
        }
        if (newShape.AsSpan().SequenceEqual(shape)) return this;
        var result = AsStrided(newShape, newStrides, offset);
        if (NeedsGrad(this))
        {
            var inShape = shape;
            result.Record("Expand", [this], g => [g.SumToShape(inShape)]);
        }
        return result;
    }

    public Tensor BroadcastTo(params int[] sizes) => Expand(sizes);

    public Tensor ExpandAs(Tensor other) => Expand(other.shape);

    /// <summary>Removes every size-1 dim.</summary>
    public Tensor Squeeze()
    {
        var keep = new List<int>();
        for (var i = 0; i < Rank; i++)
            if (shape[i] != 1) keep.Add(shape[i]);
        return keep.Count == Rank ? this : Reshape(keep.ToArray());
    }

    /// <summary>Removes dim when its size is 1 (otherwise returns the tensor unchanged, as PyTorch).</summary>
    public Tensor Squeeze(int dim)
    {
        if (Rank == 0) return this;
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Squeeze");
        if (shape[d] != 1) return this;
        return ViewOf(RemoveAt(shape, d), RemoveAt(strides, d), offset, "Squeeze");
    }

    /// <summary>Inserts a size-1 dim at position dim (which may be Rank, or negative counted from Rank + 1).</summary>
    public Tensor Unsqueeze(int dim)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank + 1, "Unsqueeze");
        var newShape = InsertAt(shape, d, 1);
        var stride = d < Rank ? strides[d] * shape[d] : 1;
        return ViewOf(newShape, InsertAt(strides, d, stride), offset, "Unsqueeze");
    }

    /// <summary>This tensor if contiguous, otherwise a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : CopyOp("Contiguous");

    /// <summary>A copy with its own contiguous storage (differentiable).</summary>
    public Tensor Clone() => CopyOp("Clone");

    private Tensor CopyOp(string name)
    {
        var result = NewEmptyLike();
        Backend.Copy(this, result);
        if (NeedsGrad(this)) result.Record(name, [this], g => [g]);
        return result;
    }

    /// <summary>A view over this tensor's storage with new geometry; the gradient is reshaped back.</summary>
    private Tensor ViewOf(int[] newShape, int[] newStrides, int newOffset, string name)
    {
        var result = AsStrided(newShape, newStrides, newOffset);
        if (NeedsGrad(this))
        {
            var inShape = shape;
            result.Record(name, [this], g => [g.Reshape(inShape)]);
        }
        return result;
    }

    /// <summary>Strides that let this tensor's elements be seen with shape dims without copying, or null
    /// (PyTorch's rule: each run of dims that is contiguous in memory may be split or merged).</summary>
    private int[]? ViewStrides(int[] dims)
    {
        if (Numel == 0 || shape.Length == 0) return Engine.Shape.ContiguousStrides(dims);
        var result = new int[dims.Length];
        var viewD = dims.Length - 1;
        var chunkBase = strides[^1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            tensorNumel *= shape[d];
            var chunkEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase);
            if (!chunkEnds) continue;
            while (viewD >= 0 && (viewNumel < tensorNumel || dims[viewD] == 1))
            {
                result[viewD] = (int)(viewNumel * chunkBase);
                viewNumel *= dims[viewD];
                viewD--;
            }
            if (viewNumel != tensorNumel) return null;
            if (d > 0)
            {
                chunkBase = strides[d - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return viewD == -1 ? result : null;
    }

    internal static int[] RemoveAt(int[] a, int i)
    {
        var r = new int[a.Length - 1];
        Array.Copy(a, 0, r, 0, i);
        Array.Copy(a, i + 1, r, i, a.Length - i - 1);
        return r;
    }

    internal static int[] InsertAt(int[] a, int i, int value)
    {
        var r = new int[a.Length + 1];
        Array.Copy(a, 0, r, 0, i);
        r[i] = value;
        Array.Copy(a, i, r, i + 1, a.Length - i);
        return r;
    }

    internal static int[] ReplaceAt(int[] a, int i, int value)
    {
        var r = (int[])a.Clone();
        r[i] = value;
        return r;
    }
}
