namespace Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p) => throw new NotSupportedException("PENDING");
    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p) => throw new NotSupportedException("PENDING");
    public void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p) => throw new NotSupportedException("PENDING");
    public void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p) => throw new NotSupportedException("PENDING");
    public void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx) => throw new NotSupportedException("PENDING");
    public void AvgPool2d(Tensor x, Tensor y, Pool2dParams p) => throw new NotSupportedException("PENDING");
    public void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p) => throw new NotSupportedException("PENDING");
    public void AdaptiveAvgPool2d(Tensor x, Tensor y) => throw new NotSupportedException("PENDING");
    public void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx) => throw new NotSupportedException("PENDING");
}
