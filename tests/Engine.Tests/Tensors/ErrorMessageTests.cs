using Engine.Backends;
using Engine.Backends.Cpu;

namespace Engine.Tests.Tensors;

/// <summary>Issue 2, item 6: shape, dtype, device and dimension errors throw ArgumentException (or a subclass) whose
/// message names the op, what it got and what it expected.</summary>
[TestClass]
public sealed class ErrorMessageTests
{
    private static void Throws(Action action, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(action);
        foreach (var f in fragments) StringAssert.Contains(ex.Message, f);
    }

    [TestMethod]
    public void ShapeErrorsNameBothShapes()
    {
        Throws(() => Tensor.Zeros(3, 4).Matmul(Tensor.Zeros(5, 6)), "Matmul: shapes (3,4) and (5,6) are incompatible: 4 != 5");
        Throws(() => _ = Tensor.Zeros(3, 4) + Tensor.Zeros(5, 6), "Add", "(3,4)", "(5,6)");
        Throws(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)], 0), "Cat", "(2,3)", "(2,4)");
        Throws(() => Tensor.Zeros(2, 3).Reshape(4, 2), "Reshape", "(4,2)", "6");
        Throws(() => Tensor.Stack([Tensor.Zeros(2), Tensor.Zeros(3)]), "Stack", "(2)", "(3)");
        Throws(() => Tensor.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)), "Linear", "(2,3)", "(4,5)");
    }

    [TestMethod]
    public void DTypeErrorsNameTheDTypes()
    {
        Throws(() => Tensor.Zeros([2, 2], DType.Int32).Matmul(Tensor.Zeros([2, 2], DType.Int32)), "Matmul", "Int32");
        Throws(() => Tensor.Zeros(2, 2).Matmul(Tensor.Zeros([2, 2], DType.Float64)), "Matmul", "Float32", "Float64");
        Throws(() => Tensor.Where(Tensor.Zeros(2), Tensor.Zeros(2), Tensor.Zeros(2)), "Where", "Bool", "Float32");
        Throws(() => Tensor.Zeros([2], DType.Int64).Mean(), "Mean", "Int64");
        Throws(() => Tensor.Zeros([2], DType.Int64).RequiresGrad_(), "RequiresGrad", "Int64");
        Throws(() => Tensor.Zeros(3).Gather(0, Tensor.Zeros([1], DType.Float32)), "Gather", "Float32");
    }

    [TestMethod]
    public void DimensionErrorsNameTheRank()
    {
        Throws(() => Tensor.Zeros(2, 3).Sum(5), "Sum", "5", "rank 2");
        Throws(() => Tensor.Zeros(2, 3).Transpose(0, -3), "Transpose", "-3", "rank 2");
        Throws(() => Tensor.Zeros(2, 3).Softmax(2), "Softmax", "rank 2");
        Throws(() => Tensor.Zeros(2, 3).Permute(0), "Permute", "rank 2");
        Throws(() => Tensor.Zeros(2, 3).Sum([1, 1]), "Sum", "more than once");
        Throws(() => Tensor.Zeros(2, 3).Select(1, 3), "Select", "3", "(2,3)");
        Throws(() => Tensor.Zeros(2, 3).Narrow(1, 2, 2), "Narrow", "(2,3)");
    }

    [TestMethod]
    public void MixingDevicesIsAnError()
    {
        // A stand-in device: it can hold tensors, which is all the device check needs.
        using var standIn = BackendRegistry.Override(DeviceType.Vulkan, i => new HostMemoryBackend(Device.Vulkan(i)));
        var cpu = Tensor.Ones(2);
        var other = Tensor.Ones([2], DType.Float32, Device.Vulkan(0));
        Assert.AreEqual(Device.Vulkan(0), other.Device);
        Throws(() => _ = cpu + other, "Add", "cpu", "vulkan:0");
        Throws(() => cpu.Matmul(other), "Matmul", "cpu", "vulkan:0");
        Throws(() => Tensor.Cat([cpu, other]), "Cat", "different devices");
        CollectionAssert.AreEqual(new[] { 1f, 1f }, other.ToArray<float>());
        Assert.AreEqual(Device.Cpu, other.To(Device.Cpu).Device);
    }

    [TestMethod]
    public void IndexErrorsAreNotIndexOutOfRange()
    {
        var idx = Tensor.FromArray(new long[] { 0, 5 });
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).IndexSelect(0, idx));
        StringAssert.Contains(ex.Message, "index 5");
        StringAssert.Contains(ex.Message, "size 3");
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).Gather(0, Tensor.FromArray(new long[] { -1 })));
    }

    /// <summary>A backend that keeps tensors in host arrays and runs no kernels beyond fill and copy.</summary>
    private sealed class HostMemoryBackend(Device device) : IBackend
    {
        public Device Device => device;

        public Storage Allocate(DType dtype, int length, bool zero = true) => new HostStorage(CpuStorage.Allocate(dtype, length), device);

        public Storage FromHost(Array data, DType dtype) => new HostStorage(new CpuStorage(data, dtype), device);

        public void ToHost(Tensor src, Array dst) => CpuBackend.Instance.ToHost(OnCpu(src), dst);

        public void Fill(Tensor dst, double value) => CpuBackend.Instance.Fill(OnCpu(dst), value);

        public void Copy(Tensor src, Tensor dst) => CpuBackend.Instance.Copy(OnCpu(src), OnCpu(dst));

        private static Tensor OnCpu(Tensor t) =>
            new(((HostStorage)t.Storage).Inner, t.Shape.ToArray(), t.Strides.ToArray(), t.Offset);

        public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta) => throw new NotSupportedException();
        public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double alpha, double beta) => throw new NotSupportedException();
        public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => throw new NotSupportedException();
        public void Ternary(TernaryOp op, Tensor a, Tensor b, Tensor c, Tensor y, double alpha) => throw new NotSupportedException();
        public void Where(Tensor cond, Tensor a, Tensor b, Tensor y) => throw new NotSupportedException();
        public void Reduce(ReduceOp op, Tensor x, int[] dims, Tensor y) => throw new NotSupportedException();
        public void ArgReduce(bool max, Tensor x, int dim, Tensor indices, Tensor? values) => throw new NotSupportedException();
        public void Softmax(Tensor x, int dim, Tensor y, bool log) => throw new NotSupportedException();
        public void SoftmaxBackward(Tensor y, Tensor gy, int dim, Tensor gx, bool log) => throw new NotSupportedException();
        public void Matmul(Tensor a, Tensor b, Tensor c, bool accumulate) => throw new NotSupportedException();
        public void Gemm(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate) => throw new NotSupportedException();
        public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p) => throw new NotSupportedException();
        public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p) => throw new NotSupportedException();
        public void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p) => throw new NotSupportedException();
        public void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p) => throw new NotSupportedException();
        public void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx) => throw new NotSupportedException();
        public void AvgPool2d(Tensor x, Tensor y, Pool2dParams p) => throw new NotSupportedException();
        public void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p) => throw new NotSupportedException();
        public void AdaptiveAvgPool2d(Tensor x, Tensor y) => throw new NotSupportedException();
        public void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx) => throw new NotSupportedException();
        public void Gather(Tensor x, int dim, Tensor index, Tensor y) => throw new NotSupportedException();
        public void Scatter(Tensor y, int dim, Tensor index, Tensor src, bool accumulate) => throw new NotSupportedException();
        public void IndexSelect(Tensor x, int dim, Tensor index, Tensor y) => throw new NotSupportedException();
        public void IndexAdd(Tensor y, int dim, Tensor index, Tensor src) => throw new NotSupportedException();
        public void Cumsum(Tensor x, int dim, Tensor y, bool reverse) => throw new NotSupportedException();
        public void LinearRecurrence(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse) => throw new NotSupportedException();
        public void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta) => throw new NotSupportedException();
        public void Arange(Tensor y, double start, double step) => throw new NotSupportedException();
        public void BiasActivation(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta) => throw new NotSupportedException();
        public void AdamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, AdamStep step) => throw new NotSupportedException();
        public void Synchronize()
        {
        }
    }

    private sealed class HostStorage(CpuStorage inner, Device device) : Storage(inner.DType, inner.Length)
    {
        public CpuStorage Inner => inner;

        public override Device Device => device;

        protected override void Release()
        {
        }
    }
}
