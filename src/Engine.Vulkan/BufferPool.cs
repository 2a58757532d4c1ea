using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace Engine.Vulkan;

/// <summary>The caching allocator: buffers are rounded up to a size class and, when released, kept for reuse
/// instead of going back to the driver (vkAllocateMemory is slow and drivers cap the number of allocations).
/// A released buffer may still be read by recorded or in-flight commands, so it first waits in a pending list:
/// GPU-only uses (kernel outputs, ordered after earlier commands by barriers) may take it at once, while host writes
/// (uploads into mapped memory) take only buffers that no queued command can touch. <see cref="Trim"/> hands the
/// cache back to the driver.</summary>
internal sealed unsafe class BufferPool(VulkanDevice device)
{
    private const ulong MinClass = 256;
    private const ulong LinearAbove = 1 << 20;

    private readonly object gate = new();
    private readonly Dictionary<(ulong Bytes, bool Staging), Stack<DeviceBuffer>> idle = [];
    private readonly Dictionary<(ulong Bytes, bool Staging), Stack<DeviceBuffer>> pending = [];

    /// <summary>Bytes in buffers handed out and not yet returned.</summary>
    public ulong BytesInUse { get; private set; }

    /// <summary>Bytes in returned buffers kept for reuse.</summary>
    public ulong BytesCached { get; private set; }

    /// <summary>Fault injection for tests: allocations of at least this many bytes fail as if the driver were out of
    /// device memory (null: no simulation).</summary>
    internal ulong? SimulateOutOfMemoryFrom { get; set; }

    /// <summary>Buffers obtained from the driver so far (reuse keeps this flat).</summary>
    public long DriverAllocations { get; private set; }

    /// <summary>Powers of two up to 1 MiB, then whole MiB: at most 2x waste for small tensors, little for large.</summary>
    public static ulong SizeClass(ulong bytes)
    {
        if (bytes <= MinClass) return MinClass;
        if (bytes > LinearAbove) return (bytes + LinearAbove - 1) / LinearAbove * LinearAbove;
        return 1ul << (64 - System.Numerics.BitOperations.LeadingZeroCount(bytes - 1));
    }

    /// <param name="hostWrite">The caller writes the buffer from the host before any queued command runs.</param>
    public DeviceBuffer Rent(ulong bytes, bool staging, bool hostWrite)
    {
        var size = SizeClass(bytes);
        lock (gate)
        {
            if (TryPop(idle, (size, staging), out var buffer) || (!hostWrite && TryPop(pending, (size, staging), out buffer)))
            {
                BytesCached -= size;
                BytesInUse += size;
                return buffer;
            }
        }
        var created = CreateOrTrim(size, staging);
        lock (gate)
        {
            BytesInUse += size;
            DriverAllocations++;
        }
        return created;
    }

    public void Return(DeviceBuffer buffer)
    {
        lock (gate)
        {
            var key = (buffer.Bytes, buffer.Staging);
            if (!pending.TryGetValue(key, out var stack)) pending[key] = stack = new Stack<DeviceBuffer>();
            stack.Push(buffer);
            BytesInUse -= buffer.Bytes;
            BytesCached += buffer.Bytes;
        }
    }

    /// <summary>Called when no command is recorded or in flight: every pending buffer is now safe for host writes.</summary>
    public void OnQueueIdle()
    {
        lock (gate)
        {
            foreach (var (key, stack) in pending)
            {
                if (!idle.TryGetValue(key, out var target)) idle[key] = target = new Stack<DeviceBuffer>();
                while (stack.Count > 0) target.Push(stack.Pop());
            }
        }
    }

    /// <summary>Frees every cached buffer (waits for queued work first, which may still use pending ones).</summary>
    public void Trim()
    {
        device.Stream.Synchronize("trimming the buffer cache");
        lock (gate)
        {
            foreach (var stack in idle.Values)
                while (stack.Count > 0)
                {
                    var b = stack.Pop();
                    BytesCached -= b.Bytes;
                    Destroy(b);
                }
        }
    }

    private static bool TryPop(Dictionary<(ulong, bool), Stack<DeviceBuffer>> lists, (ulong, bool) key, out DeviceBuffer buffer)
    {
        if (lists.TryGetValue(key, out var stack) && stack.Count > 0)
        {
            buffer = stack.Pop();
            return true;
        }
        buffer = null!;
        return false;
    }

    /// <summary>A new buffer; when the driver is out of memory, the cache is trimmed and the allocation retried once.</summary>
    private DeviceBuffer CreateOrTrim(ulong size, bool staging)
    {
        var memoryType = staging ? device.StagingMemoryType : device.DeviceMemoryType;
        var heap = device.HeapSize(memoryType);
        if (size <= heap)
        {
            if (TryCreate(size, staging, memoryType) is { } first) return first;
            Trim();
            if (TryCreate(size, staging, memoryType) is { } second) return second;
        }
        ulong inUse, cached;
        lock (gate) (inUse, cached) = (BytesInUse, BytesCached);
        var free = heap > inUse + cached ? heap - inUse - cached : 0;
        throw new VulkanOutOfMemoryException(
            $"Vulkan device vulkan:{device.Info.Index} ({device.Info.Name}): out of device memory allocating {size} bytes; the heap has {heap} bytes, of which this engine holds {inUse} in live tensors and {cached} cached, so at most {free} are free (other processes and the driver use some too)");
    }

    private DeviceBuffer? TryCreate(ulong size, bool staging, int memoryType)
    {
        if (size >= SimulateOutOfMemoryFrom) return null;
        var vk = device.Vk;
        var usage = BufferUsageFlags.StorageBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit;
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = size, Usage = usage, SharingMode = SharingMode.Exclusive };
        Buffer buffer;
        var result = vk.CreateBuffer(device.Handle, &info, null, &buffer);
        if (result is Result.ErrorOutOfDeviceMemory or Result.ErrorOutOfHostMemory) return null;
        VulkanErrors.Check(result, "vkCreateBuffer");
        vk.GetBufferMemoryRequirements(device.Handle, buffer, out var requirements);
        var allocate = new MemoryAllocateInfo
        {
            SType = StructureType.MemoryAllocateInfo,
            AllocationSize = requirements.Size,
            MemoryTypeIndex = (uint)memoryType,
        };
        DeviceMemory memory;
        result = vk.AllocateMemory(device.Handle, &allocate, null, &memory);
        if (result is Result.ErrorOutOfDeviceMemory or Result.ErrorOutOfHostMemory)
        {
            vk.DestroyBuffer(device.Handle, buffer, null);
            return null;
        }
        VulkanErrors.Check(result, "vkAllocateMemory");
        VulkanErrors.Check(vk.BindBufferMemory(device.Handle, buffer, memory, 0), "vkBindBufferMemory");
        void* mapped = null;
        if (staging || device.HostVisibleDeviceMemory)
            VulkanErrors.Check(vk.MapMemory(device.Handle, memory, 0, Vk.WholeSize, 0, &mapped), "vkMapMemory");
        return new DeviceBuffer(buffer, memory, size, staging, mapped);
    }

    private void Destroy(DeviceBuffer b)
    {
        device.Vk.DestroyBuffer(device.Handle, b.Buffer, null);
        device.Vk.FreeMemory(device.Handle, b.Memory, null);
    }
}
