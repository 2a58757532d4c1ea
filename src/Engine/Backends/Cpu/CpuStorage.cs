using System.Runtime.CompilerServices;

namespace Engine.Backends.Cpu;

/// <summary>CPU storage: a managed array (float[], double[], int[], long[] or bool[]), possibly longer than the
/// storage when it came from <see cref="CpuArrayPool"/>.</summary>
public sealed class CpuStorage : Storage
{
    private readonly bool pooled;

    /// <summary>Wraps an existing array (not pooled: disposing the tensors leaves the array alone).</summary>
    public CpuStorage(Array data, DType dtype)
        : this(data, dtype, data.Length, pooled: false)
    {
    }

    private CpuStorage(Array data, DType dtype, int length, bool pooled)
        : base(dtype, length)
    {
        if (!Holds(data, dtype))
            throw new ArgumentException($"CpuStorage: array of {data.GetType().GetElementType()?.Name} cannot hold dtype {dtype}");
        if (data.Length < length) throw new ArgumentException($"CpuStorage: array of {data.Length} elements cannot hold {length}");
        Data = data;
        this.pooled = pooled;
    }

    /// <summary>Whether the array's element type stores the dtype (type tests, no reflection: this runs per op).</summary>
    private static bool Holds(Array data, DType dtype) => dtype switch
    {
        DType.Float32 => data is float[],
        DType.Float64 => data is double[],
        DType.Int32 => data is int[],
        DType.Int64 => data is long[],
        DType.Bool => data is bool[],
        _ => false,
    };

    public Array Data { get; }

    /// <summary>A storage over the first <paramref name="length"/> elements of a scratch array the caller owns.</summary>
    internal static CpuStorage Prefix(Array data, DType dtype, int length) => new(data, dtype, length, pooled: false);

    public override Device Device => Device.Cpu;

    public static CpuStorage Allocate(DType dtype, int length, bool zero = true) => dtype switch
    {
        DType.Float32 => Rent<float>(dtype, length, zero),
        DType.Float64 => Rent<double>(dtype, length, zero),
        DType.Int32 => Rent<int>(dtype, length, zero),
        DType.Int64 => Rent<long>(dtype, length, zero),
        DType.Bool => Rent<bool>(dtype, length, zero),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static CpuStorage Rent<T>(DType dtype, int length, bool zero)
        where T : unmanaged
    {
        var array = CpuArrayPool.Rent<T>(length, out var pooled);
        if (zero && pooled) array.AsSpan(0, length).Clear();
        return new CpuStorage(array, dtype, length, pooled);
    }

    protected override void Release()
    {
        if (!pooled) return;
        switch (Data)
        {
            case float[] f: CpuArrayPool.Return(f); break;
            case double[] d: CpuArrayPool.Return(d); break;
            case int[] i: CpuArrayPool.Return(i); break;
            case long[] l: CpuArrayPool.Return(l); break;
            case bool[] b: CpuArrayPool.Return(b); break;
        }
    }

    /// <summary>The storage's elements (exactly <see cref="Storage.Length"/> of them) as a span of T, the storage's CLR
    /// type.</summary>
    public Span<T> AsSpan<T>() => Array<T>().AsSpan(0, Length);

    /// <summary>The whole backing array as T[] (it may be longer than the storage when pooled); T must be the
    /// storage's CLR type (checked in debug builds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] Array<T>()
    {
        System.Diagnostics.Debug.Assert(Data is T[]);
        return Unsafe.As<T[]>(Data);
    }
}
