using System.Numerics;

namespace Engine.Tests;

/// <summary>The 2x2 stride-2 pooling fast path (vectorised across output columns, with a scalar loop for rows
/// narrower than a vector) against plain scalar references in the input's own precision, bit for bit: values,
/// argmax indices (first maximum wins ties, the last NaN of a window wins) and gradients.</summary>
[TestClass]
public sealed class Pool2x2Tests
{
    // Widths cover: several vectors with a shifted last one (28, 14), odd sizes (a row and column no window reads),
    // rows narrower than a float vector (6 -> 3 outputs) and a single output.
    private static readonly int[][] Shapes = [[2, 3, 28, 28], [2, 3, 14, 14], [1, 2, 9, 11], [1, 2, 6, 6], [1, 1, 2, 3]];

    [TestMethod]
    [DataRow(DType.Float32)]
    [DataRow(DType.Float64)]
    public void MaxPoolMatchesSequentialScanWithTiesAndNaN(DType dtype)
    {
        foreach (var shape in Shapes)
        {
            var x = Awkward(shape, seed: shape[3]).To(dtype);
            var (y, idx) = x.MaxPool2dWithIndices(2);
            var (values, indices) = dtype == DType.Float32 ? MaxRef(x.ToArray<float>(), shape) : MaxRef(x.ToArray<double>(), shape);
            CollectionAssert.AreEqual(indices, idx.ToArray<long>(), $"indices {Shape.Format(shape)} {dtype}");
            AssertBitwise(values, y.ToArray<double>(), $"values {Shape.Format(shape)} {dtype}");
        }
    }

    [TestMethod]
    public void MaxPoolFastPathTakesStridedInputAndEvenCeilMode()
    {
        // Ceil mode on even sizes gives the same whole windows, so the fast path applies too.
        var x = Awkward([2, 12, 3, 16], seed: 5).Permute(0, 2, 1, 3);
        Assert.IsFalse(x.IsContiguous);
        var (y, idx) = x.MaxPool2dWithIndices(2, ceilMode: true);
        var (values, indices) = MaxRef(x.ToArray<double>(), [2, 3, 12, 16]);
        CollectionAssert.AreEqual(indices, idx.ToArray<long>());
        AssertBitwise(values, y.ToArray<double>(), "strided");
    }

    [TestMethod]
    [DataRow(DType.Float32)]
    [DataRow(DType.Float64)]
    public void MaxPoolGradientGoesToTheArgmax(DType dtype)
    {
        foreach (var shape in Shapes)
        {
            var x = Awkward(shape, seed: 7).To(dtype).RequiresGrad_();
            var (y, idx) = x.MaxPool2dWithIndices(2);
            var gy = Tensor.Randn(y.Shape.ToArray(), dtype, new Generator(8));
            y.Backward(gy);
            var expected = new double[x.Numel];
            var g = gy.ToArray<double>();
            var ids = idx.ToArray<long>();
            var plane = shape[2] * shape[3];
            var outPlane = y.Numel / (shape[0] * shape[1]);
            for (var k = 0; k < g.Length; k++) expected[k / outPlane * plane + ids[k]] += g[k];
            AssertBitwise(expected, x.Grad!.ToArray<double>(), $"gradient {Shape.Format(shape)} {dtype}");
        }
    }

    [TestMethod]
    [DataRow(DType.Float32)]
    [DataRow(DType.Float64)]
    public void AvgPoolAndItsGradientMatchScalarReference(DType dtype)
    {
        foreach (var shape in Shapes)
        {
            var x = Awkward(shape, seed: 9).To(dtype).RequiresGrad_();
            var y = x.AvgPool2d(2);
            var gy = Tensor.Randn(y.Shape.ToArray(), dtype, new Generator(10));
            y.Backward(gy);
            double[] values, grads;
            if (dtype == DType.Float32) (values, grads) = AvgRef(x.ToArray<float>(), gy.ToArray<float>(), shape);
            else (values, grads) = AvgRef(x.ToArray<double>(), gy.ToArray<double>(), shape);
            AssertBitwise(values, y.ToArray<double>(), $"values {Shape.Format(shape)} {dtype}");
            AssertBitwise(grads, x.Grad!.ToArray<double>(), $"gradient {Shape.Format(shape)} {dtype}");
        }
    }

    /// <summary>Values with many ties (a coarse grid with a quarter of zeros, as after a ReLU), NaNs (some windows
    /// hold two), infinities and negative zeros; each plane's first window is all negative zeros (whose average is
    /// +0, as the sum starts from +0).</summary>
    private static Tensor Awkward(int[] shape, int seed)
    {
        var random = new Random(seed);
        var data = new double[Shape.Numel(shape)];
        for (var i = 0; i < data.Length; i++)
        {
            var u = random.NextDouble();
            data[i] = u switch
            {
                < 0.04 => double.NaN,
                < 0.06 => double.PositiveInfinity,
                < 0.08 => double.NegativeInfinity,
                < 0.10 => -0.0,
                < 0.35 => 0.0,
                _ => Math.Round(random.NextDouble() * 8 - 4) / 2,
            };
        }
        int plane = shape[2] * shape[3], w = shape[3];
        for (var p = 0; p < data.Length / plane; p++)
            foreach (var at in new[] { 0, 1, w, w + 1 }) data[p * plane + at] = -0.0;
        return Tensor.FromArray(data, shape);
    }

    /// <summary>PyTorch's scan over a 2x2 window in row-major order: take v when v &gt; best or v is NaN.</summary>
    private static (double[] Values, long[] Indices) MaxRef<T>(T[] x, int[] shape)
        where T : IFloatingPointIeee754<T>
    {
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3], oh = h / 2, ow = w / 2;
        var values = new double[planes * oh * ow];
        var indices = new long[values.Length];
        var k = 0;
        for (var p = 0; p < planes; p++)
        for (var r = 0; r < oh; r++)
        for (var c = 0; c < ow; c++, k++)
        {
            var best = T.NegativeInfinity;
            var arg = -1L;
            foreach (var (i, j) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
            {
                var at = (2 * r + i) * w + 2 * c + j;
                var v = x[p * h * w + at];
                if (arg < 0 || v > best || T.IsNaN(v))
                {
                    best = v;
                    arg = at;
                }
            }
            values[k] = double.CreateChecked(best);
            indices[k] = arg;
        }
        return (values, indices);
    }

    /// <summary>Forward ((((0 + x00) + x01) + x10) + x11) / 4 and backward gy / 4 into each tap, in T's arithmetic;
    /// inputs no window reads get zero gradient.</summary>
    private static (double[] Values, double[] Grads) AvgRef<T>(T[] x, T[] gy, int[] shape)
        where T : IFloatingPointIeee754<T>
    {
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3], oh = h / 2, ow = w / 2;
        var four = T.CreateChecked(4);
        var values = new double[planes * oh * ow];
        var grads = new double[x.Length];
        var k = 0;
        for (var p = 0; p < planes; p++)
        for (var r = 0; r < oh; r++)
        for (var c = 0; c < ow; c++, k++)
        {
            var sum = T.Zero;
            foreach (var (i, j) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
            {
                var at = p * h * w + (2 * r + i) * w + 2 * c + j;
                sum += x[at];
                grads[at] = double.CreateChecked(gy[k] / four);
            }
            values[k] = double.CreateChecked(sum / four);
        }
        return (values, grads);
    }

    private static void AssertBitwise(double[] expected, double[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: element count");
        for (var i = 0; i < expected.Length; i++)
        {
            // NaN payloads may differ; every other value must match to the bit (including the sign of zero).
            if (double.IsNaN(expected[i]) && double.IsNaN(actual[i])) continue;
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
