using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>The tiled GEMM against the CPU's: odd sizes around the 64x64 tile and the 16-deep k tile, transposed and batch-broadcast
/// operands, accumulation, and operands given as MatrixOperands. Sums are compared within 1e-5 of the sum of the
/// products' magnitudes (the bound for a different accumulation order), not of the result, which may cancel.</summary>
[TestClass]
public sealed class MatmulParityTests
{
    private static void Check(VulkanBackend backend, Tensor a, Tensor b, DType dtype, bool accumulate, string what, double rtol)
        => Check(backend, a, a.To(backend.Device), b, b.To(backend.Device), dtype, accumulate, what, rtol);

    /// <summary>The same operands on both sides as views of the same layout: aGpu and bGpu are the device's copies
    /// of a's and b's storages under the same view (To(device) alone would make them contiguous).</summary>
    private static void Check(VulkanBackend backend, Tensor a, Tensor aGpu, Tensor b, Tensor bGpu, DType dtype, bool accumulate, string what, double rtol)
    {
        var device = backend.Device;
        var (bn, m, n) = (a.Shape[0], a.Shape[1], b.Shape[2]);
        var cCpu = accumulate ? Parity.Random([bn, m, n], dtype, 99) : Tensor.Zeros([bn, m, n], dtype, Device.Cpu);
        var cGpu = cCpu.To(device);
        var cpu = VulkanTestDevice.Cpu;
        cpu.Matmul(a, b, cCpu, accumulate);
        backend.Matmul(aGpu, bGpu, cGpu, accumulate);
        // Bound: |a| @ |b| (+ |c| when accumulating).
        var scale = Tensor.Zeros([bn, m, n], dtype, Device.Cpu);
        var absA = Tensor.Zeros(a.Shape.ToArray(), dtype, Device.Cpu);
        var absB = Tensor.Zeros(b.Shape.ToArray(), dtype, Device.Cpu);
        cpu.Unary(UnaryOp.Abs, a, absA, 0, 0);
        cpu.Unary(UnaryOp.Abs, b, absB, 0, 0);
        cpu.Matmul(absA, absB, scale, accumulate: false);
        var expected = Parity.Values(cCpu);
        var actual = Parity.Values(cGpu);
        var bound = Parity.Values(scale);
        var before = accumulate ? Parity.Values(cCpu) : null;
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = rtol * (bound[i] + (before is null ? 0 : Math.Abs(before[i]))) + 1e-30;
            if (Math.Abs(actual[i] - expected[i]) > tolerance)
                Assert.Fail($"{what}: element {i} is {actual[i]:R} on Vulkan, {expected[i]:R} on the CPU (tolerance {tolerance:G3})");
        }
    }

    [TestMethod]
    public void MatmulMatchesCpuOverShapesAndLayouts()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        int[][] shapes = [[1, 1, 1, 1], [1, 7, 33, 1], [2, 33, 7, 65], [1, 70, 1023, 9], [3, 1, 129, 7]];
        foreach (var dtype in backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32])
        {
            var rtol = dtype == DType.Float32 ? 1e-5 : 1e-13;
            foreach (var s in shapes)
            {
                var (bn, m, k, n) = (s[0], s[1], s[2], s[3]);
                var a = Parity.Random([bn, m, k], dtype, m * 31 + k);
                var b = Parity.Random([bn, k, n], dtype, n * 17 + k);
                Check(backend, a, b, dtype, accumulate: false, $"{dtype} [{bn},{m},{k}] x [{bn},{k},{n}]", rtol);
                Check(backend, a, b, dtype, accumulate: true, $"{dtype} accumulate [{bn},{m},{k}] x [{bn},{k},{n}]", rtol);
                // a transposed (column-major rows), b shared across the batch (batch stride 0).
                var atBase = Parity.Random([bn, k, m], dtype, m + k);
                var sharedBase = Parity.Random([1, k, n], dtype, n + k);
                Check(backend, atBase.Transpose(1, 2), atBase.To(backend.Device).Transpose(1, 2),
                    sharedBase.Expand(bn, k, n), sharedBase.To(backend.Device).Expand(bn, k, n), dtype, accumulate: false, $"{dtype} transposed a, broadcast b, [{bn},{m},{k}] x [{bn},{k},{n}]", rtol);
            }
        }
    }

    [TestMethod]
    public void GemmMatchesCpuAtTileEdgesAndTransposedViews()
    {
        // Each of m, k and n in turn over sizes on both sides of the 64x64 output tile and the 16-deep k tile (the
        // others 65: one full tile and a one-wide edge), with a and b row-major or transposed views.
        var backend = VulkanTestDevice.BackendOrInconclusive();
        int[] sizes = [1, 7, 33, 65, 129, 1023];
        foreach (var dtype in backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32])
        {
            var rtol = dtype == DType.Float32 ? 1e-5 : 1e-13;
            for (var dim = 0; dim < 3; dim++)
            {
                foreach (var size in sizes)
                {
                    var mkn = new[] { 65, 65, 65 };
                    mkn[dim] = size;
                    var (m, k, n) = (mkn[0], mkn[1], mkn[2]);
                    var seed = 1000 * dim + size;
                    foreach (var (transA, transB) in new[] { (false, false), (true, false), (false, true), (true, true) })
                    {
                        var aBase = Parity.Random(transA ? [2, k, m] : [2, m, k], dtype, seed);
                        var bBase = Parity.Random(transB ? [2, n, k] : [2, k, n], dtype, seed + 1);
                        var aGpu = aBase.To(backend.Device);
                        var bGpu = bBase.To(backend.Device);
                        var (a, b) = (transA ? aBase.Transpose(1, 2) : aBase, transB ? bBase.Transpose(1, 2) : bBase);
                        if (transA) aGpu = aGpu.Transpose(1, 2);
                        if (transB) bGpu = bGpu.Transpose(1, 2);
                        Check(backend, a, aGpu, b, bGpu, dtype, accumulate: transA && transB,
                            $"{dtype} [2,{m},{k}]{(transA ? " transposed" : "")} x [2,{k},{n}]{(transB ? " transposed" : "")}", rtol);
                    }
                }
            }
        }
    }

    [TestMethod]
    public void GemmReadsMatrixOperandsInsideStorages()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        // c[5,3] at offset 2 of a [20] storage = (rows 1..5 of a[6,4]) x (b[3,4])^T.
        var a = Parity.Random([6, 4], DType.Float32, 1);
        var b = Parity.Random([3, 4], DType.Float32, 2);
        var av = new MatrixOperand(4, 5, 4, 4, 1);
        var bv = MatrixOperand.Dense(0, 3, 4).T;
        var cv = MatrixOperand.Dense(2, 5, 3);
        var cCpu = Tensor.Zeros([20], DType.Float32, Device.Cpu);
        var cGpu = Tensor.Zeros([20], DType.Float32, backend.Device);
        VulkanTestDevice.Cpu.Gemm(a, av, b, bv, cCpu, cv, accumulate: false);
        backend.Gemm(a.To(backend.Device), av, b.To(backend.Device), bv, cGpu, cv, accumulate: false);
        Parity.AssertClose(cCpu, cGpu, "Gemm on MatrixOperands", 1e-5, 1e-5);
        Assert.AreEqual(0f, cGpu.ToArray<float>()[0], "Gemm wrote before the output's offset");
    }

    [TestMethod]
    public void GemmRejectsOperandsThatDoNotFit()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var a = Tensor.Zeros([1, 2, 3], DType.Float32, backend.Device);
        using var c = Tensor.Zeros([1, 2, 2], DType.Float32, backend.Device);
        var e = Assert.ThrowsExactly<ArgumentException>(() => backend.Matmul(a, a, c, false));
        StringAssert.Contains(e.Message, "do not fit");
    }

    [TestMethod]
    public void LinearLayerForwardRunsOnTheDevice()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var x = Parity.Random([4, 3], DType.Float32, 3);
        var w = Parity.Random([3, 5], DType.Float32, 4);
        var expected = x.Matmul(w);
        using var actual = x.To(backend.Device).Matmul(w.To(backend.Device));
        Parity.AssertClose(expected, actual, "x.Matmul(w) on the device", 1e-5, 1e-5);
    }
}
