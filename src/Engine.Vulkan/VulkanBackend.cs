using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>The Vulkan backend: storage in pooled device buffers, kernels recorded into batched command buffers
/// (<see cref="CommandStream"/>), SPIR-V embedded in this assembly. Every primitive has a kernel; what one cannot do (a dtype
/// it does not take, a missing device feature, llvmpipe's loop limit) throws <see cref="NotSupportedException"/>
/// naming the op, the device and the reason. The kernel families live in the partial files
/// beside this one.</summary>
public sealed partial class VulkanBackend : IBackend
{
    private readonly VulkanDevice device;

    internal VulkanBackend(int index)
    {
        device = new VulkanDevice(index);
        Device = Device.Vulkan(index);
    }

    public Device Device { get; }

    /// <summary>The physical device this backend runs on.</summary>
    public VulkanDeviceInfo Info => device.Info;

    /// <summary>Times the host blocked waiting for this device (result reads, Synchronize, a full in-flight queue).</summary>
    public long HostWaits => device.Stream.HostWaits;

    /// <summary>Whether uploads and downloads go through staging buffers (false where device memory is host-visible).</summary>
    public bool UsesStagingBuffers => !device.HostVisibleDeviceMemory;

    internal VulkanDevice VulkanDevice => device;

    /// <summary>Makes <c>Device.Vulkan(i)</c> resolve to this backend. Runs when the assembly loads; callers that
    /// only reference the assembly (the CLI) call it to load it.</summary>
    public static void Register() => BackendRegistry.Register(DeviceType.Vulkan, index => new VulkanBackend(index));

    // A library module initializer is what the design asks for here: Engine cannot reference this assembly, so the
    // backend must register itself as soon as anything loads it.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterOnLoad() => Register();

    /// <summary>The Vulkan devices on this machine in the engine's order, or the one-sentence reason there are none.</summary>
    public static (IReadOnlyList<VulkanDeviceInfo> Devices, string? Unavailable) Enumerate()
    {
        try
        {
            return (VulkanInstance.Get().Devices.Select(d => d.Info).ToList(), null);
        }
        catch (VulkanUnavailableException e)
        {
            return ([], e.Message);
        }
    }

    /// <summary>Validation-layer errors collected so far (only with ENGINE_VULKAN_VALIDATION=1).</summary>
    public static IReadOnlyList<string> ValidationErrors => VulkanInstance.ValidationErrors;

    public void Synchronize() => device.Stream.Synchronize();

    /// <summary>Frees the allocator's cached buffers.</summary>
    public void TrimMemory() => device.Pool.Trim();

    // ---- storage -----------------------------------------------------------------------------------------------

    public Storage Allocate(DType dtype, int length, bool zero = true)
    {
        var storage = NewStorage(dtype, length, hostWrite: false);
        if (zero) device.Stream.Zero(storage);
        return storage;
    }

    private VulkanStorage NewStorage(DType dtype, int length, bool hostWrite)
    {
        device.Stream.ThrowIfLost($"allocating a {dtype} tensor");
        var bytes = (ulong)Math.Max(length, 1) * (ulong)VulkanStorage.ElementBytes(dtype);
        if (bytes > device.Info.MaxStorageBufferRange)
            throw new NotSupportedException(
                $"Vulkan device vulkan:{device.Info.Index} ({device.Info.Name}): a {dtype} tensor of {length} elements ({bytes} bytes) exceeds the device's largest storage buffer ({device.Info.MaxStorageBufferRange} bytes)");
        return new VulkanStorage(device, dtype, length, device.Pool.Rent(bytes, staging: false, hostWrite));
    }

    public unsafe Storage FromHost(Array data, DType dtype)
    {
        var bytes = HostBytes(data, dtype);
        var storage = NewStorage(dtype, data.Length, hostWrite: device.HostVisibleDeviceMemory);
        if (bytes.Length == 0) return storage;
        if (device.HostVisibleDeviceMemory)
        {
            bytes.CopyTo(new Span<byte>(storage.Buffer.Mapped, bytes.Length));
            return storage;
        }
        var staging = device.Pool.Rent((ulong)bytes.Length, staging: true, hostWrite: true);
        bytes.CopyTo(new Span<byte>(staging.Mapped, bytes.Length));
        device.Stream.CopyBuffer(staging, 0, storage.Buffer, 0, (ulong)bytes.Length, storage, upload: true, returnAfter: staging);
        return storage;
    }

    /// <summary>The device representation of a host array: its bytes, with Bool widened to one word per element.</summary>
    private static ReadOnlySpan<byte> HostBytes(Array data, DType dtype)
    {
        switch (data)
        {
            case float[] f when dtype == DType.Float32: return MemoryMarshal.AsBytes(f.AsSpan());
            case double[] d when dtype == DType.Float64: return MemoryMarshal.AsBytes(d.AsSpan());
            case int[] i when dtype == DType.Int32: return MemoryMarshal.AsBytes(i.AsSpan());
            case long[] l when dtype == DType.Int64: return MemoryMarshal.AsBytes(l.AsSpan());
            case bool[] b when dtype == DType.Bool:
                var words = new uint[b.Length];
                for (var k = 0; k < b.Length; k++) words[k] = b[k] ? 1u : 0u;
                return MemoryMarshal.AsBytes(words.AsSpan());
            default:
                throw new ArgumentException($"FromHost: an array of {data.GetType().GetElementType()?.Name} cannot hold dtype {dtype}");
        }
    }

    /// <summary>A dense copy of a strided input (null when it is contiguous already): the copy is ordered before the
    /// kernel that reads it, and its buffer returns to the pool once both have run.</summary>
    private Tensor? DenseCopy(Tensor t)
    {
        if (t.IsContiguous) return null;
        var dense = Tensor.Zeros(t.Shape.ToArray(), t.DType, Device);
        Copy(t, dense);
        return dense;
    }

    /// <summary>A dense tensor for a kernel to write when the output is not contiguous (null when it is); the caller
    /// copies it into the output.</summary>
    private Tensor? DenseTemporary(Tensor t) => t.IsContiguous ? null : Tensor.Zeros(t.Shape.ToArray(), t.DType, Device);

    public unsafe void ToHost(Tensor src, Array dst)
    {
        if (src.Numel == 0) return;
        if (DenseCopy(src) is { } dense)
        {
            using (dense) ToHost(dense, dst);
            return;
        }
        var storage = Own(src, "ToHost");
        device.Stream.ThrowIfLost("reading a tensor");
        var elementBytes = VulkanStorage.ElementBytes(src.DType);
        var bytes = src.Numel * elementBytes;
        var offset = (ulong)src.Offset * (ulong)elementBytes;
        DeviceBuffer? staging = null;
        // The staging buffer goes back to the pool even when the wait throws (an index error the device recorded).
        try
        {
            byte* source;
            if (device.HostVisibleDeviceMemory)
            {
                // Only pending writes to this storage make the host wait: inputs that queued kernels merely read
                // (labels, weights) are read at once.
                if (device.Stream.HasPendingWrites(storage)) device.Stream.Synchronize("a host read of a tensor");
                source = (byte*)storage.Buffer.Mapped + offset;
            }
            else
            {
                staging = device.Pool.Rent((ulong)bytes, staging: true, hostWrite: false);
                device.Stream.CopyBuffer(storage.Buffer, offset, staging, 0, (ulong)bytes, storage, upload: false, returnAfter: null);
                device.Stream.Synchronize("a host read of a tensor");
                source = (byte*)staging.Mapped;
            }
            var from = new ReadOnlySpan<byte>(source, bytes);
            switch (dst)
            {
                case bool[] b:
                    var words = MemoryMarshal.Cast<byte, uint>(from);
                    for (var k = 0; k < b.Length; k++) b[k] = words[k] != 0;
                    break;
                case float[] f: from.CopyTo(MemoryMarshal.AsBytes(f.AsSpan())); break;
                case double[] d: from.CopyTo(MemoryMarshal.AsBytes(d.AsSpan())); break;
                case int[] i: from.CopyTo(MemoryMarshal.AsBytes(i.AsSpan())); break;
                case long[] l: from.CopyTo(MemoryMarshal.AsBytes(l.AsSpan())); break;
                default: throw new ArgumentException($"ToHost: cannot copy a {src.DType} tensor into {dst.GetType().Name}");
            }
        }
        finally
        {
            if (staging is not null) device.Pool.Return(staging);
        }
    }

    /// <summary>The tensor's storage, which must live on this device: an op handed a tensor of another device fails
    /// here with both devices named instead of reading the wrong memory.</summary>
    private VulkanStorage Own(Tensor t, string op)
    {
        if (t.Storage is VulkanStorage s && t.Device == Device) return s;
        throw new ArgumentException($"{op}: a tensor on {t.Device} was passed to the Vulkan backend of {Device}; move it with To(device)");
    }
}
