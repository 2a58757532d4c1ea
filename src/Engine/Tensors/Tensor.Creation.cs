namespace Engine;

public sealed partial class Tensor
{
    public static Tensor Zeros(params int[] shape) => Zeros(shape, DType.Float32);

    public static Tensor Zeros(int[] shape, DType dtype, Device? device = null, bool requiresGrad = false)
        => Empty(CheckShape(shape, "Zeros"), dtype, device ?? Device.Cpu, zero: true).RequiresGrad_(requiresGrad);

    public static Tensor Ones(params int[] shape) => Full(shape, 1.0);

    public static Tensor Ones(int[] shape, DType dtype, Device? device = null, bool requiresGrad = false)
        => Full(shape, 1.0, dtype, device, requiresGrad);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var t = Empty(CheckShape(shape, "Full"), dtype, device ?? Device.Cpu);
        t.Backend.Fill(t, value);
        return t.RequiresGrad_(requiresGrad);
    }

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    public static Tensor ZerosLike(Tensor t) => Zeros(t.ShapeArray.ToArray(), t.DType, t.Device);

    public static Tensor OnesLike(Tensor t) => Full(t.ShapeArray.ToArray(), 1.0, t.DType, t.Device);

    public static Tensor FullLike(Tensor t, double value) => Full(t.ShapeArray.ToArray(), value, t.DType, t.Device);

    /// <summary>Values start, start + step, ... below end (PyTorch's arange). Integer arguments give Int64 by
    /// default, as PyTorch; pass dtype to choose.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (step == 0 || double.IsNaN(step))
            throw new ArgumentException($"Arange: step must be non-zero; got {step}");
        if ((end - start) / step < 0)
            throw new ArgumentException($"Arange: the range [{start}, {end}) cannot be walked with step {step}");
        var n = (int)Math.Ceiling((end - start) / step);
        var t = Empty([n], dtype, device ?? Device.Cpu);
        t.Backend.Arange(t, start, step);
        return t;
    }

    public static Tensor Arange(int end, DType dtype = DType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary><paramref name="steps"/> values evenly spaced from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32, Device? device = null)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: steps must be non-negative; got {steps}");
        var t = Empty([steps], dtype, device ?? Device.Cpu);
        if (steps == 1) t.Backend.Fill(t, start);
        else if (steps > 1)
        {
            // Fill from both ends, as PyTorch, so the last value is exactly end.
            var step = (end - start) / (steps - 1);
            var half = steps / 2;
            t.Backend.Arange(t.Narrow(0, 0, half), start, step);
            t.Backend.Arange(t.Narrow(0, half, steps - half), end - (steps - half - 1) * step, step);
            // The upper half was written from its start; make its last value exact.
            t.Backend.Fill(t.Narrow(0, steps - 1, 1), end);
        }
        return t;
    }

    /// <summary>Identity matrix n x m (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        var cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"Eye: sizes must be non-negative; got {n} x {cols}");
        var t = Zeros([n, cols], dtype, device);
        var k = Math.Min(n, cols);
        if (k > 0) t.Backend.Fill(t.AsStrided([k], [cols + 1], 0), 1.0);
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (default: 1-D).</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        var dtype = DTypeExtensions.FromClrType(typeof(T));
        var dims = shape.Length == 0 ? [data.Length] : ResolveShape(shape, data.Length, "FromArray");
        if (Engine.Shape.Numel(dims) != data.Length)
            throw new ArgumentException($"FromArray: shape {Engine.Shape.Format(dims)} needs {Engine.Shape.Numel(dims)} elements but the array has {data.Length}");
        return new Tensor(Backends.Cpu.CpuBackend.Instance.FromHost((T[])data.Clone(), dtype), dims);
    }

    /// <summary>A tensor from a .NET multi-dimensional (or jagged-free rectangular) array such as float[,] or double[,,].</summary>
    public static Tensor FromArray(Array data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var elem = data.GetType().GetElementType()!;
        var dtype = DTypeExtensions.FromClrType(elem);
        var dims = new int[data.Rank];
        for (var i = 0; i < dims.Length; i++) dims[i] = data.GetLength(i);
        var flat = Array.CreateInstance(elem, data.Length);
        var k = 0;
        foreach (var v in data) flat.SetValue(v, k++);
        return new Tensor(Backends.Cpu.CpuBackend.Instance.FromHost(flat, dtype), dims);
    }

    /// <summary>Wraps a host array without copying (CPU only): writes through the tensor change the array.</summary>
    public static Tensor Wrap<T>(T[] data, params int[] shape)
        where T : unmanaged
    {
        var dtype = DTypeExtensions.FromClrType(typeof(T));
        var dims = shape.Length == 0 ? [data.Length] : ResolveShape(shape, data.Length, "Wrap");
        return new Tensor(new Backends.Cpu.CpuStorage(data, dtype), dims);
    }

    private static int[] CheckShape(int[] shape, string op)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
            if (d < 0)
                throw new ArgumentException($"{op}: sizes must be non-negative; got shape {Engine.Shape.Format(shape)}");
        return (int[])shape.Clone();
    }

    /// <summary>Replaces one -1 in a requested shape by the size that makes the element count match.</summary>
    internal static int[] ResolveShape(ReadOnlySpan<int> requested, int numel, string op)
    {
        var result = requested.ToArray();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be -1; got shape {Engine.Shape.Format(requested)}");
                infer = i;
            }
            else if (result[i] < 0)
            {
                throw new ArgumentException($"{op}: invalid size {result[i]} in shape {Engine.Shape.Format(requested)}");
            }
            else
            {
                known *= result[i];
            }
        }
        if (infer >= 0)
        {
            if (known == 0 || numel % known != 0)
                throw new ArgumentException($"{op}: shape {Engine.Shape.Format(requested)} is invalid for {numel} elements");
            result[infer] = (int)(numel / known);
        }
        else if (known != numel)
        {
            throw new ArgumentException($"{op}: shape {Engine.Shape.Format(requested)} is invalid for {numel} elements");
        }
        return result;
    }
}
