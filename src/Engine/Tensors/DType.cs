namespace Engine;

/// <summary>Element type of a tensor. Bool is stored as one byte per element.</summary>
public enum DType
{
    Float32,
    Float64,
    Int32,
    Int64,
    Bool,
}

public static class DTypeExtensions
{
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int32 => 4,
        DType.Int64 => 8,
        DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    public static bool IsInteger(this DType dtype) => dtype is DType.Int32 or DType.Int64;

    /// <summary>PyTorch's name for the dtype, as printed by <see cref="Tensor.ToString()"/>.</summary>
    public static string TorchName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        _ => dtype.ToString(),
    };

    /// <summary>The dtype of a binary op's result under PyTorch's promotion rules (category first, then width).</summary>
    public static DType Promote(DType a, DType b)
    {
        if (a == b) return a;
        static int Rank(DType d) => d switch
        {
            DType.Bool => 0,
            DType.Int32 => 1,
            DType.Int64 => 2,
            DType.Float32 => 3,
            DType.Float64 => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(d)),
        };
        return Rank(a) >= Rank(b) ? a : b;
    }

    /// <summary>The CLR element type that stores this dtype (bool is stored as byte).</summary>
    public static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static DType FromClrType(Type t)
    {
        if (t == typeof(float)) return DType.Float32;
        if (t == typeof(double)) return DType.Float64;
        if (t == typeof(int)) return DType.Int32;
        if (t == typeof(long)) return DType.Int64;
        if (t == typeof(bool)) return DType.Bool;
        throw new ArgumentException($"no Engine dtype stores CLR type {t.Name}; expected float, double, int, long or bool");
    }
}
