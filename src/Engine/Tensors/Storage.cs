namespace Engine;

/// <summary>A flat buffer of elements of one dtype on one device. Tensors are views (shape, strides, offset) over
/// a storage; several tensors may share one. The storage counts the live (undisposed) tensors that view it: when the
/// last one is disposed, its memory goes back to the device's pool. Tensors that are never disposed simply leave
/// the storage to the garbage collector.</summary>
public abstract class Storage
{
    private int references;
    private int released;

    protected Storage(DType dtype, int length)
    {
        DType = dtype;
        Length = length;
    }

    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    public abstract Device Device { get; }

    /// <summary>True once every tensor viewing this storage was disposed and its memory was handed back.</summary>
    public bool IsReleased => Volatile.Read(ref released) != 0;

    /// <summary>Undisposed tensors viewing this storage.</summary>
    internal int References => Volatile.Read(ref references);

    internal void AddReference() => Interlocked.Increment(ref references);

    internal void RemoveReference()
    {
        if (Interlocked.Decrement(ref references) == 0 && Interlocked.Exchange(ref released, 1) == 0) Release();
    }

    /// <summary>Returns the memory to the device's pool; called once, when the last viewing tensor is disposed.</summary>
    protected abstract void Release();
}
