using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Fill, Copy, Unary and Binary on Vulkan against the CPU backend, over contiguous tensors, transposed and
/// sliced views, broadcast (stride-0) operands, size-1 dims, odd sizes and ranks beyond the kernels' four.</summary>
[TestClass]
public sealed class ElementwiseParityTests
{
    private static readonly int[] Sizes = [1, 7, 33, 1023];

    /// <summary>Views of a fresh tensor, each as (description, cpu view, vulkan view) over the same values.</summary>
    private static IEnumerable<(string Name, Tensor Cpu, Tensor Vulkan)> Views(DType dtype, int seed, double lo = -3, double hi = 3)
    {
        var device = VulkanTestDevice.BackendOrInconclusive().Device;
        foreach (var n in Sizes)
        {
            var flat = Parity.Random([n], dtype, seed + n, lo, hi);
            yield return ($"[{n}]", flat, flat.To(device));
        }
        var cube = Parity.Random([7, 1, 33], dtype, seed, lo, hi);
        var onDevice = cube.To(device);
        yield return ("[7,1,33] transposed to [33,1,7]", cube.Transpose(0, 2), onDevice.Transpose(0, 2));
        yield return ("[7,1,33] sliced with step 2 along 33", cube.Slice(2, 1, 33, 2), onDevice.Slice(2, 1, 33, 2));
        var six = Parity.Random([2, 3, 2, 3, 2, 3], dtype, seed + 1, lo, hi);
        yield return ("rank-6 permuted (several dispatches)", six.Permute(5, 0, 4, 1, 3, 2), six.To(device).Permute(5, 0, 4, 1, 3, 2));
    }

    private static Tensor Empty(Tensor like, DType dtype, Device device) => Tensor.Zeros(like.Shape.ToArray(), dtype, device);

    [TestMethod]
    public void FillMatchesCpuForEveryDType()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.Bool })
        {
            var cpu = Tensor.Zeros([5, 7], dtype, Device.Cpu);
            var gpu = Tensor.Zeros([5, 7], dtype, backend.Device);
            // A strided view: every other column of the transpose.
            VulkanTestDevice.Cpu.Fill(cpu.Transpose(0, 1).Slice(0, 0, 7, 2), dtype == DType.Bool ? 1 : -2.75e3);
            backend.Fill(gpu.Transpose(0, 1).Slice(0, 0, 7, 2), dtype == DType.Bool ? 1 : -2.75e3);
            Parity.AssertClose(cpu, gpu, $"Fill {dtype}", 0, 0);
        }
    }

    [TestMethod]
    public void CopyMatchesCpuAcrossLayoutsAndDTypes()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        DType[] dtypes = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.Bool];
        foreach (var from in dtypes)
        foreach (var to in dtypes)
        foreach (var (name, cpu, gpu) in Views(from, 11, -1e3, 1e3))
        {
            var yc = Empty(cpu, to, Device.Cpu);
            var yg = Empty(gpu, to, backend.Device);
            VulkanTestDevice.Cpu.Copy(cpu, yc);
            backend.Copy(gpu, yg);
            Parity.AssertClose(yc, yg, $"Copy {from} -> {to} from {name}", 0, 0);
        }
    }

    [TestMethod]
    public void CopyIntoStridedDestination()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var src = Parity.Random([7, 33], DType.Float32, 5);
        var yc = Tensor.Zeros([33, 7], DType.Float32, Device.Cpu);
        var yg = Tensor.Zeros([33, 7], DType.Float32, backend.Device);
        VulkanTestDevice.Cpu.Copy(src, yc.Transpose(0, 1));
        backend.Copy(src.To(backend.Device), yg.Transpose(0, 1));
        Parity.AssertClose(yc, yg, "Copy into a transposed destination", 0, 0);
    }

    [TestMethod]
    public void UnaryFloat32MatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var op in Enum.GetValues<UnaryOp>().Where(o => o != UnaryOp.Not)) CheckUnary(backend, op, DType.Float32);
    }

    [TestMethod]
    public void UnaryFloat64MatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        // Within 1e-14 relative (f64math.glsl is within a few ulps on [-4, 4]), plus 1e-15 absolute for results that
        // round to near zero.
        foreach (var op in Enum.GetValues<UnaryOp>().Where(o => o != UnaryOp.Not)) CheckUnary(backend, op, DType.Float64, rtol: 1e-14, atol: 1e-15);
    }

    private static void CheckUnary(VulkanBackend backend, UnaryOp op, DType dtype, double rtol = Parity.Rtol, double atol = Parity.Atol)
    {
        // Parameters as the op layer passes them: a slope, bounds, a scale and shift, softplus beta and threshold.
        var (alpha, beta) = op switch
        {
            UnaryOp.Clamp => (-0.5, 1.25),
            UnaryOp.Affine => (1.5, -0.25),
            UnaryOp.Softplus => (2.0, 20.0),
            UnaryOp.ScalarDiv => (3.0, 0.0),
            UnaryOp.PowScalar => (3.0, 0.0),
            UnaryOp.ScalarPow => (1.7, 0.0),
            _ => (0.1, 0.0),
        };
        // Logarithms and roots get positive inputs; the rest cover both signs.
        var positive = op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Rsqrt;
        foreach (var (name, cpu, gpu) in Views(dtype, (int)op * 7 + 1, positive ? 1e-3 : -4, 4))
        {
            var yc = Empty(cpu, dtype, Device.Cpu);
            var yg = Empty(gpu, dtype, backend.Device);
            VulkanTestDevice.Cpu.Unary(op, cpu, yc, alpha, beta);
            backend.Unary(op, gpu, yg, alpha, beta);
            Parity.AssertClose(yc, yg, $"Unary {op} {dtype} on {name}", rtol, atol);
        }
    }

    /// <summary>Operand pairs broadcast to one output shape: equal shapes, a row against a column, a scalar, and a
    /// transposed operand.</summary>
    private static IEnumerable<(string Name, int[] Shape, Func<Tensor, Tensor> A, Func<Tensor, Tensor> B, int[] AShape, int[] BShape)> Broadcasts()
    {
        foreach (var n in Sizes) yield return ($"[{n}] op [{n}]", [n], t => t, t => t, [n], [n]);
        yield return ("[7,1,33] op [1,5,1]", [7, 5, 33], t => t.Expand(7, 5, 33), t => t.Expand(7, 5, 33), [7, 1, 33], [1, 5, 1]);
        yield return ("[33,7] op scalar", [33, 7], t => t, t => t.Expand(33, 7), [33, 7], []);
        yield return ("[7,33]^T op [33,1]", [33, 7], t => t.Transpose(0, 1), t => t.Expand(33, 7), [7, 33], [33, 1]);
    }

    private static void CheckBinary(VulkanBackend backend, BinaryOp op, DType dtype, double lo, double hi, double rtol = Parity.Rtol, double atol = Parity.Atol)
    {
        var device = backend.Device;
        var outType = op.IsComparison() ? DType.Bool : dtype;
        var seed = (int)op * 13 + (int)dtype;
        foreach (var (name, shape, viewA, viewB, aShape, bShape) in Broadcasts())
        {
            var a = Parity.Random(aShape, dtype, seed, lo, hi);
            var b = Parity.Random(bShape, dtype, seed + 1, lo, hi);
            var yc = Tensor.Zeros(shape, outType, Device.Cpu);
            var yg = Tensor.Zeros(shape, outType, device);
            VulkanTestDevice.Cpu.Binary(op, viewA(a), viewB(b), yc);
            backend.Binary(op, viewA(a.To(device)), viewB(b.To(device)), yg);
            Parity.AssertClose(yc, yg, $"Binary {op} {dtype} {name}", rtol, atol);
        }
    }

    [TestMethod]
    public void BinaryFloat32MatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var op in Enum.GetValues<BinaryOp>())
            CheckBinary(backend, op, DType.Float32, op == BinaryOp.Pow ? -2 : -3, 3);
    }

    [TestMethod]
    public void BinaryFloat64AndIntegerMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            // Pow comes from include/f64math.glsl (a few ulps, not correctly rounded as the CPU's); the rest is exact.
            if (backend.Info.Float64) CheckBinary(backend, op, DType.Float64, op == BinaryOp.Pow ? -2 : -3, 3, rtol: op == BinaryOp.Pow ? 1e-14 : 1e-15, atol: 0);
            if (op == BinaryOp.Pow) continue;
            // Integers from 1 up, so Div never divides by zero; small range so Eq sees equal pairs.
            CheckBinary(backend, op, DType.Int32, 1, 6, rtol: 0, atol: 0);
            if (backend.Info.Int64) CheckBinary(backend, op, DType.Int64, 1, 6, rtol: 0, atol: 0);
        }
        foreach (var op in Enum.GetValues<BinaryOp>().Where(o => o.IsComparison()))
            CheckBinary(backend, op, DType.Bool, 0, 2, rtol: 0, atol: 0);
    }

    [TestMethod]
    public void TernaryMatchesCpuIncludingInPlace()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var dtypes = backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32];
        foreach (var dtype in dtypes)
        foreach (var op in Enum.GetValues<TernaryOp>())
        foreach (var (name, shape, viewA, viewB, aShape, bShape) in Broadcasts())
        {
            var seed = (int)op * 5 + (int)dtype;
            var a = Parity.Random(aShape, dtype, seed);
            var b = Parity.Random(bShape, dtype, seed + 1);
            // c: lerp weights in [0, 1) on both sides of 0.5, divisors away from 0.
            var c = Parity.Random(shape, dtype, seed + 2, op == TernaryOp.Lerp ? 0 : 0.5, op == TernaryOp.Lerp ? 1 : 2);
            var yc = Tensor.Zeros(shape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(shape, dtype, device);
            VulkanTestDevice.Cpu.Ternary(op, viewA(a), viewB(b), c, yc, 0.75);
            backend.Ternary(op, viewA(a.To(device)), viewB(b.To(device)), c.To(device), yg, 0.75);
            var rtol = dtype == DType.Float32 ? Parity.Rtol : 1e-14;
            Parity.AssertClose(yc, yg, $"Ternary {op} {dtype} {name}", rtol, dtype == DType.Float32 ? Parity.Atol : 1e-14);
        }
        // In place, y = a, as the optimizers call it.
        var state = Parity.Random([1023], DType.Float32, 3);
        var onDevice = state.To(device);
        var grad = Parity.Random([1023], DType.Float32, 4);
        VulkanTestDevice.Cpu.Ternary(TernaryOp.Addcmul, state, grad, grad, state, -0.1);
        backend.Ternary(TernaryOp.Addcmul, onDevice, grad.To(device), grad.To(device), onDevice, -0.1);
        Parity.AssertClose(state, onDevice, "Ternary Addcmul in place");
    }

    [TestMethod]
    public void WhereMatchesCpuForEveryDType()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.Bool })
        foreach (var (name, shape, viewA, viewB, aShape, bShape) in Broadcasts())
        {
            var cond = Parity.Random(shape, DType.Bool, 7);
            var a = Parity.Random(aShape, dtype, 8, -100, 100);
            var b = Parity.Random(bShape, dtype, 9, -100, 100);
            var yc = Tensor.Zeros(shape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(shape, dtype, device);
            VulkanTestDevice.Cpu.Where(cond, viewA(a), viewB(b), yc);
            backend.Where(cond.To(device), viewA(a.To(device)), viewB(b.To(device)), yg);
            Parity.AssertClose(yc, yg, $"Where {dtype} {name}", 0, 0);
        }
    }

    [TestMethod]
    public void UnaryBackwardMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        // Every op the CPU differentiates; PowScalar at 2.5 and ScalarPow at 1.7 (their alpha), Softplus at beta 2.
        var ops = Enum.GetValues<UnaryOp>().Where(o => o != UnaryOp.Not).ToArray();
        var dtypes = backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32];
        foreach (var dtype in dtypes)
        foreach (var op in ops)
        // Logarithms, roots, divisions by x and fractional powers get positive inputs; the rest cover both signs.
        foreach (var (name, cpu, gpu) in Views(dtype, (int)op * 11 + 3, op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Rsqrt or UnaryOp.ScalarDiv or UnaryOp.PowScalar ? 0.05 : -3, 3))
        {
            var (alpha, beta) = op switch
            {
                UnaryOp.Clamp => (0.5, 2.0),
                UnaryOp.PowScalar => (2.5, 0.0),
                UnaryOp.ScalarPow => (1.7, 0.0),
                UnaryOp.Softplus => (2.0, 20.0),
                _ => (0.3, 0.0),
            };
            var y = Empty(cpu, dtype, Device.Cpu);
            VulkanTestDevice.Cpu.Unary(op, cpu, y, alpha, beta);
            var gy = Parity.Random(cpu.Shape.ToArray(), dtype, 21);
            var gc = Empty(cpu, dtype, Device.Cpu);
            var gg = Empty(gpu, dtype, device);
            VulkanTestDevice.Cpu.UnaryBackward(op, cpu, y, gy, gc, alpha, beta);
            backend.UnaryBackward(op, gpu, y.To(device), gy.To(device), gg, alpha, beta);
            var (rtol, atol) = dtype == DType.Float32 ? (Parity.Rtol, Parity.Atol) : (1e-14, 1e-15);
            Parity.AssertClose(gc, gg, $"UnaryBackward {op} {dtype} on {name}", rtol, atol);
        }
    }

    [TestMethod]
    public void ArangeMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64 || !backend.Info.Int64) Assert.Inconclusive($"{backend.Info.Name} lacks shaderFloat64 or shaderInt64");
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64 })
        foreach (var n in Sizes)
        {
            // Every other element of a longer vector, from a non-integral start and step.
            var yc = Tensor.Zeros([2 * n], dtype, Device.Cpu);
            var yg = Tensor.Zeros([2 * n], dtype, backend.Device);
            VulkanTestDevice.Cpu.Arange(yc.Slice(0, 1, 2 * n, 2), -3.7, 0.3);
            backend.Arange(yg.Slice(0, 1, 2 * n, 2), -3.7, 0.3);
            Parity.AssertClose(yc, yg, $"Arange {dtype} [{n}]", 0, 0);
        }
    }
}
