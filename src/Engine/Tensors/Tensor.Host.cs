namespace Engine;

/// <summary>Moving data between tensors and the host, dtype and device conversion, and in-place writes.</summary>
public sealed partial class Tensor
{
    /// <summary>The elements in row-major order, converted to T when T is not the tensor's own element type.</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        var target = DTypeExtensions.FromClrType(typeof(T));
        var src = target == DType ? this : ConvertTo(target);
        var result = new T[Numel];
        if (Numel > 0) src.Backend.ToHost(src, result);
        return result;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public T Item<T>()
        where T : unmanaged
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item: the tensor has {Numel} elements (shape {Engine.Shape.Format(shape)}); expected exactly one");
        return ToArray<T>()[0];
    }

    /// <summary>The single value as a double.</summary>
    public double Item() => Item<double>();

    /// <summary>A copy converted to another dtype (differentiable between floating-point dtypes).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var result = ConvertTo(dtype);
        if (NeedsGrad(this) && dtype.IsFloatingPoint())
        {
            var from = DType;
            result.Record("ToDType", [this], g => [g.To(from)]);
        }
        return result;
    }

    /// <summary>This tensor on another device (a copy unless it is already there).</summary>
    public Tensor To(Device device)
    {
        if (device == Device) return this;
        var target = device.Backend;
        var host = Array.CreateInstance(DType.ClrType(), Numel);
        if (Numel > 0) Backend.ToHost(this, host);
        var result = new Tensor(target.FromHost(host, DType), (int[])shape.Clone());
        if (NeedsGrad(this))
        {
            var from = Device;
            result.Record("ToDevice", [this], g => [g.To(from)]);
        }
        return result;
    }

    public Tensor Float() => To(DType.Float32);

    public Tensor Double() => To(DType.Float64);

    public Tensor Long() => To(DType.Int64);

    public Tensor Int() => To(DType.Int32);

    public Tensor Bool() => To(DType.Bool);

    public Tensor Cpu() => To(Device.Cpu);

    private Tensor ConvertTo(DType dtype)
    {
        var result = NewEmpty((int[])shape.Clone(), dtype);
        Backend.Copy(this, result);
        return result;
    }

    // ---- in-place writes (not recorded by autograd) -----------------------------------------------------------

    /// <summary>Sets every element to value, in place.</summary>
    public Tensor Fill_(double value)
    {
        CheckInPlace("Fill_");
        Backend.Fill(this, value);
        return this;
    }

    public Tensor Zero_() => Fill_(0);

    /// <summary>Copies src (broadcast to this shape, converted to this dtype) into this tensor, in place.</summary>
    public Tensor CopyFrom_(Tensor src)
    {
        ArgumentNullException.ThrowIfNull(src);
        CheckInPlace("CopyFrom_");
        CheckSameDevice(src, "CopyFrom_");
        Engine.Shape.Broadcast(src.shape, shape, "CopyFrom_");
        var expanded = src.shape.AsSpan().SequenceEqual(shape) ? src : src.Detach().Expand(shape);
        Backend.Copy(expanded, this);
        return this;
    }

    /// <summary>this += alpha * other, in place (other broadcast to this shape); one fused pass for floating point.</summary>
    public Tensor Add_(Tensor other, double alpha = 1) => alpha == 1 || !DType.IsFloatingPoint()
        ? InPlaceBinary(Backends.BinaryOp.Add, alpha == 1 ? other : other * alpha, "Add_")
        : InPlaceTernary(Backends.TernaryOp.Addcmul, other, Scalar(1, DType, Device), alpha, "Add_");

    public Tensor Sub_(Tensor other) => InPlaceBinary(Backends.BinaryOp.Sub, other, "Sub_");

    public Tensor Mul_(Tensor other) => InPlaceBinary(Backends.BinaryOp.Mul, other, "Mul_");

    public Tensor Div_(Tensor other) => InPlaceBinary(Backends.BinaryOp.Div, other, "Div_");

    public Tensor Mul_(double scalar) => InPlaceBinary(Backends.BinaryOp.Mul, Scalar(scalar, DType, Device), "Mul_");

    public Tensor Add_(double scalar) => InPlaceBinary(Backends.BinaryOp.Add, Scalar(scalar, DType, Device), "Add_");

    /// <summary>Clamps in place to [min, max].</summary>
    public Tensor Clamp_(double min, double max)
    {
        CheckInPlace("Clamp_");
        if (!IsContiguous)
            throw new ArgumentException($"Clamp_: in-place clamping needs a contiguous tensor; got strides {Engine.Shape.Format(strides)}");
        Backend.Unary(Backends.UnaryOp.Clamp, this, this, min, max);
        return this;
    }

    private Tensor InPlaceBinary(Backends.BinaryOp op, Tensor other, string name)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace(name);
        CheckSameDevice(other, name);
        Engine.Shape.Broadcast(other.shape, shape, name);
        if (!IsContiguous)
            throw new ArgumentException($"{name}: in-place arithmetic needs a contiguous tensor; got shape {Engine.Shape.Format(shape)} with strides {Engine.Shape.Format(strides)}");
        var rhs = other.Detach();
        if (rhs.DType != DType) rhs = rhs.ConvertTo(DType);
        if (!rhs.shape.AsSpan().SequenceEqual(shape)) rhs = rhs.Expand(shape);
        Backend.Binary(op, this, rhs, this);
        return this;
    }

    private void CheckInPlace(string op)
    {
        if (requiresGrad && Autograd.IsEnabled)
            throw new InvalidOperationException(
                $"{op}: in-place write to a tensor that requires grad (shape {Engine.Shape.Format(shape)}); do it inside Autograd.NoGrad() or on a Detach()ed tensor");
    }
}
