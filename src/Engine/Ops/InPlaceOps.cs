using Engine.Backends;

namespace Engine;

/// <summary>Fused in-place updates (PyTorch's addcmul_, addcdiv_, lerp_, sqrt_, maximum_), the building blocks of the
/// optimizers. Like the other in-place writes they are not recorded by autograd: use them on buffers, or on
/// parameters inside <see cref="Autograd.NoGrad"/>. Each is one pass over this tensor's memory.</summary>
public sealed partial class Tensor
{
    /// <summary>this += value * tensor1 * tensor2 (both broadcast to this shape).</summary>
    public Tensor Addcmul_(Tensor tensor1, Tensor tensor2, double value = 1)
        => InPlaceTernary(TernaryOp.Addcmul, tensor1, tensor2, value, "Addcmul_");

    /// <summary>this += value * (tensor1 / tensor2) (both broadcast to this shape).</summary>
    public Tensor Addcdiv_(Tensor tensor1, Tensor tensor2, double value = 1)
        => InPlaceTernary(TernaryOp.Addcdiv, tensor1, tensor2, value, "Addcdiv_");

    /// <summary>this += weight * (end - this): an exponential moving average step toward end.</summary>
    public Tensor Lerp_(Tensor end, double weight) => InPlaceTernary(TernaryOp.Lerp, end, Scalar(weight, DType, Device), 0, "Lerp_");

    /// <summary>this += weight * (end - this) with an elementwise weight (broadcast to this shape).</summary>
    public Tensor Lerp_(Tensor end, Tensor weight) => InPlaceTernary(TernaryOp.Lerp, end, weight, 0, "Lerp_");

    /// <summary>this = sqrt(this).</summary>
    public Tensor Sqrt_()
    {
        CheckInPlaceDense("Sqrt_");
        if (!DType.IsFloatingPoint()) throw new ArgumentException($"Sqrt_: needs a floating-point tensor; got {DType}");
        Backend.Unary(UnaryOp.Sqrt, this, this, 0, 0);
        return this;
    }

    /// <summary>this = max(this, other) elementwise (other broadcast to this shape).</summary>
    public Tensor Maximum_(Tensor other) => InPlaceBinary(BinaryOp.Maximum, other, "Maximum_");

    public Tensor Div_(double scalar) => InPlaceBinary(BinaryOp.Div, Scalar(scalar, DType, Device), "Div_");

    /// <summary>this[..index[..i..]..] += src[..i..] along dim, in place (PyTorch's scatter_add_); index and src
    /// as for <see cref="ScatterAdd"/>.</summary>
    public Tensor ScatterAdd_(int dim, Tensor index, Tensor src)
    {
        var d = Engine.Shape.NormalizeDim(dim, Rank, "ScatterAdd_");
        var idx = CheckIndexTensor(index, "ScatterAdd_");
        CheckInPlaceDense("ScatterAdd_");
        CheckSameDevice(src, "ScatterAdd_");
        if (idx.Rank != Rank || src.Rank != Rank)
            throw new ArgumentException($"ScatterAdd_: index {Engine.Shape.Format(idx.shape)} and src {Engine.Shape.Format(src.shape)} must have the rank of the tensor {Engine.Shape.Format(shape)}");
        for (var k = 0; k < Rank; k++)
            if (idx.shape[k] > src.shape[k] || (k != d && idx.shape[k] > shape[k]))
                throw new ArgumentException($"ScatterAdd_: index {Engine.Shape.Format(idx.shape)} is larger than src {Engine.Shape.Format(src.shape)} or the tensor {Engine.Shape.Format(shape)} at dim {k}");
        Backend.Scatter(this, d, idx, src.Detach().To(DType), accumulate: true);
        return this;
    }

    private Tensor InPlaceTernary(TernaryOp op, Tensor b, Tensor c, double alpha, string name)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        CheckInPlaceDense(name);
        if (!DType.IsFloatingPoint())
            throw new ArgumentException($"{name}: needs a floating-point tensor; got {DType} of shape {Engine.Shape.Format(shape)}");
        CheckSameDevice(b, name);
        CheckSameDevice(c, name);
        Backend.Ternary(op, this, Operand(b), Operand(c), this, alpha);
        return this;

        Tensor Operand(Tensor t)
        {
            if (!Engine.Shape.Broadcast(t.shape, shape, name).AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{name}: an operand of shape {Engine.Shape.Format(t.shape)} does not broadcast to the tensor's shape {Engine.Shape.Format(shape)}");
            var d = t.Detach();
            if (d.DType != DType) d = d.ConvertTo(DType);
            return d.ExpandView(shape);
        }
    }

    private void CheckInPlaceDense(string name)
    {
        CheckInPlace(name);
        if (!IsContiguous)
            throw new ArgumentException($"{name}: in-place arithmetic needs a contiguous tensor; got shape {Engine.Shape.Format(shape)} with strides {Engine.Shape.Format(strides)}");
    }
}
