using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Indexing primitives on Vulkan against the CPU.</summary>
[TestClass]
public sealed class IndexParityTests
{
    [TestMethod]
    public void GatherMatchesCpuForEveryDTypeAndDim()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.Bool })
        for (var dim = 0; dim < 3; dim++)
        {
            var x = Parity.Random([7, 5, 33], dtype, dim + 1, -100, 100);
            // An index smaller than x in the other dims (as PyTorch allows), values in [0, size along dim).
            int[] indexShape = [5, 4, 20];
            indexShape[dim] = 9;
            var index = Parity.Random(indexShape, DType.Int32, dim + 7, 0, x.Shape[dim]).To(DType.Int64);
            var yc = Tensor.Zeros(indexShape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(indexShape, dtype, device);
            VulkanTestDevice.Cpu.Gather(x, dim, index, yc);
            // A transposed view of x on the device, so x's strides are not its shape's.
            backend.Gather(x.Transpose(0, 2).Contiguous().To(device).Transpose(0, 2), dim, index.To(device), yg);
            Parity.AssertClose(yc, yg, $"Gather {dtype} dim {dim}", 0, 0);
        }
    }

    [TestMethod]
    public void ScatterAndScatterAddMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        for (var dim = 0; dim < 3; dim++)
        {
            int[] shape = [4, 3, 20];
            int[] indexShape = [4, 3, 20];
            indexShape[dim] = 7;
            var src = Parity.Random(indexShape, DType.Float32, dim + 3);
            // ScatterAdd with repeated indices (the atomics); Scatter with a permutation, so no two writes collide.
            var repeated = Parity.Random(indexShape, DType.Int32, dim + 9, 0, shape[dim]).To(DType.Int64);
            foreach (var dtype in new[] { DType.Float32, DType.Int32 })
            {
                var yc = Parity.Random(shape, dtype, 1, -5, 5);
                var yg = yc.To(device);
                var s = src.To(dtype);
                VulkanTestDevice.Cpu.Scatter(yc, dim, repeated, s, accumulate: true);
                backend.Scatter(yg, dim, repeated.To(device), s.To(device), accumulate: true);
                Parity.AssertClose(yc, yg, $"ScatterAdd {dtype} dim {dim}", dtype == DType.Float32 ? Parity.Rtol : 0, dtype == DType.Float32 ? 1e-5 : 0);
            }
            int[] line = [1, 1, 1];
            line[dim] = shape[dim];
            // Descending positions along dim: every element written exactly once.
            var perm = Tensor.Arange(shape[dim] - 1, -1, -1, DType.Int64).Reshape(line).Expand(shape).Contiguous();
            var zc = Tensor.Zeros(shape, DType.Float64, Device.Cpu);
            var zg = Tensor.Zeros(shape, DType.Float64, device);
            var s64 = Parity.Random(shape, DType.Float64, dim + 5);
            VulkanTestDevice.Cpu.Scatter(zc, dim, perm, s64, accumulate: false);
            backend.Scatter(zg, dim, perm.To(device), s64.To(device), accumulate: false);
            Parity.AssertClose(zc, zg, $"Scatter Float64 dim {dim}", 0, 0);
        }
    }

    [TestMethod]
    public void IndexSelectAndIndexAddMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        for (var dim = 0; dim < 3; dim++)
        {
            int[] shape = [6, 5, 33];
            var x = Parity.Random(shape, DType.Float32, dim + 1);
            // Repeated entries, every other element of a longer vector (a strided index).
            var indexBase = Parity.Random([18], DType.Int32, dim + 2, 0, shape[dim]).To(DType.Int64);
            var index = indexBase.Slice(0, 0, 18, 2);
            var indexOnDevice = indexBase.To(device).Slice(0, 0, 18, 2);
            var outShape = (int[])shape.Clone();
            outShape[dim] = 9;
            var yc = Tensor.Zeros(outShape, DType.Float32, Device.Cpu);
            var yg = Tensor.Zeros(outShape, DType.Float32, device);
            VulkanTestDevice.Cpu.IndexSelect(x, dim, index, yc);
            backend.IndexSelect(x.To(device), dim, indexOnDevice, yg);
            Parity.AssertClose(yc, yg, $"IndexSelect dim {dim}", 0, 0);

            var src = Parity.Random(outShape, DType.Float32, dim + 3);
            var ac = Parity.Random(shape, DType.Float32, dim + 4);
            var ag = ac.To(device);
            VulkanTestDevice.Cpu.IndexAdd(ac, dim, index, src);
            backend.IndexAdd(ag, dim, indexOnDevice, src.To(device));
            Parity.AssertClose(ac, ag, $"IndexAdd dim {dim}", Parity.Rtol, 1e-5);
        }
    }
}
