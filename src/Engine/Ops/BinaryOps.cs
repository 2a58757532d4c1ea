using Engine.Backends;

namespace Engine;

/// <summary>Binary elementwise ops with NumPy/PyTorch broadcasting and dtype promotion, scalar overloads, operators,
/// comparisons and where(). Gradients are summed back to each input's shape.</summary>
public sealed partial class Tensor
{
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, this, other, "Add");

    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, this, other, "Sub");

    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, this, other, "Mul");

    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, this, other, "Div");

    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, this, exponent, "Pow");

    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, this, other, "Maximum");

    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, this, other, "Minimum");

    public Tensor Add(double s) => Affine(1, s);

    public Tensor Sub(double s) => Affine(1, -s);

    public Tensor Mul(double s) => Affine(s, 0);

    public Tensor Div(double s) => Binary(BinaryOp.Div, this, ScalarLike(s), "Div");

    public Tensor Maximum(double s) => Binary(BinaryOp.Maximum, this, ScalarLike(s), "Maximum");

    public Tensor Minimum(double s) => Binary(BinaryOp.Minimum, this, ScalarLike(s), "Minimum");

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    public static Tensor operator -(Tensor a) => a.Neg();

    public static Tensor operator +(Tensor a, double s) => a.Add(s);

    public static Tensor operator +(double s, Tensor a) => a.Add(s);

    public static Tensor operator -(Tensor a, double s) => a.Sub(s);

    public static Tensor operator -(double s, Tensor a) => a.Affine(-1, s);

    public static Tensor operator *(Tensor a, double s) => a.Mul(s);

    public static Tensor operator *(double s, Tensor a) => a.Mul(s);

    public static Tensor operator /(Tensor a, double s) => a.Div(s);

    public static Tensor operator /(double s, Tensor a) => a.Numeric().Unary(UnaryOp.ScalarDiv, s);

    /// <summary>Elementwise logical ops on Bool tensors.</summary>
    public static Tensor operator &(Tensor a, Tensor b) => a.LogicalAnd(b);

    public static Tensor operator |(Tensor a, Tensor b) => a.LogicalOr(b);

    public static Tensor operator !(Tensor a) => a.LogicalNot();

    // ---- comparisons (Bool results, not differentiable) ---------------------------------------------------------

    public Tensor Eq(Tensor other) => Compare(BinaryOp.Eq, other, "Eq");

    public Tensor Ne(Tensor other) => Compare(BinaryOp.Ne, other, "Ne");

    public Tensor Lt(Tensor other) => Compare(BinaryOp.Lt, other, "Lt");

    public Tensor Le(Tensor other) => Compare(BinaryOp.Le, other, "Le");

    public Tensor Gt(Tensor other) => Compare(BinaryOp.Gt, other, "Gt");

    public Tensor Ge(Tensor other) => Compare(BinaryOp.Ge, other, "Ge");

    public Tensor Eq(double s) => Compare(BinaryOp.Eq, ScalarLike(s), "Eq");

    public Tensor Ne(double s) => Compare(BinaryOp.Ne, ScalarLike(s), "Ne");

    public Tensor Lt(double s) => Compare(BinaryOp.Lt, ScalarLike(s), "Lt");

    public Tensor Le(double s) => Compare(BinaryOp.Le, ScalarLike(s), "Le");

    public Tensor Gt(double s) => Compare(BinaryOp.Gt, ScalarLike(s), "Gt");

    public Tensor Ge(double s) => Compare(BinaryOp.Ge, ScalarLike(s), "Ge");

    public Tensor LogicalAnd(Tensor other) => Compare(BinaryOp.And, other, "LogicalAnd");

    public Tensor LogicalOr(Tensor other) => Compare(BinaryOp.Or, other, "LogicalOr");

    /// <summary>True where every element equals <paramref name="other"/>'s (same shape required).</summary>
    public bool Equal(Tensor other) => shape.AsSpan().SequenceEqual(other.shape) && (Numel == 0 || Eq(other).To(DType.Int64).Sum().Item<long>() == Numel);

    /// <summary>|a - b| &lt;= atol + rtol |b| everywhere (after broadcasting).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        using var _ = Autograd.NoGrad();
        var a = To(DType.Float64);
        var b = other.To(DType.Float64);
        var diff = (a - b).Abs();
        var tol = b.Abs() * rtol + atol;
        return diff.Le(tol).LogicalNot().To(DType.Int64).Sum().Item<long>() == 0;
    }

    /// <summary>cond ? a : b elementwise, all three broadcast together; differentiable in a and b.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(cond);
        if (cond.DType != DType.Bool)
            throw new ArgumentException($"Where: the condition must be a Bool tensor; got {cond.DType} of shape {Engine.Shape.Format(cond.shape)}");
        a.CheckSameDevice(b, "Where");
        cond.CheckSameDevice(a, "Where");
        var dtype = DTypeExtensions.Promote(a.DType, b.DType);
        var ac = a.To(dtype);
        var bc = b.To(dtype);
        var outShape = Engine.Shape.Broadcast(Engine.Shape.Broadcast(cond.shape, a.shape, "Where"), b.shape, "Where");
        var y = Empty(outShape, dtype, a.Device);
        a.Backend.Where(cond.ExpandView(outShape), ac.ExpandView(outShape), bc.ExpandView(outShape), y);
        if (NeedsGrad(ac, bc))
        {
            y.Record("Where", [ac, bc], g =>
            {
                var zero = ZerosLike(g);
                return [
                    ac.requiresGrad ? Where(cond, g, zero).SumToShape(ac.shape) : null,
                    bc.requiresGrad ? Where(cond, zero, g).SumToShape(bc.shape) : null,
                ];
            });
        }
        return y;
    }

    public static Tensor Where(Tensor cond, Tensor a, double b) => Where(cond, a, a.ScalarLike(b));

    public static Tensor Where(Tensor cond, double a, Tensor b) => Where(cond, b.ScalarLike(a), b);

    /// <summary>value (in this tensor's dtype) where mask is true, this tensor elsewhere.</summary>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        if (mask.DType != DType.Bool)
            throw new ArgumentException($"MaskedFill: the mask must be a Bool tensor; got {mask.DType}");
        var outShape = Engine.Shape.Broadcast(shape, mask.shape, "MaskedFill");
        if (!outShape.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"MaskedFill: mask of shape {Engine.Shape.Format(mask.shape)} would broadcast the tensor of shape {Engine.Shape.Format(shape)} to {Engine.Shape.Format(outShape)}; the mask must broadcast to the tensor's shape");
        return Where(mask, Scalar(value, DType, Device), this);
    }

    // ---- implementation ----------------------------------------------------------------------------------------

    /// <summary>A 0-dim tensor of this tensor's dtype (Float32 for a fractional scalar against an integer tensor).</summary>
    internal Tensor ScalarLike(double s)
    {
        var dtype = DType;
        if (!dtype.IsFloatingPoint() && (s != Math.Floor(s) || double.IsInfinity(s) || double.IsNaN(s))) dtype = DType.Float32;
        if (dtype == DType.Bool) dtype = DType.Int64;
        return Scalar(s, dtype, Device);
    }

    /// <summary>alpha x + beta; a Bool tensor counts as Int64, as in PyTorch's promotion.</summary>
    private Tensor Affine(double alpha, double beta) => Numeric().Unary(UnaryOp.Affine, alpha, beta);

    private Tensor Numeric() => DType == DType.Bool ? To(DType.Int64) : this;

    /// <summary>A broadcast view (stride 0 on expanded dims) without autograd; the caller handles gradients.</summary>
    internal Tensor ExpandView(int[] target)
    {
        if (shape.AsSpan().SequenceEqual(target)) return this;
        var lead = target.Length - Rank;
        var newStrides = new int[target.Length];
        for (var i = 0; i < target.Length; i++)
            newStrides[i] = i < lead || shape[i - lead] != target[i] ? 0 : strides[i - lead];
        return AsStrided(target, newStrides, offset);
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="target"/> (drops leading dims, sums size-1 dims).</summary>
    internal Tensor SumToShape(int[] target)
    {
        if (shape.AsSpan().SequenceEqual(target)) return this;
        var lead = Rank - target.Length;
        var dims = new List<int>();
        for (var i = 0; i < Rank; i++)
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) dims.Add(i);
        var summed = dims.Count == 0 ? this : Sum(dims.ToArray(), keepDim: true);
        return summed.Reshape(target);
    }

    private static (Tensor A, Tensor B, int[] Shape) Prepare(Tensor a, Tensor b, string op, bool toFloat)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a.CheckSameDevice(b, op);
        var outShape = ReferenceEquals(a.shape, b.shape) || a.shape.AsSpan().SequenceEqual(b.shape) ? a.shape : Engine.Shape.Broadcast(a.shape, b.shape, op);
        var dtype = a.DType == b.DType ? a.DType : DTypeExtensions.Promote(a.DType, b.DType);
        if (toFloat && !dtype.IsFloatingPoint()) dtype = DType.Float32;
        return (a.To(dtype), b.To(dtype), outShape);
    }

    private static Tensor Binary(BinaryOp op, Tensor a0, Tensor b0, string name)
    {
        var (a, b, outShape) = Prepare(a0, b0, name, toFloat: op is BinaryOp.Div or BinaryOp.Pow);
        if (a.DType == DType.Bool)
        {
            a = a.To(DType.Int64);
            b = b.To(DType.Int64);
        }
        var y = ReferenceEquals(outShape, a.shape) ? a.NewEmptyLike() : Empty(outShape, a.DType, a.Device);
        a.Backend.Binary(op, a.ExpandView(outShape), b.ExpandView(outShape), y);
        if (NeedsGrad(a, b)) RecordBinary(op, a, b, y, name);
        return y;
    }

    // Kept out of Binary so the closure's captured state is allocated only when a graph is recorded.
    private static void RecordBinary(BinaryOp op, Tensor a, Tensor b, Tensor y, string name)
        => y.Record(name, [a, b], g => BinaryGrad(op, a, b, y, g));

    private static Tensor?[] BinaryGrad(BinaryOp op, Tensor a, Tensor b, Tensor y, Tensor g)
    {
        Tensor? ga = null, gb = null;
        switch (op)
        {
            case BinaryOp.Add:
                ga = a.requiresGrad ? g : null;
                gb = b.requiresGrad ? g : null;
                break;
            case BinaryOp.Sub:
                ga = a.requiresGrad ? g : null;
                gb = b.requiresGrad ? -g : null;
                break;
            case BinaryOp.Mul:
                ga = a.requiresGrad ? g * b : null;
                gb = b.requiresGrad ? g * a : null;
                break;
            case BinaryOp.Div:
                ga = a.requiresGrad ? g / b : null;
                gb = b.requiresGrad ? -g * a / (b * b) : null;
                break;
            case BinaryOp.Pow:
                // d/da a^b = b a^(b-1), 0 where b == 0 (as PyTorch): the exponent b - 1 is taken from 1 there, so
                // 0 * 0^-1 never forms a NaN, in this pass or when it is differentiated again.
                ga = a.requiresGrad ? g * b * a.Pow(Where(b.Eq(0), 1.0, b) - 1) : null;
                if (b.requiresGrad)
                {
                    // d/db a^b = a^b log a, 0 where a == 0 and b >= 0 (as PyTorch): log is taken of 1 there, so
                    // neither this pass nor a double backward sees log(0).
                    var logA = Where(a.Eq(0).LogicalAnd(b.Ge(0)), 1.0, a).Log();
                    gb = g * y * logA;
                }
                break;
            case BinaryOp.Maximum:
            case BinaryOp.Minimum:
                // The larger (smaller) input takes the gradient; ties split it evenly, as PyTorch.
                var wins = op == BinaryOp.Maximum ? a.Gt(b) : a.Lt(b);
                var share = Where(a.Eq(b), FullLike(g, 0.5), wins.To(g.DType));
                ga = a.requiresGrad ? g * share : null;
                gb = b.requiresGrad ? g * (1 - share) : null;
                break;
        }
        return [ga?.SumToShape(a.shape), gb?.SumToShape(b.shape)];
    }

    private Tensor Compare(BinaryOp op, Tensor other, string name)
    {
        var (a, b, outShape) = Prepare(this, other, name, toFloat: false);
        var y = ReferenceEquals(outShape, a.shape) ? a.NewEmptyLike(DType.Bool) : Empty(outShape, DType.Bool, a.Device);
        a.Backend.Binary(op, a.ExpandView(outShape), b.ExpandView(outShape), y);
        return y;
    }
}
