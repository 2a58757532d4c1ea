using Engine.Backends;
using Engine.Nn;

namespace Engine.Vulkan.Tests;

/// <summary>The Philox kernel against the CPU generator: the same (seed, offset) gives the same numbers. Raw words,
/// uniforms and integers must be bit-identical; normals use float32 log/sqrt/cos on the device against double on the
/// CPU, so they agree within 1e-5 of the distribution's scale (relative error alone is meaningless where cos crosses
/// zero).</summary>
[TestClass]
public sealed class RandomParityTests
{
    private static readonly int[] Sizes = [1, 7, 33, 1023, 100000];

    private static (Tensor Cpu, Tensor Vulkan) Fill(VulkanBackend backend, int n, DType dtype, RandomKind kind, ulong seed, ulong offset, double alpha, double beta, bool wide = true)
    {
        var cpu = Tensor.Zeros([n], dtype);
        VulkanTestDevice.Cpu.Random(cpu, kind, seed, offset, alpha, beta);
        var vulkan = Tensor.Zeros([n], dtype, backend.Device);
        backend.Random(vulkan, kind, seed, offset, alpha, beta, wide);
        return (cpu, vulkan.To(Device.Cpu));
    }

    private static void AssertIdentical(Tensor cpu, Tensor vulkan, string what)
    {
        var e = Parity.Values(cpu);
        var a = Parity.Values(vulkan);
        for (var i = 0; i < e.Length; i++)
            if (BitConverter.DoubleToInt64Bits(e[i]) != BitConverter.DoubleToInt64Bits(a[i]))
                Assert.Fail($"{what}: element {i} is {a[i]:R} on Vulkan, {e[i]:R} on the CPU");
    }

    [TestMethod]
    [DataRow(DType.Float32, -2.0, 3.0)]
    [DataRow(DType.Float64, -2.0, 3.0)]
    [DataRow(DType.Float32, 0.0, 1.0)]
    public void UniformIsBitIdentical(DType dtype, double low, double high)
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var n in Sizes)
        foreach (var (seed, offset) in new[] { (42UL, 0UL), (Generator.DefaultSeed, 5UL), (0xFFFF_FFFF_0000_0001UL, 0xFFFF_FFFFUL) })
        {
            var (cpu, vulkan) = Fill(backend, n, dtype, RandomKind.Uniform, seed, offset, low, high);
            AssertIdentical(cpu, vulkan, $"Uniform {dtype} n={n} seed={seed} offset={offset}");
        }
    }

    [TestMethod]
    [DataRow(DType.Int64, 0.0, 10.0)]
    [DataRow(DType.Int32, -5.0, 1000003.0)]
    [DataRow(DType.Float32, 3.0, 7.0)]
    [DataRow(DType.Int64, 0.0, 6000000000.0)]
    public void IntegersAreBitIdentical(DType dtype, double low, double high)
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var n in Sizes)
        {
            var (cpu, vulkan) = Fill(backend, n, dtype, RandomKind.Integer, 1234, 77, low, high);
            AssertIdentical(cpu, vulkan, $"Integer {dtype} [{low}, {high}) n={n}");
        }
    }

    [TestMethod]
    public void Float32NormalsAreBitIdentical()
    {
        // Box-Muller in double on the device (f64math's log and cos, a few ulps of the CPU's) rounds to the CPU's float.
        var backend = VulkanTestDevice.BackendOrInconclusive();
        const double mean = 0.5, std = 2.0;
        foreach (var n in Sizes)
        {
            var (cpu, vulkan) = Fill(backend, n, DType.Float32, RandomKind.Normal, 99, 1 + (ulong)n, mean, std);
            AssertIdentical(cpu, vulkan, $"Normal Float32 n={n}");
        }
    }

    [TestMethod]
    public void Float64NormalsAgreeToAFewUlps()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        const double mean = 0.5, std = 2.0;
        foreach (var n in Sizes)
        {
            var (cpu, vulkan) = Fill(backend, n, DType.Float64, RandomKind.Normal, 99, 1 + (ulong)n, mean, std);
            Parity.AssertClose(cpu, vulkan, $"Normal Float64 n={n}", rtol: 1e-14, atol: 1e-14 * std);
        }
    }

    [TestMethod]
    public void NarrowBuildWithoutFloat64MatchesTheCpu()
    {
        // What a device without shaderFloat64/shaderInt64 runs: uniforms on [0, 1) and integers exact, other uniform
        // ranges within float32 rounding of the bounds, normals as in the wide build.
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var n in Sizes)
        {
            var (cpu, vulkan) = Fill(backend, n, DType.Float32, RandomKind.Uniform, 3, 0xFFFF_FFFF, 0, 1, wide: false);
            AssertIdentical(cpu, vulkan, $"narrow Uniform [0, 1) n={n}");
            (cpu, vulkan) = Fill(backend, n, DType.Float32, RandomKind.Uniform, 3, 9, -2, 3, wide: false);
            Parity.AssertClose(cpu, vulkan, $"narrow Uniform [-2, 3) n={n}", rtol: 1e-6, atol: 1e-6 * 3);
            (cpu, vulkan) = Fill(backend, n, DType.Int32, RandomKind.Integer, 3, 9, -5, 1000003, wide: false);
            AssertIdentical(cpu, vulkan, $"narrow Integer Int32 n={n}");
            (cpu, vulkan) = Fill(backend, n, DType.Float32, RandomKind.Integer, 3, 9, -7, 2000000000.0, wide: false);
            AssertIdentical(cpu, vulkan, $"narrow Integer Float32 n={n}");
            (cpu, vulkan) = Fill(backend, n, DType.Float32, RandomKind.Normal, 3, 9, 0.5, 2, wide: false);
            Parity.AssertClose(cpu, vulkan, $"narrow Normal n={n}", rtol: 1e-5, atol: 1e-5 * 2);
        }
    }

    [TestMethod]
    public void NarrowBuildRefusesWhatItCannotComputeExactly()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var d = Tensor.Zeros([3], DType.Float64, backend.Device);
        var wide = Assert.ThrowsExactly<NotSupportedException>(() => backend.Random(d, RandomKind.Uniform, 1, 0, 0, 1, wide: false));
        StringAssert.Contains(wide.Message, "shaderFloat64");
        using var i = Tensor.Zeros([3], DType.Int32, backend.Device);
        var range = Assert.ThrowsExactly<NotSupportedException>(() => backend.Random(i, RandomKind.Integer, 1, 0, 0.5, 10, wide: false));
        StringAssert.Contains(range.Message, "Random Integer over [0.5, 10)");
    }

    [TestMethod]
    public void RawWordsAreBitIdentical()
    {
        // Integer over [0, 2^32) returns each word itself: (w * 2^32) >> 32 = w.
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var (cpu, vulkan) = Fill(backend, 1023, DType.Int64, RandomKind.Integer, 0xDEADBEEFCAFEUL, 3, 0, 4294967296.0);
        var words = vulkan.ToArray<long>();
        for (var i = 0; i < words.Length; i++)
        {
            var block = Philox.Block(0xDEADBEEFCAFEUL, 3 + (ulong)(i / 4));
            uint[] expected = [block.Item1, block.Item2, block.Item3, block.Item4];
            Assert.AreEqual((long)expected[i % 4], words[i], $"word {i}");
        }
        AssertIdentical(cpu, vulkan, "raw words");
    }

    [TestMethod]
    public void ViewWithOffsetIsFilledFromItsStart()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var cpu = Tensor.Zeros([40], DType.Float32);
        var vulkan = Tensor.Zeros([40], DType.Float32, backend.Device);
        VulkanTestDevice.Cpu.Random(cpu.Slice(0, 5, 38), RandomKind.Uniform, 8, 2, 0, 1);
        backend.Random(vulkan.Slice(0, 5, 38), RandomKind.Uniform, 8, 2, 0, 1);
        AssertIdentical(cpu, vulkan.To(Device.Cpu), "slice [5, 38)");
    }

    [TestMethod]
    public void BoolAndIntegerNormalsAreRefused()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var b = Tensor.Zeros([3], DType.Bool, backend.Device);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Random(b, RandomKind.Uniform, 1, 0, 0, 1));
        StringAssert.Contains(e.Message, "Random Uniform on Bool");
        using var i = Tensor.Zeros([3], DType.Int32, backend.Device);
        var normal = Assert.ThrowsExactly<NotSupportedException>(() => backend.Random(i, RandomKind.Normal, 1, 0, 0, 1));
        StringAssert.Contains(normal.Message, "Random Normal on Int32");
    }

    [TestMethod]
    public void SameSeedGivesSameInitialWeightsAndDropoutMask()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var cpu = new Linear(33, 7, generator: new Generator(11));
        var vulkan = new Linear(33, 7, device: backend.Device, generator: new Generator(11));
        AssertIdentical(cpu.Weight, vulkan.Weight.To(Device.Cpu), "Linear weight");
        AssertIdentical(cpu.Bias!, vulkan.Bias!.To(Device.Cpu), "Linear bias");

        var ones = Tensor.Ones([8, 33], DType.Float32);
        var cpuMask = ones.Dropout(0.3, generator: new Generator(5));
        var vulkanMask = ones.To(backend.Device).Dropout(0.3, generator: new Generator(5)).To(Device.Cpu);
        AssertIdentical(cpuMask, vulkanMask, "Dropout mask");
        Assert.IsTrue(cpuMask.ToArray<float>().Any(v => v == 0), "some elements dropped");
    }
}
