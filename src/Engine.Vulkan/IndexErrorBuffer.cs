namespace Engine.Vulkan;

/// <summary>An index outside its dim met by a gather or scatter kernel on the device. Kernels run asynchronously, so
/// it is raised at the host's next wait for the device (a read of a result, <c>Synchronize()</c>), not by the call
/// that recorded the kernel; the op's output holds zeros (Gather, IndexSelect) or lacks the write (Scatter,
/// ScatterAdd, IndexAdd) where the index was bad, and later results that used it are unreliable.</summary>
public sealed class VulkanIndexOutOfRangeException(string message) : ArgumentOutOfRangeException("index", message);

/// <summary>The device's small error buffer (binding 3 of shaders/gather.comp and scatter.comp; layout in
/// shaders/include/index_errors.glsl): host-visible, so the host reads and clears it after a wait without a copy.
/// Only the first bad index is kept until the host has read it.</summary>
internal sealed unsafe class IndexErrorBuffer
{
    /// <summary>The op codes the kernels record (the push-constant field opCode).</summary>
    public enum Op : uint
    {
        Gather,
        IndexSelect,
        Scatter,
        ScatterAdd,
        IndexAdd,
    }

    private const int Words = 6;
    private readonly VulkanDevice device;

    public IndexErrorBuffer(VulkanDevice device)
    {
        this.device = device;
        // Staging memory is host-visible and coherent on every device; kernels may bind it as a storage buffer.
        Storage = new VulkanStorage(device, DType.Int32, Words, device.Pool.Rent(Words * sizeof(uint), staging: true, hostWrite: true));
        Clear();
    }

    /// <summary>Bound by the kernels; lives as long as the device.</summary>
    public VulkanStorage Storage { get; }

    private Span<uint> WordsView => new(Storage.Buffer.Mapped, Words);

    /// <summary>Called with the queue idle: throws, naming the op, the index and the dim's size, if a kernel recorded
    /// a bad index, and clears the record.</summary>
    public void ThrowIfRecorded()
    {
        var w = WordsView;
        if (w[0] == 0) return;
        var index = (long)((ulong)w[2] << 32 | w[1]);
        var op = (Op)w[3];
        var (dim, size) = (w[4], w[5]);
        Clear();
        throw new VulkanIndexOutOfRangeException(
            $"{op} on vulkan:{device.Info.Index}: index {index} is out of bounds for dim {dim} of size {size}; expected 0 <= index < {size}. " +
            "Reported by the device at the host's next wait after the kernel ran (Vulkan kernels run asynchronously); " +
            (op is Op.Gather or Op.IndexSelect ? "the op's output holds zeros there" : "the op skipped that write"));
    }

    private void Clear() => WordsView.Clear();
}
