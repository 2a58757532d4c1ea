using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Fill, copy/convert, unary, binary, ternary ops and where: one strided kernel family each (shaders/fill.comp,
/// copy.comp, convert.comp, unary.comp, binary.comp, compare.comp, ternary.comp, where.comp), the op chosen by a
/// specialization constant.</summary>
public sealed partial class VulkanBackend
{
    public void Fill(Tensor dst, double value)
    {
        if (dst.Numel == 0) return;
        var storage = Own(dst, "Fill");
        ulong words = dst.DType switch
        {
            DType.Float32 => BitConverter.SingleToUInt32Bits((float)value),
            DType.Float64 => BitConverter.DoubleToUInt64Bits(value),
            DType.Int32 => (uint)checked((int)value),
            DType.Int64 => (ulong)checked((long)value),
            _ => value != 0 ? 1u : 0u,
        };
        var kernel = device.Pipelines.Get("fill", 1, WordsPerElement(dst.DType));
        foreach (var p in StridedPlan.Build(dst.Shape, (dst.Offset, dst.Strides.ToArray())))
        {
            var withValue = p;
            withValue.SetWords(words);
            device.Stream.Dispatch(kernel, [storage], withValue);
        }
    }

    public void Arange(Tensor y, double start, double step)
    {
        if (y.DType == DType.Bool) throw device.Unsupported("Arange on Bool");
        if (!device.Info.Float64 || !device.Info.Int64)
            throw device.Unsupported("Arange", "it computes in double and needs the shaderFloat64 and shaderInt64 features");
        if (y.Numel == 0) return;
        var tail = new StridedParams();
        tail.SetScalars(DType.Float64, start, step);
        Run(device.Pipelines.Get("arange", 1, DTypeCode(y.DType)), y.Shape, [Own(y, "Arange")], [y], tail);
    }

    public void Copy(Tensor src, Tensor dst)
    {
        if (src.Numel == 0) return;
        var s = Own(src, "Copy");
        var d = Own(dst, "Copy");
        Kernel kernel;
        if (src.DType == dst.DType) kernel = device.Pipelines.Get("copy", 2, WordsPerElement(src.DType));
        else if (IsWide(src.DType) || IsWide(dst.DType))
        {
            if (!device.Info.Float64 || !device.Info.Int64)
                throw device.Unsupported($"Copy {src.DType} -> {dst.DType}", "the conversion needs the shaderFloat64 and shaderInt64 features");
            kernel = device.Pipelines.Get("convert_wide", 2, DTypeCode(src.DType), DTypeCode(dst.DType));
        }
        else kernel = device.Pipelines.Get("convert", 2, DTypeCode(src.DType), DTypeCode(dst.DType));
        Run(kernel, dst.Shape, [d, s], [dst, src], default);
    }

    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        if (y.Numel == 0) return;
        Run(UnaryKernel(op, y.DType), y.Shape, [Own(y, "Unary"), Own(x, "Unary")], [y, x], Scalars(y.DType, alpha, beta));
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double alpha, double beta)
    {
        if (gx.Numel == 0) return;
        var name = $"UnaryBackward {op}";
        var module = gx.DType switch
        {
            // unary_backward.comp has every derivative the CPU has (all ops but Not), in both dtypes.
            DType.Float32 when op != UnaryOp.Not => "unary_backward_f32",
            DType.Float64 when op != UnaryOp.Not => RequireFloat64(name, "unary_backward_f64"),
            _ => throw device.Unsupported($"{name} on {gx.DType}"),
        };
        Run(device.Pipelines.Get(module, 4, (int)op), gx.Shape, [Own(gx, name), Own(x, name), Own(y, name), Own(gy, name)],
            [gx, x, y, gy], Scalars(gx.DType, alpha, beta));
    }

    private Kernel UnaryKernel(UnaryOp op, DType dtype)
    {
        var module = dtype switch
        {
            // unary.comp has every floating-point op (all but Not) in float32 and, with include/f64math.glsl, float64.
            DType.Float32 when op != UnaryOp.Not => "unary_f32",
            DType.Float64 when op != UnaryOp.Not => RequireFloat64($"Unary {op}", "unary_f64"),
            DType.Bool when op == UnaryOp.Not => "unary_u32",
            _ => throw device.Unsupported($"Unary {op} on {dtype}"),
        };
        return device.Pipelines.Get(module, 2, (int)op);
    }

    private static StridedParams Scalars(DType dtype, double alpha, double beta)
    {
        var scalars = new StridedParams();
        scalars.SetScalars(dtype, alpha, beta);
        return scalars;
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.Numel == 0) return;
        var name = $"Binary {op}";
        Run(BinaryKernel(op, a.DType), y.Shape, [Own(y, name), Own(a, name), Own(b, name)], [y, a, b], default);
    }

    private Kernel BinaryKernel(BinaryOp op, DType dtype)
    {
        var name = $"Binary {op}";
        string module;
        if (op.IsComparison())
        {
            module = dtype == DType.Bool ? "compare_u32" : NumericModule(name, "compare", dtype);
        }
        else
        {
            module = dtype switch
            {
                DType.Float32 => "binary_f32",
                DType.Float64 => RequireFloat64(name, "binary_f64"),
                DType.Int32 when op != BinaryOp.Pow => "binary_i32",
                DType.Int64 when op != BinaryOp.Pow => RequireInt64(name, "binary_i64"),
                _ => throw device.Unsupported($"{name} on {dtype}"),
            };
        }
        return device.Pipelines.Get(module, 3, (int)op);
    }

    public void Ternary(TernaryOp op, Tensor a, Tensor b, Tensor c, Tensor y, double alpha)
    {
        if (y.Numel == 0) return;
        var name = $"Ternary {op}";
        var module = y.DType switch
        {
            DType.Float32 => "ternary_f32",
            DType.Float64 => RequireFloat64(name, "ternary_f64"),
            _ => throw device.Unsupported($"{name} on {y.DType}"),
        };
        Run(device.Pipelines.Get(module, 4, (int)op), y.Shape, [Own(y, name), Own(a, name), Own(b, name), Own(c, name)], [y, a, b, c], Scalars(y.DType, alpha, 0));
    }

    public void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        if (y.Numel == 0) return;
        var kernel = device.Pipelines.Get("where", 4, WordsPerElement(y.DType));
        Run(kernel, y.Shape, [Own(y, "Where"), Own(cond, "Where"), Own(a, "Where"), Own(b, "Where")], [y, cond, a, b], default);
    }

    /// <summary>Dispatches a strided kernel over <paramref name="shape"/>, operand k being tensors[k] in storages[k];
    /// the scalars come from <paramref name="tail"/>.</summary>
    private void Run(Kernel kernel, ReadOnlySpan<int> shape, VulkanStorage[] storages, Tensor[] tensors, StridedParams tail)
        => Run(kernel, shape, storages, tensors.Select(t => (t.Offset, t.Strides.ToArray())).ToArray(), tail);

    /// <summary>The same with operands given as (offset, strides) over <paramref name="shape"/>, for layouts that are
    /// not a tensor's own (a bias broadcast over rows).</summary>
    private unsafe void Run(Kernel kernel, ReadOnlySpan<int> shape, VulkanStorage[] storages, (int Offset, int[] Strides)[] operands, StridedParams tail)
    {
        foreach (var plan in StridedPlan.Build(shape, operands))
        {
            var p = plan;
            for (var i = 0; i < 16; i++) p.Tail[i] = tail.Tail[i];
            device.Stream.Dispatch(kernel, storages, p);
        }
    }

    /// <summary>The variant of a shader family built for the four numeric dtypes (<paramref name="stem"/>_f32, _f64,
    /// _i32, _i64), checking the device features the wide ones need.</summary>
    private string NumericModule(string op, string stem, DType dtype) => dtype switch
    {
        DType.Float32 => stem + "_f32",
        DType.Float64 => RequireFloat64(op, stem + "_f64"),
        DType.Int32 => stem + "_i32",
        DType.Int64 => RequireInt64(op, stem + "_i64"),
        _ => throw device.Unsupported($"{op} on {dtype}"),
    };

    private string RequireFloat64(string op, string module)
        => device.Info.Float64 ? module : throw device.Unsupported($"{op} on Float64", "the device lacks the shaderFloat64 feature");

    private string RequireInt64(string op, string module)
        => device.Info.Int64 ? module : throw device.Unsupported($"{op} on Int64", "the device lacks the shaderInt64 feature");

    private static int WordsPerElement(DType dtype) => VulkanStorage.ElementBytes(dtype) / 4;

    private static bool IsWide(DType dtype) => dtype is DType.Float64 or DType.Int64;

    /// <summary>The dtype codes of convert.comp.</summary>
    private static int DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => 0,
        DType.Float64 => 1,
        DType.Int32 => 2,
        DType.Int64 => 3,
        _ => 4,
    };
}
