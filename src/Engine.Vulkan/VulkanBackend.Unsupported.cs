using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>The primitives without a Vulkan kernel yet: each throws, naming the op and the device, so a model that
/// needs one fails at once instead of computing something wrong. Issue 8 fills these in.</summary>
public sealed partial class VulkanBackend
{
    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p) => throw device.Unsupported("Conv2d");

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p) => throw device.Unsupported("Conv2dBackwardInput");

    public void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p) => throw device.Unsupported("Conv2dBackwardWeight");

    public void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p) => throw device.Unsupported("MaxPool2d");

    public void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx) => throw device.Unsupported("MaxPool2dBackward");

    public void AvgPool2d(Tensor x, Tensor y, Pool2dParams p) => throw device.Unsupported("AvgPool2d");

    public void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p) => throw device.Unsupported("AvgPool2dBackward");

    public void AdaptiveAvgPool2d(Tensor x, Tensor y) => throw device.Unsupported("AdaptiveAvgPool2d");

    public void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx) => throw device.Unsupported("AdaptiveAvgPool2dBackward");
}
