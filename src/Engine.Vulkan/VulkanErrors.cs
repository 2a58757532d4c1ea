using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>No usable Vulkan (no loader, no driver, no device at the requested index): callers fall back to the CPU
/// or report the one-sentence message to the user.</summary>
public sealed class VulkanUnavailableException(string message, Exception? inner = null) : NotSupportedException(message, inner);

/// <summary>A device allocation that the Vulkan driver refused even after the allocator's cache was trimmed.</summary>
public sealed class VulkanOutOfMemoryException(string message) : OutOfMemoryException(message);

/// <summary>The device was lost (VK_ERROR_DEVICE_LOST) or hung (a fence wait timed out): the message names the device
/// and what was waiting. Every later operation on that device throws this again, with the same reason.</summary>
public sealed class VulkanDeviceLostException(string message) : InvalidOperationException(message);

internal static class VulkanErrors
{
    /// <summary>Throws when a Vulkan call failed, naming the call; device loss gets its own wording because nothing
    /// queued on the device survives it.</summary>
    public static void Check(Result result, string call)
    {
        if (result == Result.Success) return;
        if (result == Result.ErrorDeviceLost)
            throw new VulkanDeviceLostException($"Vulkan: the device was lost during {call}; queued work is gone, restart the process");
        throw new InvalidOperationException($"Vulkan: {call} failed with {result}");
    }
}
