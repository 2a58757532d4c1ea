using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Every unary op and its derivative (float64 entirely, float32 sin, cos, erf and pow from
/// shaders/include/f64math.glsl: GLSL has no double exp, log, sin, erf or pow) against the CPU over wide arguments: signed zeros, infinities, NaN, tiny and huge
/// magnitudes, the edges of exp's range and log-uniform values from 1e-12 to 1e3 of both signs (1e300 for Sin and
/// Cos, 3e38 in float32). Float64 within 1e-12 relative plus 1e-300 absolute (results in the subnormal range, which
/// a device may flush); float32 within the usual 1e-5 plus 1e-6.</summary>
[TestClass]
public sealed class UnaryMathParityTests
{
    private static readonly double[] Specials =
    [
        0.0, -0.0, 1e-300, -1e-300, 1e-20, -1e-20, 1e-8, -1e-8, 1e-3, -1e-3, 0.25, 0.5, -0.5, 0.75, 1, -1, 1.5, 2, -2,
        Math.PI, -Math.PI, Math.PI / 2, 3.75, 10, -10, 20, 20.5, -20.5, 27, -27, 30, -37.5, 100, -100, 700, -700,
        709.5, -709.5, 710, -746, 1e5, -1e5, 1e7, -3e7, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        // Past sin and cos's Cody-Waite range (2^26), where Payne-Hanek reduces: 2^26 itself, large integers and the
        // largest double, and 6381956970095103 2^797, the double closest to a multiple of pi/2 (Kahan-McDonald).
        67108864, -67108864.5, 1e9 + 0.25, 123456789012345678, -1e22, 1e100, 1e300, double.MaxValue, 6381956970095103 * Math.Pow(2, 797),
    ];

    /// <summary>Specials then <paramref name="count"/> values |x| log-uniform in [1e-12, maxAbs], random signs; for Sin and
    /// Cos maxAbs is 1e300.</summary>
    private static double[] Arguments(int seed, int count, double maxAbs)
    {
        var rng = new Random(seed);
        var values = new List<double>(Specials);
        for (var i = 0; i < count; i++)
        {
            var magnitude = Math.Exp(Math.Log(1e-12) + (Math.Log(maxAbs) - Math.Log(1e-12)) * rng.NextDouble());
            values.Add(rng.Next(2) == 0 ? magnitude : -magnitude);
        }
        return values.ToArray();
    }

    private static IEnumerable<(UnaryOp Op, double Alpha, double Beta)> Cases()
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            switch (op)
            {
                case UnaryOp.Not: break;
                case UnaryOp.PowScalar:
                    foreach (var a in new[] { 2.0, 3.0, -1.0, 0.5, -2.5, 0.0, 1.0 / 3 }) yield return (op, a, 0);
                    break;
                case UnaryOp.ScalarPow:
                    foreach (var a in new[] { 1.7, 0.5, 2.0, 0.0, -2.0, 10.0 }) yield return (op, a, 0);
                    break;
                case UnaryOp.Softplus: yield return (op, 2.0, 20.0); break;
                case UnaryOp.Clamp: yield return (op, -0.5, 1.25); break;
                case UnaryOp.Affine: yield return (op, 1.5, -0.25); break;
                case UnaryOp.ScalarDiv: yield return (op, 3.0, 0); break;
                default: yield return (op, 0.1, 0); break;
            }
        }
    }

    private static Tensor Input(DType dtype, double[] values)
        => dtype == DType.Float64 ? Tensor.FromArray(values) : Tensor.FromArray(values.Select(v => (float)v).ToArray());

    [TestMethod]
    public void Float64UnaryMatchesCpuOverWideRanges()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        foreach (var (op, alpha, beta) in Cases())
        {
            var x = Input(DType.Float64, Arguments((int)op, 600, op is UnaryOp.Sin or UnaryOp.Cos ? 1e300 : 1e3));
            var yc = Tensor.Zeros(x.Shape.ToArray(), DType.Float64, Device.Cpu);
            var yg = Tensor.Zeros(x.Shape.ToArray(), DType.Float64, backend.Device);
            VulkanTestDevice.Cpu.Unary(op, x, yc, alpha, beta);
            backend.Unary(op, x.To(backend.Device), yg, alpha, beta);
            Parity.AssertClose(yc, yg, $"Unary {op} (alpha {alpha}) Float64", 1e-12, 1e-300);
        }
    }

    [TestMethod]
    public void Float64UnaryBackwardMatchesCpuOverWideRanges()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        foreach (var (op, alpha, beta) in Cases())
        {
            var x = Input(DType.Float64, Arguments((int)op + 100, 300, op is UnaryOp.Sin or UnaryOp.Cos ? 1e300 : 1e3));
            var shape = x.Shape.ToArray();
            var y = Tensor.Zeros(shape, DType.Float64, Device.Cpu);
            VulkanTestDevice.Cpu.Unary(op, x, y, alpha, beta);
            var gy = Parity.Random(shape, DType.Float64, 5);
            var gc = Tensor.Zeros(shape, DType.Float64, Device.Cpu);
            var gg = Tensor.Zeros(shape, DType.Float64, backend.Device);
            VulkanTestDevice.Cpu.UnaryBackward(op, x, y, gy, gc, alpha, beta);
            backend.UnaryBackward(op, x.To(backend.Device), y.To(backend.Device), gy.To(backend.Device), gg, alpha, beta);
            Parity.AssertClose(gc, gg, $"UnaryBackward {op} (alpha {alpha}) Float64", 1e-12, 1e-300);
        }
    }

    [TestMethod]
    public void Float32UnaryAndBackwardMatchCpuOverWideRanges()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var (op, alpha, beta) in Cases())
        {
            var x = Input(DType.Float32, Arguments((int)op + 200, 600, op is UnaryOp.Sin or UnaryOp.Cos ? 3e38 : 1e3));
            var shape = x.Shape.ToArray();
            var yc = Tensor.Zeros(shape, DType.Float32, Device.Cpu);
            var yg = Tensor.Zeros(shape, DType.Float32, backend.Device);
            VulkanTestDevice.Cpu.Unary(op, x, yc, alpha, beta);
            backend.Unary(op, x.To(backend.Device), yg, alpha, beta);
            Parity.AssertClose(yc, yg, $"Unary {op} (alpha {alpha}) Float32");

            var gy = Parity.Random(shape, DType.Float32, 6);
            var gc = Tensor.Zeros(shape, DType.Float32, Device.Cpu);
            var gg = Tensor.Zeros(shape, DType.Float32, backend.Device);
            VulkanTestDevice.Cpu.UnaryBackward(op, x, yc, gy, gc, alpha, beta);
            backend.UnaryBackward(op, x.To(backend.Device), yc.To(backend.Device), gy.To(backend.Device), gg, alpha, beta);
            Parity.AssertClose(gc, gg, $"UnaryBackward {op} (alpha {alpha}) Float32");
        }
    }

    [TestMethod]
    public void Float64BinaryPowMatchesCpuOverWideRanges()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (!backend.Info.Float64) Assert.Inconclusive($"{backend.Info.Name} has no shaderFloat64");
        // Every base against every exponent: the specials and a few integers, halves and large ones.
        var bases = Arguments(7, 60, 1e3);
        double[] exponents = [.. Specials.Where(v => Math.Abs(v) < 1e4 || double.IsInfinity(v) || double.IsNaN(v)), 3, -3, 0.5, -0.5, 1.0 / 3, 2.5, 41, -41, 1e-5];
        var a = Tensor.FromArray(bases).Reshape(bases.Length, 1).Expand(bases.Length, exponents.Length);
        var b = Tensor.FromArray(exponents).Reshape(1, exponents.Length).Expand(bases.Length, exponents.Length);
        var yc = Tensor.Zeros([bases.Length, exponents.Length], DType.Float64, Device.Cpu);
        var yg = Tensor.Zeros([bases.Length, exponents.Length], DType.Float64, backend.Device);
        VulkanTestDevice.Cpu.Binary(BinaryOp.Pow, a, b, yc);
        backend.Binary(BinaryOp.Pow, Tensor.FromArray(bases).Reshape(bases.Length, 1).To(backend.Device).Expand(bases.Length, exponents.Length),
            Tensor.FromArray(exponents).Reshape(1, exponents.Length).To(backend.Device).Expand(bases.Length, exponents.Length), yg);
        Parity.AssertClose(yc, yg, "Binary Pow Float64", 1e-12, 1e-300);
    }

    [TestMethod]
    public void LogicalNotOnBoolMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var n in new[] { 1, 7, 33, 1023 })
        {
            var x = Parity.Random([n], DType.Bool, n);
            var yc = Tensor.Zeros([n], DType.Bool, Device.Cpu);
            var yg = Tensor.Zeros([n], DType.Bool, backend.Device);
            VulkanTestDevice.Cpu.Unary(UnaryOp.Not, x, yc, 0, 0);
            backend.Unary(UnaryOp.Not, x.To(backend.Device), yg, 0, 0);
            Parity.AssertClose(yc, yg, $"Unary Not Bool [{n}]", 0, 0);
        }
        // A transposed view.
        var m = Parity.Random([7, 33], DType.Bool, 3);
        var tc = Tensor.Zeros([33, 7], DType.Bool, Device.Cpu);
        var tg = Tensor.Zeros([33, 7], DType.Bool, backend.Device);
        VulkanTestDevice.Cpu.Unary(UnaryOp.Not, m.Transpose(0, 1), tc, 0, 0);
        backend.Unary(UnaryOp.Not, m.To(backend.Device).Transpose(0, 1), tg, 0, 0);
        Parity.AssertClose(tc, tg, "Unary Not Bool transposed", 0, 0);
    }
}
