using Engine.Backends;
using Engine.Nn;
using Engine.Nn.Models;
using Engine.Optim;

namespace Engine.Vulkan.Tests;

/// <summary>Conv2d and its two gradients against the CPU backend's: kernels 1x1, 3x3, 5x5 and rectangular ones,
/// strides 1 and 2, padding, dilation, groups (depthwise included), batch 1 and odd sizes (7, 33), with and without
/// bias, on contiguous operands and on permuted or sliced views. Sums are compared within 1e-5 (float32) or 1e-12
/// (float64) of the same sum over the operands' magnitudes, the bound for a different summation order.</summary>
[TestClass]
public sealed class ConvParityTests
{
    /// <summary>(x [N,C,H,W], w [O,C/groups,KH,KW], stride, padding, dilation, groups, bias).</summary>
    private static readonly (int[] X, int[] W, (int, int) S, (int, int) P, (int, int) D, int G, bool Bias)[] Cases =
    [
        ([1, 1, 7, 7], [1, 1, 3, 3], (1, 1), (1, 1), (1, 1), 1, true),
        ([2, 3, 8, 8], [4, 3, 1, 1], (1, 1), (0, 0), (1, 1), 1, false),
        ([3, 7, 9, 11], [5, 7, 3, 3], (2, 2), (1, 1), (1, 1), 1, true),
        ([2, 4, 13, 13], [6, 2, 5, 5], (1, 1), (2, 2), (1, 1), 2, false),
        ([1, 33, 7, 7], [33, 33, 3, 3], (1, 1), (1, 1), (1, 1), 1, true),
        ([2, 3, 33, 33], [7, 3, 3, 3], (2, 2), (0, 0), (2, 2), 1, true),
        ([1, 2, 6, 9], [3, 2, 3, 5], (2, 1), (0, 2), (1, 2), 1, false),
        ([2, 6, 10, 10], [6, 1, 3, 3], (1, 1), (1, 1), (1, 1), 6, true),
        ([4, 16, 14, 14], [70, 16, 3, 3], (1, 1), (1, 1), (1, 1), 1, true),
        ([8, 3, 32, 32], [4, 3, 5, 5], (2, 2), (2, 2), (1, 1), 1, false),
    ];

    private static IEnumerable<(DType DType, double Rtol)> DTypes(VulkanBackend backend)
        => backend.Info.Float64 ? [(DType.Float32, 1e-5), (DType.Float64, 1e-12)] : [(DType.Float32, 1e-5)];

    /// <summary>|vulkan - cpu| &lt;= rtol * bound elementwise, bound the same primitive over absolute values.</summary>
    private static void AssertWithin(Tensor cpu, Tensor vulkan, Tensor bound, double rtol, string what)
    {
        CollectionAssert.AreEqual(cpu.Shape.ToArray(), vulkan.Shape.ToArray(), what);
        var (e, a, b) = (Parity.Values(cpu), Parity.Values(vulkan), Parity.Values(bound));
        for (var i = 0; i < e.Length; i++)
        {
            var tolerance = rtol * b[i] + 1e-30;
            if (!(Math.Abs(a[i] - e[i]) <= tolerance))
                Assert.Fail($"{what}: element {i} is {a[i]:R} on Vulkan, {e[i]:R} on the CPU (tolerance {tolerance:G3})");
        }
    }

    private static Tensor Abs(Tensor t)
    {
        var y = Tensor.Zeros(t.Shape.ToArray(), t.DType, Device.Cpu);
        VulkanTestDevice.Cpu.Unary(UnaryOp.Abs, t, y, 0, 0);
        return y;
    }

    /// <summary>A random tensor of <paramref name="shape"/> on both devices, as the same kind of view: contiguous, a
    /// permutation of a channels-last tensor, or every other element of a wider one.</summary>
    private static (Tensor Cpu, Tensor Gpu) Operand(int[] shape, DType dtype, int seed, int layout, Device device)
    {
        switch (layout)
        {
            case 1:
                var nhwc = Parity.Random([shape[0], shape[2], shape[3], shape[1]], dtype, seed);
                return (nhwc.Permute(0, 3, 1, 2), nhwc.To(device).Permute(0, 3, 1, 2));
            case 2:
                var wide = Parity.Random([shape[0], shape[1], shape[2], 2 * shape[3]], dtype, seed);
                return (wide.Slice(3, 1, 2 * shape[3], 2), wide.To(device).Slice(3, 1, 2 * shape[3], 2));
            default:
                var t = Parity.Random(shape, dtype, seed);
                return (t, t.To(device));
        }
    }

    private static void CheckCase(VulkanBackend backend, int index, DType dtype, double rtol, int layout)
    {
        var (xShape, wShape, s, pad, d, groups, hasBias) = Cases[index];
        var p = new Conv2dParams(s.Item1, s.Item2, pad.Item1, pad.Item2, d.Item1, d.Item2, groups);
        var yShape = new[] { xShape[0], wShape[0], p.OutSize(xShape[2], wShape[2], true), p.OutSize(xShape[3], wShape[3], false) };
        var what = $"{dtype} x {Shape.Format(xShape)} w {Shape.Format(wShape)} {p} bias {hasBias} layout {layout}";
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        var seed = 1000 * index + 10 * layout;
        var (x, xg) = Operand(xShape, dtype, seed + 1, layout, device);
        var (w, wg) = Operand(wShape, dtype, seed + 2, layout, device);
        var (gy, gyg) = Operand(yShape, dtype, seed + 3, layout, device);
        var bias = hasBias ? Parity.Random([wShape[0]], dtype, seed + 4) : null;
        Tensor Zeros(int[] shape, Device on) => Tensor.Zeros(shape, dtype, on);

        var y = Zeros(yShape, Device.Cpu);
        var yg = Zeros(yShape, device);
        var yBound = Zeros(yShape, Device.Cpu);
        cpu.Conv2d(x, w, bias, y, p);
        backend.Conv2d(xg, wg, bias?.To(device), yg, p);
        cpu.Conv2d(Abs(x), Abs(w), bias is null ? null : Abs(bias), yBound, p);
        AssertWithin(y, yg, yBound, rtol, "Conv2d " + what);

        var gx = Zeros(xShape, Device.Cpu);
        var gxg = Zeros(xShape, device);
        var gxBound = Zeros(xShape, Device.Cpu);
        cpu.Conv2dBackwardInput(gy, w, gx, p);
        backend.Conv2dBackwardInput(gyg, wg, gxg, p);
        cpu.Conv2dBackwardInput(Abs(gy), Abs(w), gxBound, p);
        AssertWithin(gx, gxg, gxBound, rtol, "Conv2dBackwardInput " + what);

        var gw = Zeros(wShape, Device.Cpu);
        var gwg = Zeros(wShape, device);
        var gwBound = Zeros(wShape, Device.Cpu);
        cpu.Conv2dBackwardWeight(gy, x, gw, p);
        backend.Conv2dBackwardWeight(gyg, xg, gwg, p);
        cpu.Conv2dBackwardWeight(Abs(gy), Abs(x), gwBound, p);
        AssertWithin(gw, gwg, gwBound, rtol, "Conv2dBackwardWeight " + what);
    }

    [TestMethod]
    public void ConvAndGradientsMatchCpuOnContiguousOperands()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var (dtype, rtol) in DTypes(backend))
            for (var i = 0; i < Cases.Length; i++)
                CheckCase(backend, i, dtype, rtol, layout: 0);
    }

    [TestMethod]
    public void ConvAndGradientsMatchCpuOnStridedViews()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        foreach (var (dtype, rtol) in DTypes(backend))
            foreach (var i in new[] { 0, 2, 3, 6 })
                for (var layout = 1; layout <= 2; layout++)
                    CheckCase(backend, i, dtype, rtol, layout);
    }

    [TestMethod]
    public void ConvWritesIntoStridedOutputsAndOffsets()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1);
        var x = Parity.Random([2, 3, 5, 5], DType.Float32, 5);
        var w = Parity.Random([4, 3, 3, 3], DType.Float32, 6);
        var y = Tensor.Zeros([2, 4, 5, 5], DType.Float32, Device.Cpu);
        VulkanTestDevice.Cpu.Conv2d(x, w, null, y, p);
        // y written as a channels-last permutation, x and w read at offsets inside larger storages.
        var yStore = Tensor.Zeros([2, 5, 5, 4], DType.Float32, device);
        var yg = yStore.Permute(0, 3, 1, 2);
        var xg = Tensor.Cat([Parity.Random([1, 3, 5, 5], DType.Float32, 7), x]).To(device).Narrow(0, 1, 2);
        var wg = Tensor.Cat([Parity.Random([1, 3, 3, 3], DType.Float32, 8), w]).To(device).Narrow(0, 1, 4);
        backend.Conv2d(xg, wg, null, yg, p);
        Parity.AssertClose(y, yg, "Conv2d into a permuted output", 1e-5, 1e-5);
    }

    [TestMethod]
    public void EmptyReductionsWriteZerosOrTheBias()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        var p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1);
        // Outputs start as random values: an empty sum must overwrite them.
        Tensor Garbage(int[] shape) => Parity.Random(shape, DType.Float32, 99).To(device);
        // No input channels: y is the bias.
        var bias = Parity.Random([3], DType.Float32, 1);
        var y = Tensor.Zeros([2, 3, 4, 4], DType.Float32, Device.Cpu);
        var yg = Garbage([2, 3, 4, 4]);
        cpu.Conv2d(Tensor.Zeros([2, 0, 4, 4]), Tensor.Zeros([3, 0, 3, 3]), bias, y, p);
        backend.Conv2d(Tensor.Zeros([2, 0, 4, 4], DType.Float32, device), Tensor.Zeros([3, 0, 3, 3], DType.Float32, device), bias.To(device), yg, p);
        Parity.AssertClose(y, yg, "Conv2d over no input channels", 0, 0);
        // No output channels: the input gradient is zero.
        var gxg = Garbage([2, 3, 4, 4]);
        backend.Conv2dBackwardInput(Tensor.Zeros([2, 0, 4, 4], DType.Float32, device), Tensor.Zeros([0, 3, 3, 3], DType.Float32, device), gxg, p);
        Assert.IsTrue(gxg.ToArray<float>().All(v => v == 0), "Conv2dBackwardInput with no output channels");
        // An empty batch: the weight gradient is zero.
        var gwg = Garbage([5, 3, 3, 3]);
        backend.Conv2dBackwardWeight(Tensor.Zeros([0, 5, 4, 4], DType.Float32, device), Tensor.Zeros([0, 3, 4, 4], DType.Float32, device), gwg, p);
        Assert.IsTrue(gwg.ToArray<float>().All(v => v == 0), "Conv2dBackwardWeight over an empty batch");
    }

    [TestMethod]
    public void ConvRejectsOperandsThatDoNotFit()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var p = new Conv2dParams(1, 1, 0, 0, 1, 1, 1);
        using var x = Tensor.Zeros([1, 3, 5, 5], DType.Float32, device);
        using var w = Tensor.Zeros([2, 4, 3, 3], DType.Float32, device);
        using var y = Tensor.Zeros([1, 2, 3, 3], DType.Float32, device);
        var e = Assert.ThrowsExactly<ArgumentException>(() => backend.Conv2d(x, w, null, y, p));
        StringAssert.Contains(e.Message, "Conv2d");
        StringAssert.Contains(e.Message, "(2,4,3,3)");
        using var wCpu = Tensor.Zeros([2, 3, 3, 3], DType.Float32, Device.Cpu);
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => backend.Conv2dBackwardInput(y, wCpu, x, p));
        StringAssert.Contains(mixed.Message, "Conv2dBackwardInput");
        using var yInt = Tensor.Zeros([1, 2, 3, 3], DType.Int32, device);
        var dtype = Assert.ThrowsExactly<ArgumentException>(() => backend.Conv2dBackwardWeight(yInt, x, w, p));
        StringAssert.Contains(dtype.Message, "Int32");
    }

    [TestMethod]
    public void ConvOpsAndTheirGradientsRunThroughAutograd()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var x = Parity.Random([2, 3, 9, 9], DType.Float32, 11);
        var w = Parity.Random([5, 3, 3, 3], DType.Float32, 12);
        var b = Parity.Random([5], DType.Float32, 13);
        (Tensor Y, Tensor Gx, Tensor Gw, Tensor Gb) Run(Device on)
        {
            var xs = x.To(on).Detach().RequiresGrad_();
            var ws = w.To(on).Detach().RequiresGrad_();
            var bs = b.To(on).Detach().RequiresGrad_();
            var y = Tensor.Conv2d(xs, ws, bs, stride: 2, padding: 1).Relu().MaxPool2d(2);
            y.Square().Sum().Backward();
            return (y, xs.Grad!, ws.Grad!, bs.Grad!);
        }
        var (yc, gxc, gwc, gbc) = Run(Device.Cpu);
        var (yv, gxv, gwv, gbv) = Run(device);
        Parity.AssertClose(yc, yv, "conv-relu-pool", 1e-5, 1e-5);
        Parity.AssertClose(gxc, gxv, "x.Grad", 1e-4, 1e-5);
        Parity.AssertClose(gwc, gwv, "w.Grad", 1e-4, 1e-5);
        Parity.AssertClose(gbc, gbv, "b.Grad", 1e-4, 1e-5);
    }

    [TestMethod]
    public void WeightGradientSplitsKeepEveryInvocationWithinTheLoopLimit()
    {
        foreach (var (k, tiles) in new[] { (1, 1L), (49, 1L), (8192, 1L), (784, 3L), (2_000_000_000, 4096L), (1_048_561, 64L), (100_000, 10_000L) })
        {
            var (chunk, splits) = VulkanBackend.ConvSplits(k, tiles, 65535);
            Assert.AreEqual(0, chunk % 16, $"k {k}: chunk {chunk} is not a whole number of 16-deep tiles");
            Assert.IsTrue((long)chunk * splits >= k && (long)chunk * (splits - 1) < k, $"k {k}: {splits} chunks of {chunk} do not cover it exactly");
            Assert.IsTrue(chunk / 16 <= 65535, $"k {k}: a chunk of {chunk} loops {chunk / 16} times");
        }
        Assert.AreEqual((0, 1), VulkanBackend.ConvSplits(0, 1, 65535));
    }

    [TestMethod]
    public void ConvWhoseReductionOutrunsTheDriverLoopsIsRefused()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (backend.Info.LoopIterationLimit == long.MaxValue) Assert.Inconclusive($"{backend.Info.Driver} has no loop limit");
        // One output from a 1025x1025 kernel: 1050625 products, 65665 16-deep tiles in one invocation.
        using var x = Tensor.Zeros([1, 1, 1025, 1025], DType.Float32, backend.Device);
        using var y = Tensor.Zeros([1, 1, 1, 1], DType.Float32, backend.Device);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.Conv2d(x, x, null, y, new Conv2dParams(1, 1, 0, 0, 1, 1, 1)));
        StringAssert.Contains(e.Message, "Conv2d");
        StringAssert.Contains(e.Message, "stops loops after 65535 iterations");
    }

    [TestMethod]
    public void CnnTrainingStepMatchesCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        // The CNN of `engine train --model cnn`, small: 8x8 images, conv 4 and 8 channels, hidden 16.
        Cnn Model() => new(inChannels: 1, classes: 10, imageSize: 8, c1: 4, c2: 8, hidden: 16, generator: new Generator(7));
        var x = Parity.Random([6, 1, 8, 8], DType.Float32, 21);
        var labels = Tensor.FromArray(new long[] { 0, 3, 9, 1, 3, 7 });
        var cpuModel = Model();
        var gpuModel = Model();
        gpuModel.To(device);
        var cpuLoss = TrainingStepTests.Step(cpuModel, x, labels);
        var gpuLoss = TrainingStepTests.Step(gpuModel, x.To(device), labels.To(device));
        Assert.AreEqual(cpuLoss, gpuLoss, 1e-5 * Math.Abs(cpuLoss), "first-step loss");
        foreach (var ((name, c), (_, g)) in cpuModel.NamedParameters().Zip(gpuModel.NamedParameters()))
            Parity.AssertClose(c, g, $"{name} after one Adam step", 1e-5, 1e-6);
    }
}
