using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace Engine.Vulkan;

/// <summary>One VkBuffer with its own memory, of one allocator size class. <see cref="Mapped"/> is its persistent
/// host mapping, or null for device-only memory.</summary>
internal sealed unsafe class DeviceBuffer(Buffer buffer, DeviceMemory memory, ulong bytes, bool staging, void* mapped)
{
    public Buffer Buffer { get; } = buffer;

    public DeviceMemory Memory { get; } = memory;

    /// <summary>The size class (at least what was asked).</summary>
    public ulong Bytes { get; } = bytes;

    public bool Staging { get; } = staging;

    public void* Mapped { get; } = mapped;
}
