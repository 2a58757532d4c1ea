using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Sum, max and min over dims on Vulkan against the CPU: kept and reduced dims in every position, views,
/// long reductions (many elements per invocation) and every numeric dtype. Float sums are compared within 1e-5 of
/// the sum of magnitudes (a different summation order), max and min and integer sums exactly.</summary>
[TestClass]
public sealed class ReduceParityTests
{
    /// <summary>(description, base tensor, the view of it to reduce, dims).</summary>
    private static IEnumerable<(string Name, Tensor Base, Func<Tensor, Tensor> View, int[] Dims)> Cases(DType dtype, int seed)
    {
        var cube = Parity.Random([7, 1, 33], dtype, seed);
        foreach (var dims in new[] { new[] { 0 }, [1], [2], [0, 2], [0, 1, 2] }) yield return ($"[7,1,33] over [{string.Join(",", dims)}]", cube, t => t, dims);
        foreach (var n in new[] { 1, 7, 33, 1023 }) yield return ($"[{n}] over [0]", Parity.Random([n], dtype, seed + n), t => t, [0]);
        yield return ("[7,33]^T over [0]", Parity.Random([7, 33], dtype, seed + 1), t => t.Transpose(0, 1), [0]);
        yield return ("[3,70001] over [1]", Parity.Random([3, 70001], dtype, seed + 2), t => t, [1]);
        yield return ("rank-6 permuted over [1,3]", Parity.Random([2, 3, 2, 3, 2, 3], dtype, seed + 3), t => t.Permute(5, 0, 4, 1, 3, 2), [1, 3]);
    }

    [TestMethod]
    public void ReduceMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        // Where the device has subgroup arithmetic (lavapipe does) this is the subgroup build.
        Assert.AreEqual(backend.Info.SubgroupArithmetic, backend.UsesSubgroupReduce(DType.Float32), "reduction build");
        CheckEveryCase(backend);
    }

    [TestMethod]
    public void ReduceSharedMemoryTreeMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        backend.SubgroupReductions = false;
        try
        {
            Assert.IsFalse(backend.UsesSubgroupReduce(DType.Float32), "the switch did not force the shared-memory tree");
            CheckEveryCase(backend);
        }
        finally
        {
            backend.SubgroupReductions = true;
        }
    }

    private static void CheckEveryCase(VulkanBackend backend)
    {
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        var dtypes = new List<DType> { DType.Float32, DType.Int32 };
        if (backend.Info.Float64) dtypes.Add(DType.Float64);
        if (backend.Info.Int64) dtypes.Add(DType.Int64);
        foreach (var dtype in dtypes)
        foreach (var op in Enum.GetValues<ReduceOp>())
        foreach (var (name, baseTensor, view, dims) in Cases(dtype, (int)op * 3 + (int)dtype))
        {
            var x = view(baseTensor);
            var outShape = x.Shape.ToArray().Select((s, d) => dims.Contains(d) ? 1 : s).ToArray();
            var yc = Tensor.Zeros(outShape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(outShape, dtype, device);
            cpu.Reduce(op, x, dims, yc);
            backend.Reduce(op, view(baseTensor.To(device)), dims, yg);
            var what = $"Reduce {op} {dtype} {name}";
            if (op != ReduceOp.Sum || dtype is DType.Int32 or DType.Int64)
            {
                Parity.AssertClose(yc, yg, what, 0, 0);
                continue;
            }
            var abs = Tensor.Zeros(x.Shape.ToArray(), dtype, Device.Cpu);
            cpu.Unary(UnaryOp.Abs, x, abs, 0, 0);
            var bound = Tensor.Zeros(outShape, dtype, Device.Cpu);
            cpu.Reduce(ReduceOp.Sum, abs, dims, bound);
            var (e, a, b) = (Parity.Values(yc), Parity.Values(yg), Parity.Values(bound));
            var rtol = dtype == DType.Float32 ? 1e-5 : 1e-13;
            for (var i = 0; i < e.Length; i++)
                if (Math.Abs(a[i] - e[i]) > rtol * b[i]) Assert.Fail($"{what}: element {i} is {a[i]:R} on Vulkan, {e[i]:R} on the CPU");
        }
        CheckNaNAndInfinities(backend);
    }

    /// <summary>Max and min propagate NaN wherever it sits (first or last element, another subgroup or workgroup
    /// share than the extreme value) and keep infinities, along rows and down columns.</summary>
    private static void CheckNaNAndInfinities(VulkanBackend backend)
    {
        foreach (var dtype in backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32])
        {
            var values = new double[5 * 300];
            var rng = new Random(5);
            for (var i = 0; i < values.Length; i++) values[i] = rng.NextDouble() * 6 - 3;
            values[1 * 300 + 0] = double.NaN;
            values[2 * 300 + 299] = double.NaN;
            values[3 * 300 + 137] = double.NaN;
            values[3 * 300 + 5] = double.PositiveInfinity;
            values[3 * 300 + 250] = double.NegativeInfinity;
            for (var i = 0; i < 300; i++) values[4 * 300 + i] = i % 2 == 0 ? double.NegativeInfinity : double.PositiveInfinity;
            var x = dtype == DType.Float32 ? Tensor.FromArray(values.Select(v => (float)v).ToArray()) : Tensor.FromArray(values);
            x = x.Reshape(5, 300);
            foreach (var op in new[] { ReduceOp.Max, ReduceOp.Min })
            foreach (var dim in new[] { 0, 1 })
            {
                var outShape = dim == 0 ? new[] { 1, 300 } : [5, 1];
                var yc = Tensor.Zeros(outShape, dtype, Device.Cpu);
                var yg = Tensor.Zeros(outShape, dtype, backend.Device);
                VulkanTestDevice.Cpu.Reduce(op, x, [dim], yc);
                backend.Reduce(op, x.To(backend.Device), [dim], yg);
                Parity.AssertClose(yc, yg, $"Reduce {op} {dtype} with NaN and infinities over [{dim}]", 0, 0);
                if (dim == 1) Assert.IsTrue(double.IsNaN(Parity.Values(yg)[1]), $"Reduce {op} {dtype}: the NaN in row 1 did not propagate");
            }
        }
    }
}