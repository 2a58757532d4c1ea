namespace Engine;

/// <summary>Matrix products with PyTorch's matmul rules, and the fused linear layer y = x W^T + b.</summary>
public sealed partial class Tensor
{
    /// <summary>Matrix product with PyTorch's rules: 1-D x 1-D is a dot product; a 1-D operand is treated as a row
    /// (left) or column (right) vector and that dim removed afterwards; batch dims broadcast.</summary>
    public Tensor Matmul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameDevice(other, "Matmul");
        if (Rank == 0 || other.Rank == 0)
            throw new ArgumentException($"Matmul: both operands need at least one dim; got shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)}");
        if (!DType.IsFloatingPoint() || DType != other.DType)
            throw new ArgumentException($"Matmul: needs two floating-point tensors of one dtype; got {DType} and {other.DType}");
        var a = Rank == 1 ? Unsqueeze(0) : this;
        var b = other.Rank == 1 ? other.Unsqueeze(1) : other;
        var k = a.shape[^1];
        if (b.shape[^2] != k)
            throw new ArgumentException(
                $"Matmul: shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)} are incompatible: {k} != {b.shape[^2]}");
        Tensor y;
        if (b.Rank == 2 && a.Rank > 2)
        {
            // Fold the batch dims of a into its rows: one large GEMM instead of many small ones.
            var rows = a.Reshape(Engine.Shape.Numel(a.shape[..^1]), k);
            var outShape = a.shape[..^1].Append(b.shape[1]).ToArray();
            y = MatmulBatched(rows.Unsqueeze(0), b.Unsqueeze(0)).Reshape(outShape);
        }
        else
        {
            var batchA = a.shape[..^2];
            var batchB = b.shape[..^2];
            int[] batch;
            try
            {
                batch = Engine.Shape.Broadcast(batchA, batchB, "Matmul");
            }
            catch (ArgumentException e)
            {
                // Name the operands as the caller passed them, not just their batch dims.
                throw new ArgumentException(
                    $"Matmul: shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)} are incompatible: batch dims {Engine.Shape.Format(batchA)} and {Engine.Shape.Format(batchB)} cannot be broadcast", e);
            }
            var m = a.shape[^2];
            var n = b.shape[^1];
            var a3 = Batch3(a.Expand([.. batch, m, k]), m, k);
            var b3 = Batch3(b.Expand([.. batch, k, n]), k, n);
            y = MatmulBatched(a3, b3).Reshape([.. batch, m, n]);
        }
        if (Rank == 1) y = y.Squeeze(-2);
        if (other.Rank == 1) y = y.Squeeze(-1);
        return y;
    }

    /// <summary>2-D matrix product.</summary>
    public Tensor Mm(Tensor other)
    {
        if (Rank != 2 || other.Rank != 2)
            throw new ArgumentException($"Mm: needs two 2-D tensors; got shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)}");
        return Matmul(other);
    }

    /// <summary>Batched product of two 3-D tensors with equal batch sizes.</summary>
    public Tensor Bmm(Tensor other)
    {
        if (Rank != 3 || other.Rank != 3 || shape[0] != other.shape[0])
            throw new ArgumentException($"Bmm: needs two 3-D tensors with one batch size; got shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)}");
        return Matmul(other);
    }

    /// <summary>Inner product of two 1-D tensors.</summary>
    public Tensor Dot(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"Dot: needs two 1-D tensors; got shapes {Engine.Shape.Format(shape)} and {Engine.Shape.Format(other.shape)}");
        return Matmul(other);
    }

    /// <summary>y = x W^T + b for x [..., in], W [out, in], b [out] (optional), in one GEMM plus a bias pass.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"Linear: weight must be 2-D [out, in]; got shape {Engine.Shape.Format(weight.shape)}");
        if (x.Rank == 0 || x.shape[^1] != weight.shape[1])
            throw new ArgumentException(
                $"Linear: input of shape {Engine.Shape.Format(x.shape)} does not match weight of shape {Engine.Shape.Format(weight.shape)}: {(x.Rank == 0 ? 0 : x.shape[^1])} != {weight.shape[1]}");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != weight.shape[0]))
            throw new ArgumentException($"Linear: bias must have shape {Engine.Shape.Format([weight.shape[0]])} for weight {Engine.Shape.Format(weight.shape)}; got {Engine.Shape.Format(bias.shape)}");
        x.CheckSameDevice(weight, "Linear");
        if (bias is not null) x.CheckSameDevice(bias, "Linear");
        if (!x.DType.IsFloatingPoint() || x.DType != weight.DType || bias is not null && bias.DType != x.DType)
            throw new ArgumentException($"Linear: input, weight and bias must share one floating-point dtype; got {x.DType}, {weight.DType}{(bias is null ? "" : ", " + bias.DType)}");

        var inF = weight.shape[1];
        var outF = weight.shape[0];
        var rows = x.Reshape(Engine.Shape.Numel(x.shape[..^1]), inF);
        var wt = weight.Transpose(0, 1);
        var y = Empty([1, rows.shape[0], outF], x.DType, x.Device);
        using (Autograd.NoGrad())
        {
            x.Backend.Matmul(rows.Unsqueeze(0), wt.Unsqueeze(0), y, accumulate: false);
            if (bias is not null) x.Backend.Binary(Backends.BinaryOp.Add, y, bias.ExpandView(y.shape), y);
        }
        var outShape = x.shape[..^1].Append(outF).ToArray();
        var result = y.AsStrided(outShape, Engine.Shape.ContiguousStrides(outShape), 0);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (NeedsGrad(inputs))
        {
            result.Record("Linear", inputs, g =>
            {
                var g2 = g.Reshape(rows.shape[0], outF);
                var gx = x.requiresGrad ? g2.Matmul(weight).Reshape(x.shape) : null;
                var gw = weight.requiresGrad ? g2.Transpose(0, 1).Matmul(rows) : null;
                var gb = bias is not null && bias.requiresGrad ? g2.Sum(0) : null;
                return bias is null ? [gx, gw] : [gx, gw, gb];
            });
        }
        return result;
    }

    /// <summary>A [B, rows, cols] view of a tensor with batch dims, copying only when the batch dims cannot merge.</summary>
    private static Tensor Batch3(Tensor t, int rows, int cols)
    {
        if (t.Rank == 2) return t.Unsqueeze(0);
        if (t.Rank == 3) return t;
        // Merge batch dims: possible without copy when each one steps over the next (size-1 dims step nowhere, so
        // their strides do not matter; broadcast dims all have stride 0).
        var bshape = t.shape[..^2];
        var batch = Engine.Shape.Numel(bshape);
        var merged = true;
        var batchStride = 0;
        var prev = -1;
        for (var i = bshape.Length - 1; i >= 0; i--)
        {
            if (bshape[i] == 1) continue;
            if (prev < 0) batchStride = t.strides[i];
            else if (t.strides[i] != t.strides[prev] * bshape[prev]) merged = false;
            prev = i;
        }
        if (merged)
        {
            var view = t.AsStrided([batch, rows, cols], [batchStride, t.strides[^2], t.strides[^1]], t.offset);
            return NeedsGrad(t) ? t.Reshape(batch, rows, cols) : view;
        }
        return t.Contiguous().Reshape(batch, rows, cols);
    }

    /// <summary>[B,M,K] x [B,K,N] -> [B,M,N] through the backend GEMM (operands may be strided views).</summary>
    private static Tensor MatmulBatched(Tensor a, Tensor b)
    {
        var y = Empty([a.shape[0], a.shape[1], b.shape[2]], a.DType, a.Device);
        a.Backend.Matmul(a, b, y, accumulate: false);
        if (NeedsGrad(a, b))
        {
            y.Record("Matmul", [a, b], g =>
            [
                a.requiresGrad ? g.Matmul(b.MT).SumToShape(a.shape) : null,
                b.requiresGrad ? a.MT.Matmul(g).SumToShape(b.shape) : null,
            ]);
        }
        return y;
    }
}
