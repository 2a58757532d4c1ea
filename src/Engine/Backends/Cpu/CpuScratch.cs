namespace Engine.Backends.Cpu;

/// <summary>A kernel's scratch array from <see cref="CpuArrayPool"/> (possibly longer than asked), handed back by
/// <see cref="Dispose"/>. <see cref="View"/> wraps a prefix as a tensor for calls such as the GEMM; such views must
/// not outlive the scratch.</summary>
internal readonly struct CpuScratch<T> : IDisposable
    where T : unmanaged
{
    private readonly bool pooled;

    public CpuScratch(int length) => Array = CpuArrayPool.Rent<T>(length, out pooled);

    public T[] Array { get; }

    /// <summary>The first Numel(shape) elements as a contiguous tensor of that shape.</summary>
    public Tensor View(params int[] shape)
        => new(CpuStorage.Prefix(Array, DTypeExtensions.FromClrType(typeof(T)), Shape.Numel(shape)), shape);

    public void Dispose()
    {
        if (pooled) CpuArrayPool.Return<T>(Array);
    }
}
