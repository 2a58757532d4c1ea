namespace Engine;

/// <summary>A flat buffer of elements of one dtype on one device. Tensors are views (shape, strides, offset) over
/// a storage; several tensors may share one.</summary>
public abstract class Storage
{
    protected Storage(DType dtype, int length)
    {
        DType = dtype;
        Length = length;
    }

    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    public abstract Device Device { get; }
}
