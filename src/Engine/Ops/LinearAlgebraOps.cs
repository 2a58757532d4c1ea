namespace Engine;

/// <summary>Matrix products with PyTorch's matmul rules, and the fused linear layer y = x W^T + b.</summary>
public sealed partial class Tensor
{
    /// <summary>Matrix product with PyTorch's rules: 1-D x 1-D is a dot product; a 1-D operand is treated as a row
    /// (left) or column (right) vector and that dim removed afterwards; batch dims broadcast.</summary>
    public Tensor Matmul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (NeedsGrad(this, other)) return MatmulCore(other);
        // Without a graph the 3-D operand views and the 3-D product are temporaries: free them here, so that the
        // result (a view of the product) is the storage's only holder and disposing it returns the array to the
        // pool at once, instead of when the garbage collector finds the 3-D product.
        using var scope = TensorScope.Enter();
        return scope.Keep(MatmulCore(other));
    }

    private Tensor MatmulCore(Tensor other)
    {
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
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) => Linear(x, weight, bias, null);

    /// <summary>The activations a linear layer can fuse: their derivative is a function of their output alone
    /// (ReLU and leaky ReLU: y &gt; 0 exactly where x &gt; 0; tanh: 1 - y^2; sigmoid: y (1 - y)).</summary>
    public static bool CanFuseWithLinear(Backends.UnaryOp op, double alpha = 0) =>
        op is Backends.UnaryOp.Relu or Backends.UnaryOp.Tanh or Backends.UnaryOp.Sigmoid || op == Backends.UnaryOp.LeakyRelu && alpha > 0;

    /// <summary>act(x W^T + b) in one GEMM and one pass over the output (bias and activation fused), with a single
    /// autograd node; <paramref name="activation"/> must satisfy <see cref="CanFuseWithLinear"/>.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, Backends.UnaryOp? activation, double alpha = 0)
    {
        if (activation is { } act && !CanFuseWithLinear(act, alpha))
            throw new ArgumentException($"Linear: activation {act} cannot be fused (its derivative is not a function of its output); apply it separately");
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
        var m = x.Numel / Math.Max(inF, 1);
        if (inF == 0) m = Engine.Shape.Numel(x.shape[..^1]);
        var outShape = new int[x.Rank];
        Array.Copy(x.shape, outShape, x.Rank - 1);
        outShape[^1] = outF;
        var result = Empty(outShape, x.DType, x.Device);
        // Raw (unrecorded) views: the Linear node below is the only graph entry, so the forward pass records nothing
        // for the reshapes and transposes it uses.
        var rows = RowsOf(x, m, inF);
        // result [m, out] = rows [m, in] @ W^T [in, out]: W^T is W read with its strides swapped.
        x.Backend.Gemm(rows, Backends.MatrixOperand.Dense(rows.offset, m, inF), weight, WeightOperand(weight).T, result,
            Backends.MatrixOperand.Dense(0, m, outF), accumulate: false);
        if (bias is not null || activation is not null) x.Backend.BiasActivation(result, bias, activation, alpha, 0);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (NeedsGrad(inputs)) RecordLinear(x, weight, bias, rows, result, inputs, activation, alpha);
        return result;
    }

    /// <summary>g * act'(x) from y = act(x), with differentiable ops (createGraph).</summary>
    private static Tensor ActivationGradFromOutput(Backends.UnaryOp act, double alpha, Tensor y, Tensor g) => act switch
    {
        Backends.UnaryOp.Relu => g * y.Gt(0).To(y.DType),
        Backends.UnaryOp.LeakyRelu => g * Where(y.Gt(0), OnesLike(y), FullLike(y, alpha)),
        Backends.UnaryOp.Tanh => g * (1 - y * y),
        _ => g * y * (1 - y),
    };

    /// <summary>x as a contiguous [m, in] matrix (x itself when it already is contiguous), unrecorded.</summary>
    private static Tensor RowsOf(Tensor x, int m, int inF)
    {
        Tensor dense;
        using (Autograd.NoGrad()) dense = x.Contiguous();
        return dense.AsStrided([m, inF], [inF, 1], dense.offset);
    }

    /// <summary>The weight W [out, in] as it lies in its storage (any strides).</summary>
    private static Backends.MatrixOperand WeightOperand(Tensor w) => new(w.offset, w.shape[0], w.shape[1], w.strides[0], w.strides[1]);

    private static void RecordLinear(Tensor x, Tensor weight, Tensor? bias, Tensor rows, Tensor result, Tensor[] inputs, Backends.UnaryOp? activation, double alpha)
    {
        int m = rows.shape[0], inF = rows.shape[1], outF = weight.shape[0];
        result.Record(activation is null ? "Linear" : "LinearActivation", inputs, g =>
        {
            if (activation is { } act)
            {
                // Through the activation first: its derivative comes from the output (see CanFuseWithLinear).
                g = Autograd.IsEnabled ? ActivationGradFromOutput(act, alpha, result, g) : UnaryGradKernel(act, result, result, g, alpha, 0);
            }
            if (Autograd.IsEnabled)
            {
                // The backward pass is itself recorded (createGraph): composite differentiable ops.
                var g2 = g.Reshape(m, outF);
                var dx = x.requiresGrad ? g2.Matmul(weight).Reshape(x.shape) : null;
                var dw = weight.requiresGrad ? g2.Transpose(0, 1).Matmul(rows) : null;
                var db = bias is not null && bias.requiresGrad ? g2.Sum(0) : null;
                return bias is null ? [dx, dw] : [dx, dw, db];
            }
            var gd = g.Contiguous();
            var backend = g.Backend;
            Tensor? gx = null, gw = null, gb = null;
            if (x.requiresGrad)
            {
                // gx [m, in] = g [m, out] @ W [out, in]
                gx = Empty(x.shape, x.DType, x.Device);
                backend.Gemm(gd, Backends.MatrixOperand.Dense(gd.offset, m, outF), weight, WeightOperand(weight), gx,
                    Backends.MatrixOperand.Dense(0, m, inF), accumulate: false);
            }
            if (weight.requiresGrad)
            {
                // gw [out, in] = g^T [out, m] @ rows [m, in]
                gw = Empty(weight.shape, weight.DType, weight.Device);
                backend.Gemm(gd, Backends.MatrixOperand.Dense(gd.offset, m, outF).T, rows, Backends.MatrixOperand.Dense(rows.offset, m, inF), gw,
                    Backends.MatrixOperand.Dense(0, outF, inF), accumulate: false);
            }
            if (bias is not null && bias.requiresGrad)
            {
                gb = Empty(bias.shape, bias.DType, bias.Device);
                using var g2 = gd.AsStrided([m, outF], [outF, 1], gd.offset);
                using var b2 = gb.AsStrided([1, outF], [outF, 1], 0);
                backend.Reduce(Backends.ReduceOp.Sum, g2, [0], b2);
            }
            return bias is null ? [gx, gw] : [gx, gw, gb];
        });
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
