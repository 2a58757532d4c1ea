using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>Convolution, pooling, reshaping, dropout and embedding layers: PyTorch's state-dict layout and default
/// initialisation, forward values against float64 loops, gradients, and printing.</summary>
[TestClass]
public sealed class LayerTests
{
    [TestMethod]
    public void StateDictsMatchPyTorch()
    {
        NnCheck.StateDict(new Linear(3, 4), ("weight", [4, 3]), ("bias", [4]));
        NnCheck.StateDict(new Linear(3, 4, bias: false), ("weight", [4, 3]));
        foreach (var m in new Module[] { new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(1), new Flatten(), new Dropout(), new Identity() })
            Assert.IsEmpty(m.StateDict(), m.TypeName);
        NnCheck.StateDict(new Conv2d(3, 8, 5), ("weight", [8, 3, 5, 5]), ("bias", [8]));
        NnCheck.StateDict(new Conv2d(4, 6, (3, 1), (1, 1), (1, 0), (1, 1), groups: 2, bias: false), ("weight", [6, 2, 3, 1]));
        NnCheck.StateDict(new Conv1d(4, 8, 3, groups: 4), ("weight", [8, 1, 3]), ("bias", [8]));
    }

    [TestMethod]
    public void ConvAndLinearDefaultInitIsUniformOverOneOverSqrtFanIn()
    {
        var gen = new Generator(5);
        // (weight, bias, fan_in): fan_in = in/groups * prod(kernel).
        (Tensor W, Tensor B, int FanIn)[] cases =
        [
            (new Linear(400, 30, generator: gen) is var l ? (l.Weight, l.Bias!, 400) : default),
            (new Conv2d(16, 32, 3, generator: gen) is var c ? (c.Weight, c.Bias!, 144) : default),
            (new Conv2d(16, 32, 3, groups: 4, generator: gen) is var g ? (g.Weight, g.Bias!, 36) : default),
            (new Conv1d(64, 96, 5, generator: gen) is var c1 ? (c1.Weight, c1.Bias!, 320) : default),
        ];
        foreach (var (w, b, fanIn) in cases)
        {
            var bound = 1 / Math.Sqrt(fanIn);
            var values = w.ToArray<float>().Select(v => (double)v).ToArray();
            var mean = values.Average();
            var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            Assert.IsLessThanOrEqualTo(bound, values.Max(v => Math.Abs(v)), $"fan_in {fanIn}: weights within the bound");
            Assert.IsGreaterThan(0.97 * bound, values.Max(v => Math.Abs(v)), $"fan_in {fanIn}: weights fill the range");
            Assert.IsLessThan(0.05 * bound, Math.Abs(mean), $"fan_in {fanIn}: mean {mean}");
            Assert.IsLessThan(0.05, Math.Abs(std / (bound / Math.Sqrt(3)) - 1), $"fan_in {fanIn}: std {std} vs {bound / Math.Sqrt(3)}");
            Assert.IsLessThanOrEqualTo(bound, b.ToArray<float>().Max(v => Math.Abs((double)v)), $"fan_in {fanIn}: bias within the bound");
        }
    }

    [TestMethod]
    public void InitIsReproducibleFromTheGenerator()
    {
        var a = new Conv2d(3, 4, 3, generator: new Generator(11));
        var b = new Conv2d(3, 4, 3, generator: new Generator(11));
        var c = new Conv2d(3, 4, 3, generator: new Generator(12));
        Assert.IsTrue(a.Weight.Equal(b.Weight) && a.Bias!.Equal(b.Bias!));
        Assert.IsFalse(a.Weight.Equal(c.Weight));
    }

    [TestMethod]
    public void LinearForwardMatchesLoops()
    {
        var gen = new Generator(2);
        var linear = new Linear(3, 2, dtype: DType.Float64, generator: gen);
        var x = Tensor.Randn([4, 3], DType.Float64, gen);
        double[] w = linear.Weight.ToArray<double>(), b = linear.Bias!.ToArray<double>(), v = x.ToArray<double>();
        var expected = new double[8];
        for (var i = 0; i < 4; i++)
            for (var o = 0; o < 2; o++)
                expected[i * 2 + o] = b[o] + Enumerable.Range(0, 3).Sum(k => v[i * 3 + k] * w[o * 3 + k]);
        NnCheck.Close(expected, linear.Forward(x));
        NnCheck.ParameterGrads(linear, () => linear.Forward(x));
    }

    [TestMethod]
    public void Conv2dForwardMatchesLoops()
    {
        var gen = new Generator(3);
        var conv = new Conv2d(4, 6, (3, 2), (2, 1), (1, 1), (2, 1), groups: 2, dtype: DType.Float64, generator: gen);
        var x = Tensor.Randn([2, 4, 7, 6], DType.Float64, gen);
        var args = new ConvolutionReference.ConvArgs(2, 1, 1, 1, 2, 1, 2);
        var expected = ConvolutionReference.Conv2d(x.ToArray<double>(), [2, 4, 7, 6], conv.Weight.ToArray<double>(), [6, 2, 3, 2], conv.Bias!.ToArray<double>(), args, out var ys);
        var y = conv.Forward(x);
        CollectionAssert.AreEqual(ys, y.Shape.ToArray());
        NnCheck.Close(expected, y);
    }

    [TestMethod]
    public void Conv1dForwardMatchesLoops()
    {
        var gen = new Generator(4);
        var conv = new Conv1d(2, 4, 3, stride: 2, padding: 2, dilation: 2, dtype: DType.Float64, generator: gen);
        var x = Tensor.Randn([3, 2, 9], DType.Float64, gen);
        // A 1-D convolution is a 2-D one over a height of 1.
        var args = new ConvolutionReference.ConvArgs(1, 2, 0, 2, 1, 2, 1);
        var expected = ConvolutionReference.Conv2d(x.ToArray<double>(), [3, 2, 1, 9], conv.Weight.ToArray<double>(), [4, 2, 1, 3], conv.Bias!.ToArray<double>(), args, out var ys);
        var y = conv.Forward(x);
        CollectionAssert.AreEqual(new[] { ys[0], ys[1], ys[3] }, y.Shape.ToArray());
        NnCheck.Close(expected, y);
    }

    [TestMethod]
    public void ConvGradientsPassGradCheck()
    {
        var gen = new Generator(6);
        var conv2 = new Conv2d(2, 4, 2, stride: 2, padding: 1, groups: 2, dtype: DType.Float64, generator: gen);
        var x2 = Tensor.Randn([3, 3, 2], DType.Float64, gen);
        // A transposed (non-contiguous) view of the input, batch of one.
        NnCheck.InputGrad(conv2, x2, t => t.Permute(2, 0, 1).Unsqueeze(0));
        NnCheck.ParameterGrads(conv2, () => conv2.Forward(x2.Permute(2, 0, 1).Unsqueeze(0)));

        var conv1 = new Conv1d(2, 3, 3, padding: 1, dilation: 2, dtype: DType.Float64, generator: gen);
        var x1 = Tensor.Randn([2, 2, 5], DType.Float64, gen);
        NnCheck.InputGrad(conv1, x1);
        NnCheck.ParameterGrads(conv1, () => conv1.Forward(x1));
    }

    [TestMethod]
    public void ConvConstructorRejectsBadGroups()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Conv2d(6, 4, 3, groups: 4));
        StringAssert.Contains(e.Message, "groups 4");
        StringAssert.Contains(e.Message, "6");
    }

    [TestMethod]
    public void PoolingForwardValues()
    {
        // 1x1x4x4 input 0..15: 2x2 max picks the bottom-right of each window, the average its centre.
        var x = Tensor.Arange(0, 16, 1, DType.Float64).Reshape(1, 1, 4, 4);
        NnCheck.Close([5, 7, 13, 15], new MaxPool2d(2).Forward(x));
        NnCheck.Close([2.5, 4.5, 10.5, 12.5], new AvgPool2d(2).Forward(x));
        // Stride 1 windows of 3: maxima 10, 11, 14, 15.
        NnCheck.Close([10, 11, 14, 15], new MaxPool2d(3, stride: 1).Forward(x));
        // Padding 1 with count_include_pad: the corner window sums 0 over 4 cells, 1 of which is real.
        NnCheck.Close([0, (1 + 2) / 4.0, 3 / 4.0], new AvgPool2d(2, stride: 2, padding: 1).Forward(x).Narrow(3, 0, 3).Narrow(2, 0, 1));
    }

    [TestMethod]
    public void AdaptiveAvgPoolAveragesItsBins()
    {
        var gen = new Generator(8);
        var x = Tensor.Randn([2, 3, 5, 7], DType.Float64, gen);
        var v = x.ToArray<double>();
        var y = new AdaptiveAvgPool2d((2, 3)).Forward(x);
        CollectionAssert.AreEqual(new[] { 2, 3, 2, 3 }, y.Shape.ToArray());
        var expected = new List<double>();
        for (var nc = 0; nc < 6; nc++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 3; j++)
                {
                    // Bin i spans [floor(i*H/oh), ceil((i+1)*H/oh)).
                    int h0 = i * 5 / 2, h1 = ((i + 1) * 5 + 1) / 2, w0 = j * 7 / 3, w1 = ((j + 1) * 7 + 2) / 3;
                    double s = 0;
                    for (var h = h0; h < h1; h++)
                        for (var w = w0; w < w1; w++) s += v[(nc * 5 + h) * 7 + w];
                    expected.Add(s / ((h1 - h0) * (w1 - w0)));
                }
        NnCheck.Close([.. expected], y);
        NnCheck.Close(x.Mean([2, 3]).ToArray<double>(), new AdaptiveAvgPool2d(1).Forward(x).Reshape(2, 3));
    }

    [TestMethod]
    public void FlattenAndIdentity()
    {
        var x = Tensor.Zeros(2, 3, 4, 5);
        CollectionAssert.AreEqual(new[] { 2, 60 }, new Flatten().Forward(x).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 12, 5 }, new Flatten(1, 2).Forward(x).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 120 }, new Flatten(0).Forward(x).Shape.ToArray());
        Assert.AreSame(x, new Identity().Forward(x));
        Assert.IsEmpty(new Identity().StateDict());
    }

    [TestMethod]
    public void DropoutFollowsTrainingModeAndGenerator()
    {
        var x = Tensor.Ones([1000], DType.Float64);
        var dropout = new Dropout(0.25, new Generator(21));
        var y = dropout.Forward(x).ToArray<double>();
        Assert.IsTrue(y.All(v => v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12), "kept elements are scaled by 1/(1-p)");
        var dropped = y.Count(v => v == 0);
        Assert.IsTrue(dropped is > 200 and < 300, $"about a quarter dropped; got {dropped}");
        var again = new Dropout(0.25, new Generator(21)).Forward(x).ToArray<double>();
        CollectionAssert.AreEqual(y, again, "the same generator seed gives the same mask");
        dropout.Eval();
        Assert.AreSame(x, dropout.Forward(x), "evaluation mode passes the input through");
        Assert.ThrowsExactly<ArgumentException>(() => new Dropout(1.5));
    }

    [TestMethod]
    public void EmbeddingLooksUpRowsAndKeepsThePaddingRowFixed()
    {
        var emb = new Embedding(5, 3, paddingIdx: -4, dtype: DType.Float64, generator: new Generator(2));
        Assert.AreEqual(1, emb.PaddingIdx);
        NnCheck.StateDict(emb, ("weight", [5, 3]));
        CollectionAssert.AreEqual(new double[3], emb.Weight.Select(0, 1).ToArray<double>(), "the padding row starts at zero");

        var idx = Tensor.FromArray(new long[] { 0, 1, 4, 1, 4, 2 }, 2, 3);
        var y = emb.Forward(idx);
        CollectionAssert.AreEqual(new[] { 2, 3, 3 }, y.Shape.ToArray());
        var w = emb.Weight.ToArray<double>();
        NnCheck.Close(new long[] { 0, 1, 4, 1, 4, 2 }.SelectMany(i => w.Skip((int)i * 3).Take(3)).ToArray(), y);

        (y * Tensor.Arange(1, 19, 1, DType.Float64).Reshape(2, 3, 3)).Sum().Backward();
        var g = emb.Weight.Grad!.ToArray<double>();
        // Row 4 is looked up at positions 2 and 4 (upstream 7..9 and 13..15); row 1 (padding) gets nothing.
        CollectionAssert.AreEqual(new double[] { 20, 22, 24 }, g.Skip(12).Take(3).ToArray());
        CollectionAssert.AreEqual(new double[3], g.Skip(3).Take(3).ToArray());
        CollectionAssert.AreEqual(new double[3], g.Skip(9).Take(3).ToArray(), "an unused row has zero gradient");
        Assert.AreEqual("Embedding(5, 3, padding_idx=1)", emb.ToString());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Embedding(5, 3, paddingIdx: 5));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensor.Embedding(idx, emb.Weight, -6)).Message, "(5,3)");
    }

    [TestMethod]
    public void EmbeddingInitIsStandardNormalAndGradientPassesGradCheck()
    {
        var big = new Embedding(1000, 20, generator: new Generator(4)).Weight.ToArray<float>();
        var mean = big.Average(v => (double)v);
        var std = Math.Sqrt(big.Average(v => (v - mean) * (v - mean)));
        Assert.IsLessThan(0.02, Math.Abs(mean));
        Assert.IsLessThan(0.02, Math.Abs(std - 1));

        var emb = new Embedding(4, 2, dtype: DType.Float64, generator: new Generator(5));
        var idx = Tensor.FromArray(new long[] { 3, 0, 3, 2 });
        NnCheck.ParameterGrads(emb, () => emb.Forward(idx));
        var r = GradCheck.Run(ts => Tensor.Embedding(idx, ts[0]), [emb.Weight.Detach()]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    [TestMethod]
    public void LayersPrintAsPyTorch()
    {
        Assert.AreEqual("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(1, 32, 3, padding: 1).ToString());
        Assert.AreEqual("Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 1), dilation=(2, 2), groups=2, bias=False)",
            new Conv2d(4, 8, (3, 1), (2, 1), (0, 0), (2, 2), groups: 2, bias: false).ToString());
        Assert.AreEqual("Conv1d(2, 4, kernel_size=(3,), stride=(1,))", new Conv1d(2, 4, 3).ToString());
        Assert.AreEqual("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.AreEqual("AvgPool2d(kernel_size=3, stride=1, padding=1)", new AvgPool2d(3, 1, 1).ToString());
        Assert.AreEqual("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).ToString());
        Assert.AreEqual("AdaptiveAvgPool2d(output_size=(2, 3))", new AdaptiveAvgPool2d((2, 3)).ToString());
        Assert.AreEqual("Flatten(start_dim=1, end_dim=-1)", new Flatten().ToString());
        Assert.AreEqual("Dropout(p=0.5, inplace=False)", new Dropout().ToString());
        Assert.AreEqual("Identity()", new Identity().ToString());
        Assert.AreEqual("Linear(in_features=3, out_features=4, bias=True)", new Linear(3, 4).ToString());
    }
}
