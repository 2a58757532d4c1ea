using Engine.Backends;
using Engine.Nn;

namespace Engine.Vulkan.Tests;

/// <summary>Every differentiable op of the engine's public API, forward and backward through autograd, on the CPU and
/// on the Vulkan device with the same random inputs: outputs and input gradients must agree within 1e-5 relative plus
/// a small absolute term (1e-6 of the tensor's largest magnitude, for values that cancel to near zero; float64 within
/// 1e-10). The rows use non-contiguous views (transposes, strided slices), broadcast operands, size-1 dims and odd
/// sizes (1, 7, 33, 1023); the upstream gradient is random too, so no gradient is a plain sum of ones.
/// Rows in <see cref="PendingOnVulkan"/> (none today) are ops whose Vulkan kernel does not exist yet: for them the test
/// asserts that the device refuses with a <see cref="NotSupportedException"/> naming the op (never a wrong answer).
/// </summary>
[TestClass]
public sealed class AutogradParityTests
{
    /// <summary>Rows whose Vulkan kernels (forward or backward) are not implemented yet; each name must be a row below.
    /// Empty since every IBackend primitive has a kernel; an op added for a later paper lands here until its kernel
    /// does.</summary>
    private static readonly HashSet<string> PendingOnVulkan = [];

    /// <summary>One op under test. <see cref="Inputs"/> builds host tensors (fresh per run); every floating-point input
    /// is a leaf that requires a gradient unless <see cref="Constant"/> lists its position. <see cref="Op"/> is the
    /// name a refusal must contain (the row's name unless set).</summary>
    private sealed record Row(string Name, Func<Tensor[]> Inputs, Func<Tensor[], Tensor> Forward)
    {
        public string? Op { get; init; }

        public int[] Constant { get; init; } = [];

        /// <summary>Absolute tolerance as a fraction of the CPU tensor's largest magnitude (summation-order
        /// differences of long sums grow with it).</summary>
        public double AtolScale { get; init; } = 1e-6;
    }

    private static Tensor F(int seed, params int[] shape) => Parity.Random(shape, DType.Float32, seed);

    private static Tensor D(int seed, params int[] shape) => Parity.Random(shape, DType.Float64, seed);

    /// <summary>Positive floats, for log, sqrt, reciprocal, pow bases and divisors.</summary>
    private static Tensor P(int seed, params int[] shape) => Parity.Random(shape, DType.Float32, seed, 0.2, 3);

    private static Tensor I(int seed, int hi, params int[] shape) => Parity.Random(shape, DType.Int32, seed, 0, hi).To(DType.Int64);

    /// <summary>A unary op applied to a transposed view (the leaf is [33, 7], the op sees [7, 33]).</summary>
    private static Row Unary(string name, Func<Tensor, Tensor> f, bool positive = false)
        => new(name, () => [positive ? P(1, 33, 7) : F(1, 33, 7)], t => f(t[0].Transpose(0, 1)));

    /// <summary>A binary op broadcasting [5, 1, 7] against [4, 7] (a size-1 dim and a missing one).</summary>
    private static Row Binary(string name, Func<Tensor, Tensor, Tensor> f, bool positiveA = false, bool positiveB = false)
        => new(name, () => [positiveA ? P(2, 5, 1, 7) : F(2, 5, 1, 7), positiveB ? P(3, 4, 7) : F(3, 4, 7)], t => f(t[0], t[1]));

    private static readonly Row[] Rows =
    [
        // ---- unary, on a transposed view ----
        Unary("Neg", x => x.Neg()),
        Unary("Abs", x => x.Abs()),
        Unary("Sign", x => x.Sign()),
        Unary("Exp", x => x.Exp()),
        Unary("Log", x => x.Log(), positive: true),
        Unary("Log1p", x => x.Log1p(), positive: true),
        Unary("Expm1", x => x.Expm1()),
        Unary("Sqrt", x => x.Sqrt(), positive: true),
        Unary("Rsqrt", x => x.Rsqrt(), positive: true),
        Unary("Square", x => x.Square()),
        Unary("Reciprocal", x => x.Reciprocal(), positive: true),
        Unary("Sin", x => x.Sin()),
        Unary("Cos", x => x.Cos()),
        Unary("Tanh", x => x.Tanh()),
        Unary("Sigmoid", x => x.Sigmoid()),
        Unary("Relu", x => x.Relu()),
        Unary("LeakyRelu", x => x.LeakyRelu(0.1)),
        Unary("Elu", x => x.Elu(0.7)),
        Unary("Selu", x => x.Selu()),
        Unary("Gelu", x => x.Gelu()),
        Unary("GeluTanh", x => x.Gelu("tanh")),
        Unary("Silu", x => x.Silu()),
        Unary("Softplus", x => x.Softplus(1.5, 4)),
        Unary("Mish", x => x.Mish()),
        Unary("Erf", x => x.Erf()),
        Unary("Clamp", x => x.Clamp(-1, 2)),
        Unary("Floor", x => x.Floor()),
        Unary("Ceil", x => x.Ceil()),
        Unary("Round", x => x.Round()),
        Unary("Affine", x => x.Mul(2.5).Add(-1)),
        Unary("PowScalar", x => x.Pow(2.5), positive: true),
        Unary("ScalarPow", x => Tensor.Pow(1.5, x)),
        Unary("ScalarDiv", x => 2 / x, positive: true),
        Unary("Scalar ops", x => (3 - x).Maximum(0.5).Minimum(2.5) / 4),
        new("Tanh [1]", () => [F(4, 1)], t => t[0].Tanh()),
        new("Sigmoid [3, 1023]", () => [F(5, 3, 1023)], t => t[0].Sigmoid()),
        new("Exp float64", () => [D(6, 7, 33)], t => t[0].Exp()) { Op = "Exp on Float64" },
        new("Log float64", () => [D(7, 7, 33).Abs().Add(0.1)], t => t[0].Log()) { Op = "Log on Float64" },
        new("Tanh float64", () => [D(8, 7, 33)], t => t[0].Tanh()) { Op = "Tanh on Float64" },
        new("Sqrt float64", () => [D(9, 33, 7).Abs().Add(0.1)], t => t[0].Transpose(0, 1).Sqrt()),

        // ---- binary, broadcasting ----
        Binary("Add", (a, b) => a + b),
        Binary("Sub", (a, b) => a - b),
        Binary("Mul", (a, b) => a * b),
        Binary("Div", (a, b) => a / b, positiveB: true),
        Binary("Pow", (a, b) => a.Pow(b), positiveA: true),
        Binary("Maximum", (a, b) => a.Maximum(b)),
        Binary("Minimum", (a, b) => a.Minimum(b)),
        new("Add transposed + bias", () => [F(10, 7, 5), F(11, 7)], t => t[0].Transpose(0, 1) + t[1]),
        new("Mul [1023]", () => [F(12, 1023), F(13, 1023)], t => t[0] * t[1]),
        new("Div float64", () => [D(14, 5, 1, 7), D(15, 4, 7).Abs().Add(0.5)], t => t[0] / t[1]),
        new("Where", () => [F(16, 4, 7), F(17, 7), F(18, 4, 7)], t => Tensor.Where(t[2].Gt(0), t[0], t[1])) { Constant = [2] },
        new("MaskedFill", () => [F(19, 4, 7), F(20, 4, 1)], t => t[0].MaskedFill(t[1].Gt(0), 0.5)) { Constant = [1] },

        // ---- matrix products ----
        new("Matmul", () => [F(21, 7, 33), F(22, 33, 5)], t => t[0].Matmul(t[1])) { AtolScale = 1e-5 },
        new("Matmul transposed views", () => [F(23, 33, 7), F(24, 5, 33)], t => t[0].Transpose(0, 1).Matmul(t[1].Transpose(0, 1))) { AtolScale = 1e-5 },
        new("Matmul batched broadcast", () => [F(25, 2, 1, 4, 6), F(26, 3, 6, 5)], t => t[0].Matmul(t[1])) { AtolScale = 1e-5 },
        new("Matmul k 1023", () => [F(27, 3, 1023), F(28, 1023, 4)], t => t[0].Matmul(t[1])) { AtolScale = 1e-5 },
        new("Matmul vector", () => [F(29, 33), F(30, 33, 7)], t => t[0].Matmul(t[1])) { AtolScale = 1e-5 },
        new("Bmm", () => [F(31, 2, 3, 4), F(32, 2, 4, 5)], t => t[0].Bmm(t[1])) { AtolScale = 1e-5 },
        new("Dot", () => [F(33, 33), F(34, 33)], t => t[0].Dot(t[1])) { AtolScale = 1e-5 },
        new("Linear", () => [F(35, 7, 33), F(36, 5, 33), F(37, 5)], t => Tensor.Linear(t[0], t[1], t[2])) { AtolScale = 1e-5 },
        new("Linear fused relu", () => [F(38, 7, 33), F(39, 5, 33), F(40, 5)], t => Tensor.Linear(t[0], t[1], t[2], UnaryOp.Relu)) { AtolScale = 1e-5 },
        new("Matmul float64", () => [D(41, 7, 33), D(42, 33, 5)], t => t[0].Matmul(t[1])),

        // ---- reductions ----
        new("Sum", () => [F(43, 7, 33)], t => t[0].Sum()) { AtolScale = 1e-5 },
        new("Sum dim keepdim of a view", () => [F(44, 33, 7)], t => t[0].Transpose(0, 1).Sum(1, keepDim: true)) { AtolScale = 1e-5 },
        new("Sum [1023]", () => [F(45, 1023)], t => t[0].Sum(0)) { AtolScale = 1e-5 },
        new("Mean dims", () => [F(46, 3, 5, 7)], t => t[0].Mean([0, 2])) { AtolScale = 1e-5 },
        new("Var", () => [F(47, 7, 33)], t => t[0].Var(1)) { AtolScale = 1e-5 },
        new("Std", () => [F(48, 7, 33)], t => t[0].Std()) { AtolScale = 1e-5 },
        new("Max", () => [F(49, 7, 33)], t => t[0].Max()),
        new("Amax", () => [F(50, 5, 7)], t => t[0].Amax([1])),
        new("Amin of a view", () => [F(51, 7, 5)], t => t[0].Transpose(0, 1).Amin([0], keepDim: true)),
        new("LogSumExp", () => [F(52, 7, 33)], t => t[0].LogSumExp(1)) { AtolScale = 1e-5 },
        new("Norm", () => [F(53, 7, 33)], t => t[0].Norm()) { AtolScale = 1e-5 },
        new("Sum float64", () => [D(54, 7, 33)], t => t[0].Sum(0)),

        // ---- softmax and losses ----
        new("Softmax", () => [F(55, 33, 7)], t => t[0].Transpose(0, 1).Softmax(1)),
        new("LogSoftmax", () => [F(56, 7, 33)], t => t[0].LogSoftmax(0)),
        new("Softmax [1, 1023]", () => [F(57, 1, 1023)], t => t[0].Softmax(-1)) { AtolScale = 1e-5 },
        new("Softmax float64", () => [D(58, 7, 33)], t => t[0].Softmax(1)) { Op = "Softmax" },
        new("CrossEntropy", () => [F(59, 7, 5), I(60, 5, 7)], t => Losses.CrossEntropy(t[0], t[1])),
        new("CrossEntropy weighted smoothed", () => [F(61, 7, 5), I(62, 5, 7), P(63, 5)],
            t => Losses.CrossEntropy(t[0], t[1], t[2], labelSmoothing: 0.1)),
        new("CrossEntropy probabilities", () => [F(64, 7, 5), F(65, 7, 5).Softmax(1)], t => Losses.CrossEntropy(t[0], t[1])) { Constant = [1] },
        new("Nll", () => [F(66, 7, 5), I(67, 5, 7)], t => Losses.Nll(t[0].LogSoftmax(1), t[1])),
        new("Mse", () => [F(68, 7, 3), F(69, 7, 3)], t => Losses.Mse(t[0], t[1])),
        new("Huber", () => [F(70, 7, 3), F(71, 7, 3)], t => Losses.Huber(t[0], t[1], delta: 0.8)),
        new("BceWithLogits", () => [F(72, 7, 3), P(73, 7, 3).Div(3)], t => Losses.BceWithLogits(t[0], t[1])) { Constant = [1] },
        new("Bce", () => [F(129, 7, 3).Sigmoid(), P(130, 7, 3).Div(3)], t => Losses.Bce(t[0], t[1])) { Constant = [1] },
        new("MultiMargin", () => [F(131, 7, 5), I(132, 5, 7)], t => Losses.MultiMargin(t[0], t[1], margin: 0.5)),
        new("Hinge", () => [F(133, 7, 3), F(134, 7, 3).Sign()], t => Losses.Hinge(t[0], t[1])) { Constant = [1] },
        new("KlDiv", () => [F(74, 7, 5).LogSoftmax(1), F(75, 7, 5).Softmax(1)], t => Losses.KlDiv(t[0], t[1])),

        // ---- indexing ----
        new("Gather", () => [F(76, 5, 7), I(77, 5, 3, 7)], t => t[0].Gather(0, t[1])),
        new("Gather of a view", () => [F(78, 7, 5), I(79, 5, 7, 4)], t => t[0].Transpose(0, 1).Gather(1, t[1].Transpose(0, 1))),
        new("ScatterAdd", () => [F(80, 5, 7), I(81, 5, 3, 7), F(82, 3, 7)], t => t[0].ScatterAdd(0, t[1], t[2])),
        new("Scatter", () => [F(83, 5, 7), DistinctRows(5, 3, 7), F(84, 3, 7)], t => t[0].Scatter(0, t[1], t[2])),
        new("IndexSelect", () => [F(85, 5, 7), I(86, 7, 9)], t => t[0].IndexSelect(1, t[1])),
        new("IndexAdd", () => [F(87, 5, 7), I(88, 5, 4), F(89, 4, 7)], t => t[0].IndexAdd(0, t[1], t[2])),
        new("Embedding", () => [I(90, 10, 3, 4), F(91, 10, 6)], t => Tensor.Embedding(t[0], t[1])),
        new("Embedding padding", () => [I(135, 10, 33), F(136, 10, 6)], t => Tensor.Embedding(t[0], t[1], paddingIdx: 3)),
        new("Cumsum", () => [F(92, 33, 7)], t => t[0].Transpose(0, 1).Cumsum(1)) { AtolScale = 1e-5 },
        new("Cumsum [1023]", () => [F(93, 1023)], t => t[0].Cumsum(0)) { AtolScale = 1e-5 },

        // ---- joins, slices and views ----
        new("Cat", () => [F(94, 2, 7), F(95, 7, 3), F(96, 1, 7)], t => Tensor.Cat([t[0], t[1].Transpose(0, 1), t[2]], 0)),
        new("Stack", () => [F(97, 4, 5), F(98, 4, 5)], t => Tensor.Stack([t[0], t[1]], 1)),
        new("Slice step and Narrow", () => [F(99, 9, 8)], t => t[0].Slice(0, 1, 8, 2).Narrow(1, 2, 5) * 3),
        new("Select", () => [F(100, 4, 5, 6)], t => t[0].Select(1, 3).Exp()),
        new("Permute Reshape", () => [F(101, 2, 3, 4)], t => t[0].Permute(2, 0, 1).Reshape(4, 6).Tanh()),
        new("Expand", () => [F(102, 1, 5)], t => t[0].Expand(3, 5) * t[0].Expand(3, 5).Exp()),
        new("Squeeze Unsqueeze Flatten", () => [F(103, 3, 1, 5)], t => t[0].Squeeze(1).Unsqueeze(0).Flatten().Sigmoid()),
        new("Pad", () => [F(104, 3, 5)], t => t[0].Pad([1, 2], value: 0.5).Square()),
        new("Contiguous Clone", () => [F(105, 5, 3)], t => t[0].Transpose(0, 1).Contiguous().Clone().Sin()),

        // ---- normalization, dropout ----
        new("LayerNorm", () => [F(106, 4, 7), F(107, 7), F(108, 7)], t => Tensor.LayerNorm(t[0], [7], t[1], t[2])) { AtolScale = 1e-5 },
        new("RmsNorm", () => [F(109, 4, 7), F(110, 7)], t => Tensor.RmsNorm(t[0], [7], t[1])) { AtolScale = 1e-5 },
        new("GroupNorm", () => [F(111, 2, 6, 5), F(112, 6), F(113, 6)], t => Tensor.GroupNorm(t[0], 3, t[1], t[2])) { AtolScale = 1e-5 },
        new("BatchNorm", () => [F(114, 6, 3, 5), F(115, 3), F(116, 3)], t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true)) { AtolScale = 1e-5 },
        new("Dropout", () => [F(117, 7, 33)], t => t[0].Dropout(0.3, training: true, generator: new Generator(11))),

        // ---- convolution, pooling, recurrence ----
        new("Conv2d", () => [F(118, 2, 3, 7, 7), F(119, 4, 3, 3, 3), F(120, 4)], t => Tensor.Conv2d(t[0], t[1], t[2], padding: 1)) { AtolScale = 1e-5 },
        new("Conv1d", () => [F(121, 2, 3, 33), F(122, 4, 3, 5)], t => Tensor.Conv1d(t[0], t[1], stride: 2)) { Op = "Conv2d", AtolScale = 1e-5 },
        new("MaxPool2d", () => [F(123, 2, 3, 7, 7)], t => t[0].MaxPool2d(2)),
        new("AvgPool2d", () => [F(124, 2, 3, 7, 7)], t => t[0].AvgPool2d(3, stride: 2, padding: 1)),
        new("AdaptiveAvgPool2d", () => [F(125, 2, 3, 7, 7)], t => t[0].AdaptiveAvgPool2d(1)),
        new("LinearRecurrence", () => [F(126, 7, 5).Div(3), F(127, 7, 5), F(128, 5)], t => Tensor.LinearScan(t[0], t[1], t[2], dim: 0)),
    ];

    /// <summary>A [rows, cols] index whose entries in each column are distinct values below <paramref name="size"/>
    /// (Scatter with repeated targets keeps an unspecified one of the writes on the device).</summary>
    private static Tensor DistinctRows(int size, int rows, int cols)
    {
        var values = new long[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                values[r * cols + c] = (r * 2 + c) % size;
        return Tensor.FromArray(values).Reshape(rows, cols);
    }

    public static IEnumerable<object[]> RowNames => Rows.Select(r => new object[] { r.Name });

    [TestMethod]
    [DynamicData(nameof(RowNames))]
    public void ForwardAndBackwardMatchCpu(string name)
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var row = Rows.Single(r => r.Name == name);
        var inputs = row.Inputs();
        var (yc, gc) = Run(row, inputs, Device.Cpu, null);
        var upstream = yc.DType.IsFloatingPoint() ? Parity.Random(yc.Shape.ToArray(), yc.DType, 1000 + Array.IndexOf(Rows, row)) : null;
        if (upstream is not null) (yc, gc) = Run(row, inputs, Device.Cpu, upstream);
        if (PendingOnVulkan.Contains(name))
        {
            var e = Assert.Throws<NotSupportedException>(() => Run(row, inputs, backend.Device, upstream), $"{name} is listed as pending on Vulkan");
            StringAssert.Contains(e.Message, row.Op ?? name, $"{name}: the refusal should name the op");
            StringAssert.Contains(e.Message, backend.Device.ToString());
            return;
        }
        var (yg, gg) = Run(row, inputs, backend.Device, upstream);
        Assert.AreEqual(backend.Device, yg.Device);
        Compare(row, yc, yg, $"{name}: forward");
        for (var i = 0; i < gc.Length; i++)
        {
            Assert.AreEqual(gc[i] is null, gg[i] is null, $"{name}: gradient of input {i} present on one device only");
            if (gc[i] is { } c) Compare(row, c, gg[i]!, $"{name}: gradient of input {i}");
        }
    }

    [TestMethod]
    public void PendingRowsExistAndRowNamesAreUnique()
    {
        var names = Rows.Select(r => r.Name).ToList();
        Assert.AreEqual(names.Count, names.Distinct().Count(), "two rows share a name");
        foreach (var pending in PendingOnVulkan) CollectionAssert.Contains(names, pending, $"{pending} is pending but no row has that name");
    }

    /// <summary>Copies the inputs to the device as leaves (floating ones requiring gradients), runs the op and, given
    /// an upstream gradient, the backward pass; returns the output and the leaves' gradients.</summary>
    private static (Tensor Y, Tensor?[] Grads) Run(Row row, Tensor[] inputs, Device device, Tensor? upstream)
    {
        var leaves = inputs.Select(t => device == Device.Cpu ? t.Clone() : t.To(device)).ToArray();
        for (var i = 0; i < leaves.Length; i++)
            if (leaves[i].DType.IsFloatingPoint() && !row.Constant.Contains(i)) leaves[i].RequiresGrad = true;
        var y = row.Forward(leaves);
        if (upstream is not null && y.RequiresGrad) y.Backward(upstream.To(device));
        return (y, leaves.Select(l => l.Grad).ToArray());
    }

    private static void Compare(Row row, Tensor cpu, Tensor vulkan, string what)
    {
        var wide = cpu.DType == DType.Float64;
        var scale = Math.Max(1, Parity.Values(cpu).Select(Math.Abs).DefaultIfEmpty(0).Max());
        Parity.AssertClose(cpu, vulkan, what, wide ? 1e-10 : Parity.Rtol, (wide ? 1e-12 : row.AtolScale) * scale);
    }
}
