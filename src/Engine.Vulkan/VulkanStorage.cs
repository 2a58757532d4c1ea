namespace Engine.Vulkan;

/// <summary>A tensor storage in one pooled device buffer. Bool elements take a 32-bit word on the device (shaders
/// cannot write single bytes without 8-bit storage support); the host sees bool[] as usual. The buffer goes back to
/// the device's pool when the last tensor viewing it is disposed, or, as a safety net, when the storage is
/// finalized.</summary>
public sealed class VulkanStorage : Storage
{
    private readonly VulkanDevice device;
    private int returned;

    internal VulkanStorage(VulkanDevice device, DType dtype, int length, DeviceBuffer buffer)
        : base(dtype, length)
    {
        this.device = device;
        Buffer = buffer;
    }

    ~VulkanStorage() => Return();

    internal DeviceBuffer Buffer { get; }

    /// <summary>The command batch (its submission number) that last writes this storage; the host may read it
    /// without waiting once that batch has completed.</summary>
    internal long LastWriteBatch { get; set; }

    public override Device Device => Device.Vulkan(device.Info.Index);

    /// <summary>Bytes per element on the device.</summary>
    internal static int ElementBytes(DType dtype) => dtype is DType.Float64 or DType.Int64 ? 8 : 4;

    protected override void Release()
    {
        Return();
        GC.SuppressFinalize(this);
    }

    private void Return()
    {
        if (Interlocked.Exchange(ref returned, 1) == 0) device.Pool.Return(Buffer);
    }
}
