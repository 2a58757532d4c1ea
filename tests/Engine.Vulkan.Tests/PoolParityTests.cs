using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Max, average and adaptive average pooling and their gradients against the CPU backend's: 2x2 stride-2
/// windows (the CPU's vectorised path), overlapping windows, padding, dilation, ceil mode, count_include_pad off, odd
/// sizes (7, 33), on contiguous inputs and channels-last views. Max pooling and its gradient must be bit-identical
/// (the same comparisons and the same order of additions, ties and NaN included); the averages within 1e-5.</summary>
[TestClass]
public sealed class PoolParityTests
{
    /// <summary>(x, kernel, stride, padding, dilation, ceil mode, count_include_pad).</summary>
    private static readonly (int[] X, (int, int) K, (int, int) S, (int, int) P, (int, int) D, bool Ceil, bool IncludePad)[] Cases =
    [
        ([1, 1, 7, 7], (2, 2), (2, 2), (0, 0), (1, 1), false, true),
        ([2, 3, 8, 8], (2, 2), (2, 2), (0, 0), (1, 1), false, true),
        ([2, 3, 7, 9], (3, 3), (1, 1), (1, 1), (1, 1), false, true),
        ([1, 33, 33, 33], (3, 3), (2, 2), (1, 1), (1, 1), true, true),
        ([2, 2, 9, 9], (3, 3), (2, 2), (1, 1), (2, 2), false, true),
        ([1, 2, 5, 6], (2, 3), (1, 2), (1, 1), (1, 1), true, false),
        ([3, 1, 10, 7], (5, 5), (3, 2), (2, 2), (1, 1), true, false),
    ];

    private static IEnumerable<DType> DTypes(VulkanBackend backend) => backend.Info.Float64 ? [DType.Float32, DType.Float64] : [DType.Float32];

    /// <summary>Values in {0, 1, 2} (many ties in every window), with a few NaNs when asked.</summary>
    private static Tensor Tied(int[] shape, DType dtype, int seed, bool nans)
    {
        var rng = new Random(seed);
        var n = shape.Aggregate(1, (a, b) => a * b);
        var values = Enumerable.Range(0, n).Select(_ => nans && rng.Next(50) == 0 ? double.NaN : rng.Next(3)).ToArray();
        var t = dtype == DType.Float64 ? Tensor.FromArray(values) : Tensor.FromArray(values.Select(v => (float)v).ToArray());
        return t.Reshape(shape);
    }

    /// <summary>The same values on both devices, contiguous or as a permuted channels-last tensor.</summary>
    private static (Tensor Cpu, Tensor Gpu) OnBoth(Tensor t, bool channelsLast, Device device)
    {
        if (!channelsLast) return (t, t.To(device));
        var nhwc = t.Permute(0, 2, 3, 1).Contiguous();
        return (nhwc.Permute(0, 3, 1, 2), nhwc.To(device).Permute(0, 3, 1, 2));
    }

    [TestMethod]
    public void MaxPoolAndGradientAreBitIdenticalToCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        foreach (var dtype in DTypes(backend))
        foreach (var channelsLast in new[] { false, true })
        for (var i = 0; i < Cases.Length; i++)
        {
            var (xShape, k, s, pad, d, ceil, _) = Cases[i];
            var p = new Pool2dParams(k.Item1, k.Item2, s.Item1, s.Item2, pad.Item1, pad.Item2, d.Item1, d.Item2, ceil, true);
            var yShape = new[] { xShape[0], xShape[1], p.OutSize(xShape[2], true), p.OutSize(xShape[3], false) };
            var what = $"{dtype} x {Shape.Format(xShape)} {p} channels-last {channelsLast}";
            foreach (var nans in new[] { false, true })
            {
                var (x, xg) = OnBoth(Tied(xShape, dtype, 10 * i + (nans ? 1 : 0), nans), channelsLast, device);
                var y = Tensor.Zeros(yShape, dtype, Device.Cpu);
                var ids = Tensor.Zeros(yShape, DType.Int64, Device.Cpu);
                var yg = Tensor.Zeros(yShape, dtype, device);
                var idsg = Tensor.Zeros(yShape, DType.Int64, device);
                cpu.MaxPool2d(x, y, ids, p);
                backend.MaxPool2d(xg, yg, idsg, p);
                Parity.AssertClose(y, yg, $"MaxPool2d {what} NaNs {nans}", 0, 0);
                Parity.AssertClose(ids, idsg, $"MaxPool2d indices {what} NaNs {nans}", 0, 0);
            }
            // The gradient routed through the forward's indices (overlapping windows add up at one input).
            var (xr, _) = OnBoth(Tied(xShape, dtype, 10 * i + 2, nans: false), false, device);
            var yr = Tensor.Zeros(yShape, dtype, Device.Cpu);
            var idr = Tensor.Zeros(yShape, DType.Int64, Device.Cpu);
            cpu.MaxPool2d(xr, yr, idr, p);
            var (gy, gyg) = OnBoth(Parity.Random(yShape, dtype, 10 * i + 3), channelsLast, device);
            var gx = Tensor.Zeros(xShape, dtype, Device.Cpu);
            var gxg = Parity.Random(xShape, dtype, 5).To(device); // must be overwritten, not added to
            cpu.MaxPool2dBackward(gy, idr, gx);
            backend.MaxPool2dBackward(gyg, idr.To(device), gxg);
            Parity.AssertClose(gx, gxg, $"MaxPool2dBackward {what}", 0, 0);
        }
    }

    [TestMethod]
    public void AvgPoolAndGradientMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        foreach (var dtype in DTypes(backend))
        foreach (var channelsLast in new[] { false, true })
        for (var i = 0; i < Cases.Length; i++)
        {
            var (xShape, k, s, pad, _, ceil, includePad) = Cases[i];
            // Average pooling has no dilation.
            var p = new Pool2dParams(k.Item1, k.Item2, s.Item1, s.Item2, pad.Item1, pad.Item2, 1, 1, ceil, includePad);
            var yShape = new[] { xShape[0], xShape[1], p.OutSize(xShape[2], true), p.OutSize(xShape[3], false) };
            var what = $"{dtype} x {Shape.Format(xShape)} {p} channels-last {channelsLast}";
            var rtol = dtype == DType.Float32 ? Parity.Rtol : 1e-12;
            var (x, xg) = OnBoth(Parity.Random(xShape, dtype, 20 * i), channelsLast, device);
            var y = Tensor.Zeros(yShape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(yShape, dtype, device);
            cpu.AvgPool2d(x, y, p);
            backend.AvgPool2d(xg, yg, p);
            Parity.AssertClose(y, yg, $"AvgPool2d {what}", rtol, Parity.Atol);
            var (gy, gyg) = OnBoth(Parity.Random(yShape, dtype, 20 * i + 1), channelsLast, device);
            var gx = Tensor.Zeros(xShape, dtype, Device.Cpu);
            var gxg = Parity.Random(xShape, dtype, 6).To(device);
            cpu.AvgPool2dBackward(gy, gx, p);
            backend.AvgPool2dBackward(gyg, gxg, p);
            Parity.AssertClose(gx, gxg, $"AvgPool2dBackward {what}", rtol, Parity.Atol);
        }
    }

    [TestMethod]
    public void AdaptiveAvgPoolAndGradientMatchCpu()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var cpu = VulkanTestDevice.Cpu;
        (int[] X, int OH, int OW)[] cases = [([2, 3, 7, 7], 3, 3), ([1, 2, 5, 6], 5, 6), ([1, 1, 33, 33], 7, 5), ([1, 2, 3, 4], 7, 5), ([4, 8, 1, 1], 1, 1), ([2, 33, 8, 8], 1, 1)];
        foreach (var dtype in DTypes(backend))
        foreach (var channelsLast in new[] { false, true })
        foreach (var (xShape, oh, ow) in cases)
        {
            var yShape = new[] { xShape[0], xShape[1], oh, ow };
            var what = $"{dtype} {Shape.Format(xShape)} to {oh}x{ow} channels-last {channelsLast}";
            var rtol = dtype == DType.Float32 ? Parity.Rtol : 1e-12;
            var (x, xg) = OnBoth(Parity.Random(xShape, dtype, oh * 7 + ow), channelsLast, device);
            var y = Tensor.Zeros(yShape, dtype, Device.Cpu);
            var yg = Tensor.Zeros(yShape, dtype, device);
            cpu.AdaptiveAvgPool2d(x, y);
            backend.AdaptiveAvgPool2d(xg, yg);
            Parity.AssertClose(y, yg, $"AdaptiveAvgPool2d {what}", rtol, Parity.Atol);
            var (gy, gyg) = OnBoth(Parity.Random(yShape, dtype, oh * 7 + ow + 1), channelsLast, device);
            var gx = Tensor.Zeros(xShape, dtype, Device.Cpu);
            var gxg = Parity.Random(xShape, dtype, 7).To(device);
            cpu.AdaptiveAvgPool2dBackward(gy, gx);
            backend.AdaptiveAvgPool2dBackward(gyg, gxg);
            Parity.AssertClose(gx, gxg, $"AdaptiveAvgPool2dBackward {what}", rtol, Parity.Atol);
        }
    }

    [TestMethod]
    public void MaxPoolGradientOverPlanesLongerThanTheDriverLoopsIsRefused()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (backend.Info.LoopIterationLimit == long.MaxValue) Assert.Inconclusive($"{backend.Info.Driver} has no loop limit");
        // One plane of 70001 outputs: one invocation would route them all.
        using var g = Tensor.Zeros([1, 1, 1, 70001], DType.Float32, backend.Device);
        using var indices = Tensor.Zeros([1, 1, 1, 70001], DType.Int64, backend.Device);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => backend.MaxPool2dBackward(g, indices, g));
        StringAssert.Contains(e.Message, "MaxPool2dBackward");
        StringAssert.Contains(e.Message, "stops loops after 65535 iterations");
    }

    [TestMethod]
    public void PoolingRejectsOperandsThatDoNotFit()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var p = new Pool2dParams(2, 2, 2, 2, 0, 0, 1, 1, false, true);
        using var x = Tensor.Zeros([1, 2, 4, 4], DType.Float32, device);
        using var y = Tensor.Zeros([1, 2, 2, 2], DType.Float32, device);
        using var int32Indices = Tensor.Zeros([1, 2, 2, 2], DType.Int32, device);
        var e = Assert.ThrowsExactly<ArgumentException>(() => backend.MaxPool2d(x, y, int32Indices, p));
        StringAssert.Contains(e.Message, "MaxPool2d");
        StringAssert.Contains(e.Message, "Int32");
        using var wrongPlanes = Tensor.Zeros([1, 3, 2, 2], DType.Float32, device);
        var shapes = Assert.ThrowsExactly<ArgumentException>(() => backend.AvgPool2d(x, wrongPlanes, p));
        StringAssert.Contains(shapes.Message, "(1,3,2,2)");
        using var yCpu = Tensor.Zeros([1, 2, 2, 2], DType.Float32, Device.Cpu);
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => backend.AdaptiveAvgPool2d(x, yCpu));
        StringAssert.Contains(mixed.Message, "AdaptiveAvgPool2d");
    }
}
