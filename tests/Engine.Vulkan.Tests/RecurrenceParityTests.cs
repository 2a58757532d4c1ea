using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>LinearRecurrence (h_t = a_t h_{t-1} + b_t, shaders/recurrence.comp's chunked scan) against the CPU's
/// sequential loop: both directions, float32 and float64, with and without h0, along every dim of views (transposed,
/// sliced, a broadcast along the scanned dim, permuted rank 6), rows of one chunk and of many, and rows longer than
/// llvmpipe's 65535 loop iterations.
///
/// Tolerance from the accumulation order: h_t = sum_s (prod_{s &lt; k &lt;= t} a_k) b_s (b_{-1} = h0). The CPU reaches
/// the term of b_s through 2 (t - s) + 1 roundings; the scan, whose chunk maps multiply the a's of a chunk before
/// applying them, through no more (a chunk of C steps costs its product's C - 1 roundings and one multiply-add
/// where the CPU spends 2C). So each side is within u w_t of the exact value, w_t = sum_s (2 (t - s) + 3)
/// |prod a| |b_s|, which is itself a linear recurrence: w_t = |a_t| (w_{t-1} + 2 m_{t-1}) + 3 |b_t|, m the recurrence
/// of |a|, |b|, |h0|. The test allows 2.02 u w_t (u the unit roundoff), plus the smallest normal for flushed
/// subnormals.</summary>
[TestClass]
public sealed class RecurrenceParityTests
{
    private static IEnumerable<(string Name, Tensor A, Tensor B, Tensor? H0, int Dim)> Cases(DType dtype, int seed)
    {
        foreach (var n in new[] { 1, 7, 33, 1023 })
            yield return ($"[{n}] along 0", Coefficients([n], dtype, seed + n), Parity.Random([n], dtype, seed + n + 1), null, 0);
        yield return ("[3,1023] along 1 with h0", Coefficients([3, 1023], dtype, seed), Parity.Random([3, 1023], dtype, seed + 1), Parity.Random([3], dtype, seed + 2), 1);
        yield return ("[1023,3] along 0 (strided rows)", Coefficients([1023, 3], dtype, seed), Parity.Random([1023, 3], dtype, seed + 1), Parity.Random([3], dtype, seed + 2), 0);
        var a = Coefficients([7, 1, 33], dtype, seed + 3);
        var b = Parity.Random([7, 1, 33], dtype, seed + 4);
        for (var dim = 0; dim < 3; dim++)
        {
            var stateShape = new[] { 7, 1, 33 }.Where((_, d) => d != dim).ToArray();
            yield return ($"[7,1,33] along {dim} with h0", a, b, Parity.Random(stateShape, dtype, seed + 5 + dim), dim);
        }
        // Views: a transposed, b and h0 sliced with step 2 (h0 not contiguous).
        var wide = Parity.Random([33, 14], dtype, seed + 8);
        yield return ("[7,33]^T along 0, b and h0 sliced", Coefficients([7, 33], dtype, seed + 9).Transpose(0, 1),
            wide.Slice(1, 0, 14, 2), Parity.Random([14], dtype, seed + 10).Slice(0, 0, 14, 2), 0);
        // a broadcast along the scanned dim (stride 0), as LinearScan passes a decay shared by all steps.
        yield return ("[5,1] expanded to [5,300] along 1", Coefficients([5, 1], dtype, seed + 11).Expand(5, 300), Parity.Random([5, 300], dtype, seed + 12), null, 1);
        // Many rows: one chunk each.
        yield return ("[8192,9] along 1", Coefficients([8192, 9], dtype, seed + 13), Parity.Random([8192, 9], dtype, seed + 14), Parity.Random([8192], dtype, seed + 15), 1);
        // Five other dims survive merging: the backend runs on contiguous copies.
        var six = Coefficients([2, 3, 2, 3, 2, 3], dtype, seed + 16).Permute(5, 0, 4, 1, 3, 2);
        yield return ("rank-6 permuted along 2", six, Parity.Random([2, 3, 2, 3, 2, 3], dtype, seed + 17).Permute(5, 0, 4, 1, 3, 2), null, 2);
        // Beyond llvmpipe's 65535 iterations per invocation.
        yield return ("[70001] along 0", Coefficients([70001], dtype, seed + 18), Parity.Random([70001], dtype, seed + 19), null, 0);
        yield return ("[70001,2] along 0 with h0", Coefficients([70001, 2], dtype, seed + 20), Parity.Random([70001, 2], dtype, seed + 21), Parity.Random([2], dtype, seed + 22), 0);
    }

    /// <summary>Decays in (-1, 1), mostly near 1 (long memory), so that states depend on many steps.</summary>
    private static Tensor Coefficients(int[] shape, DType dtype, int seed)
    {
        var u = Parity.Random(shape, DType.Float64, seed, 0, 1).ToArray<double>();
        var values = u.Select((v, i) => i % 5 == 0 ? 2 * v - 1 : 1 - 0.05 * v).ToArray();
        var t = Tensor.FromArray(values).Reshape(shape);
        return dtype == DType.Float64 ? t : t.To(dtype);
    }

    /// <summary>The bound 2.02 u w_t described on the class, computed on the CPU in float64.</summary>
    private static Tensor Tolerance(Tensor a, Tensor b, Tensor? h0, int dim, bool reverse, DType dtype)
    {
        var aa = a.To(DType.Float64).Abs();
        var ab = b.To(DType.Float64).Abs();
        var ah = h0?.To(DType.Float64).Abs();
        var m = Tensor.LinearScan(aa, ab, ah, dim, reverse);
        var steps = aa.Shape[dim];
        var first = ah is null ? Tensor.Zeros(m.Narrow(dim, 0, 1).Shape.ToArray(), DType.Float64) : ah.Unsqueeze(dim);
        var previous = steps == 1 ? first
            : reverse ? Tensor.Cat([m.Narrow(dim, 1, steps - 1), first], dim) : Tensor.Cat([first, m.Narrow(dim, 0, steps - 1)], dim);
        var w = Tensor.LinearScan(aa, 2.0 * (aa * previous) + 3.0 * ab, ah is null ? null : 3.0 * ah, dim, reverse);
        var u = dtype == DType.Float32 ? Math.Pow(2, -24) : Math.Pow(2, -53);
        return 2.02 * u * w;
    }

    private static void AssertWithin(Tensor expected, Tensor actual, Tensor tolerance, string what)
    {
        var e = Parity.Values(expected);
        var a = Parity.Values(actual);
        var t = tolerance.ToArray<double>();
        var floor = expected.DType == DType.Float32 ? 1.2e-38 : 2.3e-308;
        for (var i = 0; i < e.Length; i++)
        {
            if (e[i] == a[i]) continue;
            if (!(Math.Abs(a[i] - e[i]) <= t[i] + floor))
                Assert.Fail($"{what}: element {i} is {a[i]:R} on Vulkan, {e[i]:R} on the CPU (allowed difference {t[i]:R})");
        }
    }

    [TestMethod]
    public void LinearRecurrenceMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var dtypes = backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32];
        foreach (var dtype in dtypes)
        foreach (var reverse in new[] { false, true })
        foreach (var (name, a, b, h0, dim) in Cases(dtype, reverse ? 40 : 20))
        {
            var what = $"LinearRecurrence {dtype} {name}{(reverse ? " reverse" : "")}";
            var shape = a.Shape.ToArray();
            var yc = Tensor.Zeros(shape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(shape, dtype, device);
            VulkanTestDevice.Cpu.LinearRecurrence(a, b, h0, dim, yc, reverse);
            backend.LinearRecurrence(a.To(device), b.To(device), h0?.To(device), dim, yg, reverse);
            AssertWithin(yc, yg, Tolerance(a, b, h0, dim, reverse, dtype), what);
        }
    }

    [TestMethod]
    public void OneChunkRowsAreBitIdenticalAndTheOpRunsOnTheDevice()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        // 8192 rows fill the device: one chunk per row, the CPU's own loop and rounding.
        var a = Coefficients([8192, 40], DType.Float32, 1);
        var b = Parity.Random([8192, 40], DType.Float32, 2);
        var h0 = Parity.Random([8192], DType.Float32, 3);
        var yc = Tensor.Zeros([8192, 40], DType.Float32, Device.Cpu);
        var yg = Tensor.Zeros([8192, 40], DType.Float32, device);
        VulkanTestDevice.Cpu.LinearRecurrence(a, b, h0, 1, yc, reverse: true);
        backend.LinearRecurrence(a.To(device), b.To(device), h0.To(device), 1, yg, reverse: true);
        Parity.AssertClose(yc, yg, "LinearRecurrence one chunk per row", 0, 0);

        // Through the op layer (Tensor.LinearScan) on the device.
        var x = Coefficients([4, 50], DType.Float32, 4);
        var z = Parity.Random([4, 50], DType.Float32, 5);
        var cpuOut = Tensor.LinearScan(x, z, null, 1);
        var gpuOut = Tensor.LinearScan(x.To(device), z.To(device), null, 1);
        AssertWithin(cpuOut, gpuOut.To(Device.Cpu), Tolerance(x, z, null, 1, false, DType.Float32), "LinearScan op");
    }

    [TestMethod]
    public void StridedOutputIsWrittenThroughItsStrides()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        // y is the transpose of a [300,6] buffer, scanned along its 300-long dim 1 (several chunks), in reverse. The
        // CPU writes into a contiguous y (its kernel treats y as dense when dim is the last), compared transposed.
        var a = Coefficients([6, 300], DType.Float32, 7);
        var b = Parity.Random([6, 300], DType.Float32, 8);
        var h0 = Parity.Random([6], DType.Float32, 9);
        var yc = Tensor.Zeros([6, 300], DType.Float32, Device.Cpu);
        var yg = Tensor.Zeros([300, 6], DType.Float32, device);
        VulkanTestDevice.Cpu.LinearRecurrence(a, b, h0, 1, yc, reverse: true);
        backend.LinearRecurrence(a.To(device), b.To(device), h0.To(device), 1, yg.Transpose(0, 1), reverse: true);
        AssertWithin(yc, yg.Transpose(0, 1), Tolerance(a, b, h0, 1, true, DType.Float32), "LinearRecurrence into a transposed y");
    }

    [TestMethod]
    public void BadInputsAreRefusedWithTheOpAndShapes()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        using var a = Tensor.Zeros([3, 4], DType.Float32, device);
        using var b = Tensor.Zeros([3, 5], DType.Float32, device);
        using var y = Tensor.Zeros([3, 4], DType.Float32, device);
        var shape = Assert.ThrowsExactly<ArgumentException>(() => backend.LinearRecurrence(a, b, null, 1, y, false));
        StringAssert.Contains(shape.Message, "LinearRecurrence");
        StringAssert.Contains(shape.Message, "(3,5)");
        using var h0 = Tensor.Zeros([4], DType.Float32, device);
        var state = Assert.ThrowsExactly<ArgumentException>(() => backend.LinearRecurrence(a, a, h0, 1, y, false));
        StringAssert.Contains(state.Message, "h0");
        using var ints = Tensor.Zeros([3, 4], DType.Int32, device);
        var dtype = Assert.ThrowsExactly<NotSupportedException>(() => backend.LinearRecurrence(ints, ints, null, 1, ints, false));
        StringAssert.Contains(dtype.Message, "LinearRecurrence on Int32");
    }
}
