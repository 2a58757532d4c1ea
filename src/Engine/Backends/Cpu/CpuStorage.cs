using System.Runtime.CompilerServices;

namespace Engine.Backends.Cpu;

/// <summary>CPU storage: a managed array (float[], double[], int[], long[] or bool[]).</summary>
public sealed class CpuStorage : Storage
{
    public CpuStorage(Array data, DType dtype)
        : base(dtype, data.Length)
    {
        if (data.GetType().GetElementType() != dtype.ClrType())
            throw new ArgumentException($"CpuStorage: array of {data.GetType().GetElementType()?.Name} cannot hold dtype {dtype}");
        Data = data;
    }

    public Array Data { get; }

    public override Device Device => Device.Cpu;

    public static CpuStorage Allocate(DType dtype, int length, bool zero = true) => dtype switch
    {
        DType.Float32 => new CpuStorage(NewArray<float>(length, zero), dtype),
        DType.Float64 => new CpuStorage(NewArray<double>(length, zero), dtype),
        DType.Int32 => new CpuStorage(NewArray<int>(length, zero), dtype),
        DType.Int64 => new CpuStorage(NewArray<long>(length, zero), dtype),
        DType.Bool => new CpuStorage(NewArray<bool>(length, zero), dtype),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static T[] NewArray<T>(int length, bool zero)
        => zero || length < 1024 ? new T[length] : GC.AllocateUninitializedArray<T>(length);

    /// <summary>The array reinterpreted as T[]; T must be the storage's CLR type (checked in debug builds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] Array<T>()
    {
        System.Diagnostics.Debug.Assert(Data is T[]);
        return Unsafe.As<T[]>(Data);
    }
}
