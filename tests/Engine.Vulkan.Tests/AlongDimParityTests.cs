using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Argmax, argmin and cumsum along a dim on Vulkan against the CPU: ties (first occurrence), NaN (first NaN
/// wins), views, long rows, every numeric dtype, with and without the values.</summary>
[TestClass]
public sealed class AlongDimParityTests
{
    private static IEnumerable<(string Name, Tensor Base, Func<Tensor, Tensor> View, int Dim)> Cases(DType dtype)
    {
        // Integers from a small range, so rows have ties.
        var (lo, hi) = dtype is DType.Int32 or DType.Int64 ? (0.0, 4.0) : (-3.0, 3.0);
        foreach (var n in new[] { 1, 7, 33, 1023 }) yield return ($"[3,{n}] along 1", Parity.Random([3, n], dtype, n, lo, hi), t => t, 1);
        var cube = Parity.Random([7, 1, 33], dtype, 2, lo, hi);
        for (var dim = 0; dim < 3; dim++) yield return ($"[7,1,33] along {dim}", cube, t => t, dim);
        yield return ("[7,33]^T along 0", Parity.Random([7, 33], dtype, 3, lo, hi), t => t.Transpose(0, 1), 0);
        yield return ("[2,70001] along 1", Parity.Random([2, 70001], dtype, 4, lo, hi), t => t, 1);
        if (dtype == DType.Float32)
        {
            // NaNs at positions 500 and 900 of row 0: the first one wins, on both sides.
            var data = Parity.Random([2, 1023], dtype, 5).ToArray<float>();
            data[500] = data[900] = float.NaN;
            yield return ("[2,1023] with NaN", Tensor.FromArray(data).Reshape(2, 1023), t => t, 1);
        }
        if (dtype is DType.Float32 or DType.Float64)
        {
            // Row 0: NaNs at 5 and 3 (one subgroup, the later lane first); row 1: NaNs at 261 and 6 (lanes 5 and 6,
            // the later lane holding the earlier NaN); row 2: all equal (index 0); row 3: infinities and ties at the
            // extremes in different subgroups.
            var rows = new double[4, 300];
            var rng = new Random(6);
            for (var r = 0; r < 4; r++)
                for (var i = 0; i < 300; i++) rows[r, i] = r == 2 ? 1.5 : rng.Next(-2, 3);
            rows[0, 5] = rows[0, 3] = double.NaN;
            rows[1, 261] = rows[1, 6] = double.NaN;
            rows[3, 70] = rows[3, 290] = double.PositiveInfinity;
            rows[3, 40] = rows[3, 9] = double.NegativeInfinity;
            var flat = rows.Cast<double>().ToArray();
            var t = dtype == DType.Float32 ? Tensor.FromArray(flat.Select(v => (float)v).ToArray()) : Tensor.FromArray(flat);
            yield return ("[4,300] with NaN, ties and infinities", t.Reshape(4, 300), t => t, 1);
        }
    }

    [TestMethod]
    public void ArgReduceSharedMemoryTreeMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        backend.SubgroupReductions = false;
        try
        {
            Assert.IsFalse(backend.UsesSubgroupReduce(DType.Float32), "the switch did not force the shared-memory tree");
            ArgReduceMatchesCpu();
        }
        finally
        {
            backend.SubgroupReductions = true;
        }
    }

    [TestMethod]
    public void ArgReduceMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        // The subgroup build where the device has subgroup arithmetic (lavapipe does), unless the tree is forced.
        Assert.AreEqual(backend.SubgroupReductions && backend.Info.SubgroupArithmetic, backend.UsesSubgroupReduce(DType.Float32), "argreduce build");
        var dtypes = new List<DType> { DType.Float32, DType.Int32 };
        if (backend.Info.Float64) dtypes.Add(DType.Float64);
        if (backend.Info.Int64) dtypes.Add(DType.Int64);
        foreach (var dtype in dtypes)
        foreach (var max in new[] { true, false })
        foreach (var (name, baseTensor, view, dim) in Cases(dtype))
        {
            var x = view(baseTensor);
            var outShape = x.Shape.ToArray().Select((s, d) => d == dim ? 1 : s).ToArray();
            var ic = Tensor.Zeros(outShape, DType.Int64, Device.Cpu);
            var vc = Tensor.Zeros(outShape, dtype, Device.Cpu);
            var ig = Tensor.Zeros(outShape, DType.Int64, device);
            var vg = Tensor.Zeros(outShape, dtype, device);
            VulkanTestDevice.Cpu.ArgReduce(max, x, dim, ic, vc);
            backend.ArgReduce(max, view(baseTensor.To(device)), dim, ig, vg);
            var what = $"{(max ? "ArgMax" : "ArgMin")} {dtype} {name}";
            Parity.AssertClose(ic, ig, what + " indices", 0, 0);
            Parity.AssertClose(vc, vg, what + " values", 0, 0);
            var alone = Tensor.Zeros(outShape, DType.Int64, device);
            backend.ArgReduce(max, view(baseTensor.To(device)), dim, alone, null);
            Parity.AssertClose(ic, alone, what + " indices without values", 0, 0);
        }
    }

    [TestMethod]
    public void CumsumMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var dtypes = new List<DType> { DType.Float32, DType.Int32 };
        if (backend.Info.Float64) dtypes.Add(DType.Float64);
        if (backend.Info.Int64) dtypes.Add(DType.Int64);
        foreach (var dtype in dtypes)
        foreach (var reverse in new[] { false, true })
        foreach (var (name, baseTensor, view, dim) in Cases(dtype).Where(c => c.View(c.Base).Shape[c.Dim] <= 1023))
        {
            var x = view(baseTensor);
            var yc = Tensor.Zeros(x.Shape.ToArray(), dtype, Device.Cpu);
            var yg = Tensor.Zeros(x.Shape.ToArray(), dtype, device);
            VulkanTestDevice.Cpu.Cumsum(x, dim, yc, reverse);
            backend.Cumsum(view(baseTensor.To(device)), dim, yg, reverse);
            // The same additions in the same order: equal up to the last bit (NaN rows included).
            Parity.AssertClose(yc, yg, $"Cumsum {dtype} reverse {reverse} {name}", 0, 0);
        }
    }

    [TestMethod]
    public void RowsLongerThanTheDriverLoopsAreRefusedNotTruncated()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (backend.Info.LoopIterationLimit == long.MaxValue) Assert.Inconclusive($"{backend.Info.Driver} has no loop limit");
        using var x = Tensor.Zeros([2, 70001], DType.Float32, backend.Device);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Cumsum(x, 1, x, reverse: false));
        StringAssert.Contains(e.Message, "stops loops after 65535 iterations");
    }
}
