namespace Engine.IO;

/// <summary>The safetensors dtype names Engine reads and writes, and how each maps onto an Engine dtype.</summary>
internal static class SafetensorsDType
{
    /// <summary>Every dtype name the format defines. Names here that <see cref="TryRead"/> does not accept are
    /// reported as unsupported rather than unknown.</summary>
    private static readonly HashSet<string> FormatNames =
    [
        "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16",
        "I32", "U32", "F32", "F64", "I64", "U64", "C64",
    ];

    /// <summary>The name written for an Engine dtype.</summary>
    public static string Name(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors name"),
    };

    /// <summary>Position of the dtype in the reference implementation's dtype enumeration (ordered by alignment).
    /// Its writer lays tensors out by descending position, then by name, so every tensor is aligned to its element
    /// size; Engine does the same, which also makes its files byte-identical to the reference's.</summary>
    public static int ReferenceOrder(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.Int32 => 9,
        DType.Float32 => 11,
        DType.Float64 => 12,
        DType.Int64 => 13,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>How a stored dtype is read: the file's element size and the Engine dtype it becomes (half-precision
    /// formats widen to Float32).</summary>
    public static bool TryRead(string name, out StoredDType stored)
    {
        stored = name switch
        {
            "F32" => new(name, 4, DType.Float32),
            "F64" => new(name, 8, DType.Float64),
            "I32" => new(name, 4, DType.Int32),
            "I64" => new(name, 8, DType.Int64),
            "BOOL" => new(name, 1, DType.Bool),
            "F16" => new(name, 2, DType.Float32),
            "BF16" => new(name, 2, DType.Float32),
            _ => default,
        };
        return stored.Name is not null;
    }

    public static bool IsFormatName(string name) => FormatNames.Contains(name);
}

/// <summary>A dtype as stored in a file: its name, bytes per element, and the Engine dtype it loads as.</summary>
internal readonly record struct StoredDType(string Name, int ElementSize, DType Target);
