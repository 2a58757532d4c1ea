using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>The primitives without a Vulkan kernel yet: each throws, naming the op and the device, so a model that
/// needs one fails at once instead of computing something wrong. Issue 8 fills these in.</summary>
public sealed partial class VulkanBackend
{
    public void LinearRecurrence(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse) => throw device.Unsupported("LinearRecurrence");
}
