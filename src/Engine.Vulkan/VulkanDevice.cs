using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>A logical device with one compute queue, the memory types the allocator uses, and the device's caching
/// allocator, command stream and pipelines. One per physical device per process (the backend owns it).</summary>
internal sealed unsafe class VulkanDevice
{
    /// <summary>Opens device <paramref name="index"/>. With ENGINE_VULKAN_STAGING=1, uploads and downloads go through
    /// staging buffers even where one memory type is both device-local and host-visible (so the staging path can be
    /// tested on lavapipe and integrated GPUs).</summary>
    public VulkanDevice(int index)
    {
        var forceStaging = Environment.GetEnvironmentVariable("ENGINE_VULKAN_STAGING") == "1";
        var instance = VulkanInstance.Get();
        if (index < 0 || index >= instance.Devices.Count)
            throw new VulkanUnavailableException(
                $"Vulkan: no device vulkan:{index}; this machine has {instance.Devices.Count} ({string.Join(", ", instance.Devices.Select(d => $"vulkan:{d.Info.Index} {d.Info.Name}"))})");
        Vk = instance.Vk;
        (Physical, Info) = instance.Devices[index];
        QueueFamily = FindComputeQueueFamily();
        Handle = CreateDevice();
        Vk.GetDeviceQueue(Handle, QueueFamily, 0, out var queue);
        Queue = queue;
        Vk.GetPhysicalDeviceMemoryProperties(Physical, out var memory);
        Memory = memory;
        var direct = FindMemoryType(MemoryPropertyFlags.DeviceLocalBit | MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit);
        HostVisibleDeviceMemory = direct >= 0 && !forceStaging;
        DeviceMemoryType = HostVisibleDeviceMemory ? direct : FindMemoryType(MemoryPropertyFlags.DeviceLocalBit);
        StagingMemoryType = FindMemoryType(MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit);
        if (DeviceMemoryType < 0 || StagingMemoryType < 0)
            throw new VulkanUnavailableException($"Vulkan device {Info.Name}: no device-local or host-visible coherent memory type");
        Pool = new BufferPool(this);
        Pipelines = new PipelineCache(this);
        Stream = new CommandStream(this);
        IndexErrors = new IndexErrorBuffer(this);
    }

    public Vk Vk { get; }

    public PhysicalDevice Physical { get; }

    public VulkanDeviceInfo Info { get; private set; }

    /// <summary>Test support: makes the kernels believe the device lacks shaderFloat64 / shaderInt64 (what they
    /// check before choosing a module) until the handle is disposed, to see that an op needing a missing feature
    /// names it. The device itself keeps its features.</summary>
    internal IDisposable OverrideCapabilities(bool float64, bool int64)
    {
        var real = Info;
        Info = real with { Float64 = real.Float64 && float64, Int64 = real.Int64 && int64 };
        return new Restore(() => Info = real);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    public Silk.NET.Vulkan.Device Handle { get; }

    public uint QueueFamily { get; }

    public Queue Queue { get; }

    public PhysicalDeviceMemoryProperties Memory { get; }

    /// <summary>True when device buffers are mapped and written/read by the host directly (lavapipe, integrated
    /// GPUs, resizable BAR); false means uploads and downloads go through staging buffers.</summary>
    public bool HostVisibleDeviceMemory { get; }

    public int DeviceMemoryType { get; }

    public int StagingMemoryType { get; }

    public BufferPool Pool { get; }

    public PipelineCache Pipelines { get; }

    public CommandStream Stream { get; }

    /// <summary>Where gather/scatter kernels record the first out-of-range index; checked after every host wait.</summary>
    public IndexErrorBuffer IndexErrors { get; }

    private uint FindComputeQueueFamily()
    {
        uint count = 0;
        Vk.GetPhysicalDeviceQueueFamilyProperties(Physical, &count, null);
        var families = new QueueFamilyProperties[count];
        fixed (QueueFamilyProperties* p = families) Vk.GetPhysicalDeviceQueueFamilyProperties(Physical, &count, p);
        for (uint i = 0; i < count; i++)
            if (families[i].QueueFlags.HasFlag(QueueFlags.ComputeBit)) return i;
        throw new VulkanUnavailableException($"Vulkan device {Info.Name}: no queue family supports compute");
    }

    private Silk.NET.Vulkan.Device CreateDevice()
    {
        var priority = 1f;
        var queueInfo = new DeviceQueueCreateInfo
        {
            SType = StructureType.DeviceQueueCreateInfo,
            QueueFamilyIndex = QueueFamily,
            QueueCount = 1,
            PQueuePriorities = &priority,
        };
        var features = new PhysicalDeviceFeatures { ShaderFloat64 = Info.Float64, ShaderInt64 = Info.Int64 };
        var info = new DeviceCreateInfo
        {
            SType = StructureType.DeviceCreateInfo,
            QueueCreateInfoCount = 1,
            PQueueCreateInfos = &queueInfo,
            PEnabledFeatures = &features,
        };
        VulkanErrors.Check(Vk.CreateDevice(Physical, &info, null, out var device), "vkCreateDevice");
        return device;
    }

    private int FindMemoryType(MemoryPropertyFlags flags)
    {
        for (var i = 0; i < Memory.MemoryTypeCount; i++)
            if ((Memory.MemoryTypes[i].PropertyFlags & flags) == flags) return i;
        return -1;
    }

    /// <summary>Size of the heap that backs a memory type (for out-of-memory messages).</summary>
    public ulong HeapSize(int memoryType) => Memory.MemoryHeaps[(int)Memory.MemoryTypes[memoryType].HeapIndex].Size;

    /// <summary>Refuses a dispatch whose invocations would each loop more than the driver runs (see
    /// <see cref="VulkanDeviceInfo.LoopIterationLimit"/>) instead of returning a truncated result.</summary>
    public void CheckLoopIterations(string op, long iterations)
    {
        if (iterations > Info.LoopIterationLimit)
            throw Unsupported(op, $"each shader invocation would loop {iterations} times and the {Info.Driver} driver stops loops after {Info.LoopIterationLimit} iterations");
    }

    /// <summary>Throws, naming the op and this device, for a primitive this backend does not implement yet: never a
    /// silent wrong answer.</summary>
    public NotSupportedException Unsupported(string op, string? why = null)
        => new($"{op} is not implemented on the Vulkan backend (device vulkan:{Info.Index}, {Info.Name}){(why is null ? "" : ": " + why)}");
}
