using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>Batch, layer, RMS and group normalisation: values and running statistics against hand computation in
/// doubles, PyTorch's state-dict layout, gradient checks.</summary>
[TestClass]
public sealed class NormTests
{
    private const double Eps = 1e-5;

    // Per-channel statistics of x [N, C, L] over N and L, computed with plain loops.
    private static (double[] Mean, double[] BiasedVar, double[] UnbiasedVar) ChannelStats(double[] x, int n, int c, int l)
    {
        var mean = new double[c];
        var biased = new double[c];
        var unbiased = new double[c];
        var count = n * l;
        for (var ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (var i = 0; i < n; i++)
                for (var j = 0; j < l; j++) s += x[(i * c + ch) * l + j];
            mean[ch] = s / count;
            double q = 0;
            for (var i = 0; i < n; i++)
                for (var j = 0; j < l; j++) q += Math.Pow(x[(i * c + ch) * l + j] - mean[ch], 2);
            biased[ch] = q / count;
            unbiased[ch] = q / (count - 1);
        }
        return (mean, biased, unbiased);
    }

    private static double[] Normalize(double[] x, int n, int c, int l, double[] mean, double[] variance, double[] w, double[] b)
    {
        var y = new double[x.Length];
        for (var i = 0; i < n; i++)
            for (var ch = 0; ch < c; ch++)
                for (var j = 0; j < l; j++)
                {
                    var k = (i * c + ch) * l + j;
                    y[k] = (x[k] - mean[ch]) / Math.Sqrt(variance[ch] + Eps) * w[ch] + b[ch];
                }
        return y;
    }

    private static void SetAffine(BatchNorm bn, double[] w, double[] b)
    {
        using (Autograd.NoGrad())
        {
            bn.Weight!.CopyFrom_(Tensor.FromArray(w));
            bn.Bias!.CopyFrom_(Tensor.FromArray(b));
        }
    }

    [TestMethod]
    public void BatchNormStateDictsMatchPyTorch()
    {
        NnCheck.StateDict(new BatchNorm2d(16),
            ("weight", [16]), ("bias", [16]), ("running_mean", [16]), ("running_var", [16]), ("num_batches_tracked", []));
        NnCheck.StateDict(new BatchNorm1d(4, affine: false), ("running_mean", [4]), ("running_var", [4]), ("num_batches_tracked", []));
        NnCheck.StateDict(new BatchNorm1d(4, trackRunningStats: false), ("weight", [4]), ("bias", [4]));
        var bn = new BatchNorm1d(3);
        Assert.AreEqual(DType.Int64, bn.NumBatchesTracked!.DType);
        CollectionAssert.AreEqual(new float[] { 1, 1, 1 }, bn.Weight!.ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 0, 0, 0 }, bn.RunningMean!.ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 1, 1, 1 }, bn.RunningVar!.ToArray<float>());
        Assert.AreEqual("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.ToString());
        Assert.AreEqual("BatchNorm2d(8, eps=0.001, momentum=None, affine=False, track_running_stats=True)",
            new BatchNorm2d(8, eps: 1e-3, momentum: null, affine: false).ToString());
    }

    [TestMethod]
    public void BatchNorm1dTrainsTwoStepsThenEvaluatesWithRunningStats()
    {
        const int n = 4, c = 3;
        var gen = new Generator(1);
        var x1 = (Tensor.Randn([n, c], DType.Float64, gen) * 2 + 1).ToArray<double>();
        var x2 = (Tensor.Randn([n, c], DType.Float64, gen) * 0.5 - 3).ToArray<double>();
        double[] w = [1.5, -0.5, 2], b = [0.1, 0.2, -0.3];
        var bn = new BatchNorm1d(c, dtype: DType.Float64);
        SetAffine(bn, w, b);

        double[] rm = [0, 0, 0], rv = [1, 1, 1];
        foreach (var (x, step) in new[] { (x1, 1L), (x2, 2L) })
        {
            var (mean, biased, unbiased) = ChannelStats(x, n, c, 1);
            NnCheck.Close(Normalize(x, n, c, 1, mean, biased, w, b), bn.Forward(Tensor.FromArray(x, n, c)), 1e-12, $"step {step} output");
            for (var ch = 0; ch < c; ch++)
            {
                rm[ch] = 0.9 * rm[ch] + 0.1 * mean[ch];
                rv[ch] = 0.9 * rv[ch] + 0.1 * unbiased[ch];
            }
            NnCheck.Close(rm, bn.RunningMean!, 1e-12, $"step {step} running mean");
            NnCheck.Close(rv, bn.RunningVar!, 1e-12, $"step {step} running var");
            Assert.AreEqual(step, bn.NumBatchesTracked!.Item<long>());
        }

        bn.Eval();
        var y = bn.Forward(Tensor.FromArray(x1, n, c));
        NnCheck.Close(Normalize(x1, n, c, 1, rm, rv, w, b), y, 1e-12, "eval output");
        Assert.AreEqual(2L, bn.NumBatchesTracked!.Item<long>(), "evaluation does not count batches");
        NnCheck.Close(rm, bn.RunningMean!, 1e-12, "evaluation leaves the running mean");
    }

    [TestMethod]
    public void BatchNormWithoutMomentumKeepsTheCumulativeAverage()
    {
        const int n = 2, c = 2, l = 3;
        var gen = new Generator(2);
        var bn = new BatchNorm1d(c, momentum: null, dtype: DType.Float64);
        var batches = Enumerable.Range(0, 3).Select(_ => Tensor.Randn([n, c, l], DType.Float64, gen) * 3 + 2).ToArray();
        var means = new List<double[]>();
        var vars = new List<double[]>();
        foreach (var x in batches)
        {
            bn.Forward(x);
            var (mean, _, unbiased) = ChannelStats(x.ToArray<double>(), n, c, l);
            means.Add(mean);
            vars.Add(unbiased);
        }
        NnCheck.Close(Enumerable.Range(0, c).Select(ch => means.Average(m => m[ch])).ToArray(), bn.RunningMean!, 1e-12);
        NnCheck.Close(Enumerable.Range(0, c).Select(ch => vars.Average(v => v[ch])).ToArray(), bn.RunningVar!, 1e-12);
        Assert.AreEqual(3L, bn.NumBatchesTracked!.Item<long>());
    }

    [TestMethod]
    public void BatchNorm2dNormalisesOverBatchAndSpace()
    {
        const int n = 2, c = 3, h = 2, wd = 3;
        var gen = new Generator(3);
        var x = Tensor.Randn([n, c, h, wd], DType.Float64, gen) * 2 - 1;
        double[] w = [0.5, 1, 2], b = [0, 1, -1];
        var bn = new BatchNorm2d(c, momentum: 0.3, dtype: DType.Float64);
        SetAffine(bn, w, b);
        var v = x.ToArray<double>();
        var (mean, biased, unbiased) = ChannelStats(v, n, c, h * wd);
        NnCheck.Close(Normalize(v, n, c, h * wd, mean, biased, w, b), bn.Forward(x), 1e-12);
        NnCheck.Close(mean.Select(m => 0.3 * m).ToArray(), bn.RunningMean!, 1e-12);
        NnCheck.Close(unbiased.Select(u => 0.7 + 0.3 * u).ToArray(), bn.RunningVar!, 1e-12);

        bn.Eval();
        NnCheck.Close(Normalize(v, n, c, h * wd, [.. bn.RunningMean!.ToArray<double>()], [.. bn.RunningVar!.ToArray<double>()], w, b), bn.Forward(x), 1e-12);
    }

    [TestMethod]
    public void BatchNormWithoutRunningStatsUsesBatchStatsInEval()
    {
        var x = Tensor.Randn([5, 2], DType.Float64, new Generator(4));
        var bn = new BatchNorm1d(2, trackRunningStats: false, dtype: DType.Float64);
        var train = bn.Forward(x).ToArray<double>();
        bn.Eval();
        CollectionAssert.AreEqual(train, bn.Forward(x).ToArray<double>());
    }

    [TestMethod]
    public void BatchNormRejectsBadInputs()
    {
        var bn1 = new BatchNorm1d(3);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => bn1.Forward(Tensor.Zeros(2, 3, 4, 5))).Message, "(2,3,4,5)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => bn1.Forward(Tensor.Zeros(2, 4))).Message, "3 channels");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => bn1.Forward(Tensor.Zeros(1, 3))).Message, "more than 1 value per channel");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(2, 3, 4))).Message, "[N,C,H,W]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Tensor.BatchNorm(Tensor.Zeros(2, 3), null, null)).Message, "running mean");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Tensor.BatchNorm(Tensor.Zeros(2, 3), null, null, Tensor.Ones(4), training: true)).Message, "(4)");
    }

    [TestMethod]
    public void BatchNormGradientsPassGradCheck()
    {
        var gen = new Generator(5);
        var bn1 = new BatchNorm1d(3, dtype: DType.Float64);
        SetAffine(bn1, [1.5, -0.5, 2], [0.1, 0.2, -0.3]);
        var x1 = Tensor.Randn([3, 4], DType.Float64, gen);
        NnCheck.InputGrad(bn1, x1, t => t.T);
        NnCheck.ParameterGrads(bn1, () => bn1.Forward(x1.T));
        var x1l = Tensor.Randn([2, 3, 2], DType.Float64, gen);
        NnCheck.InputGrad(bn1, x1l);

        var bn2 = new BatchNorm2d(2, dtype: DType.Float64);
        SetAffine(bn2, [0.7, 1.3], [0.5, -0.5]);
        var x2 = Tensor.Randn([2, 2, 2, 3], DType.Float64, gen);
        NnCheck.InputGrad(bn2, x2);
        NnCheck.ParameterGrads(bn2, () => bn2.Forward(x2));
        bn2.Eval();
        NnCheck.InputGrad(bn2, x2);
    }

    [TestMethod]
    public void LayerNormMatchesLoopsAndGradCheck()
    {
        var gen = new Generator(6);
        var ln = new LayerNorm([2, 3], dtype: DType.Float64);
        NnCheck.StateDict(ln, ("weight", [2, 3]), ("bias", [2, 3]));
        Assert.AreEqual("LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)", ln.ToString());
        using (Autograd.NoGrad())
        {
            ln.Weight!.CopyFrom_(Tensor.Randn([2, 3], DType.Float64, gen));
            ln.Bias!.CopyFrom_(Tensor.Randn([2, 3], DType.Float64, gen));
        }
        var x = Tensor.Randn([4, 2, 3], DType.Float64, gen) * 3 + 1;
        var v = x.ToArray<double>();
        var w = ln.Weight!.ToArray<double>();
        var b = ln.Bias!.ToArray<double>();
        var expected = new double[v.Length];
        for (var r = 0; r < 4; r++)
        {
            var row = v.Skip(r * 6).Take(6).ToArray();
            var mean = row.Average();
            var variance = row.Average(e => (e - mean) * (e - mean));
            for (var k = 0; k < 6; k++) expected[r * 6 + k] = (row[k] - mean) / Math.Sqrt(variance + Eps) * w[k] + b[k];
        }
        NnCheck.Close(expected, ln.Forward(x), 1e-12);
        NnCheck.InputGrad(ln, Tensor.Randn([3, 3, 2], DType.Float64, gen), t => t.Transpose(1, 2));
        NnCheck.ParameterGrads(ln, () => ln.Forward(x));

        NnCheck.StateDict(new LayerNorm(8, elementwiseAffine: false));
        NnCheck.StateDict(new LayerNorm(8, bias: false), ("weight", [8]));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LayerNorm(5).Forward(Tensor.Zeros(2, 4)));
        StringAssert.Contains(e.Message, "(2,4)");
    }

    [TestMethod]
    public void RmsNormUsesTheDTypesMachineEpsilonByDefault()
    {
        var rms = new RmsNorm(3, dtype: DType.Float64);
        NnCheck.StateDict(rms, ("weight", [3]));
        Assert.AreEqual("RMSNorm((3,), eps=None, elementwise_affine=True)", rms.ToString());
        Assert.AreEqual("RMSNorm((3,), eps=1e-06, elementwise_affine=False)", new RmsNorm(3, 1e-6, elementwiseAffine: false).ToString());

        // Inputs so small that eps matters: mean(x^2) = 1e-16 against 2^-52 (Float64) or 1e-8 against 2^-23 (Float32).
        foreach (var (dtype, scale, eps) in new[] { (DType.Float64, 1e-8, Math.Pow(2, -52)), (DType.Float32, 1e-4, Math.Pow(2, -23)) })
        {
            var m = new RmsNorm(3, dtype: dtype);
            double[] row = [scale, -scale, scale];
            var expected = row.Select(e => e / Math.Sqrt(scale * scale + eps)).ToArray();
            NnCheck.Close(expected, m.Forward(Tensor.FromArray(row).To(dtype).Reshape(1, 3)).To(DType.Float64), 1e-5, dtype.ToString());
        }

        var gen = new Generator(7);
        using (Autograd.NoGrad()) rms.Weight!.CopyFrom_(Tensor.Randn([3], DType.Float64, gen));
        var x = Tensor.Randn([2, 3], DType.Float64, gen);
        var w = rms.Weight!.ToArray<double>();
        var v = x.ToArray<double>();
        var reference = new double[6];
        for (var r = 0; r < 2; r++)
        {
            var ms = v.Skip(r * 3).Take(3).Average(e => e * e);
            for (var k = 0; k < 3; k++) reference[r * 3 + k] = v[r * 3 + k] / Math.Sqrt(ms + Math.Pow(2, -52)) * w[k];
        }
        NnCheck.Close(reference, rms.Forward(x), 1e-12);
        NnCheck.InputGrad(rms, Tensor.Randn([3, 2], DType.Float64, gen), t => t.T);
        NnCheck.ParameterGrads(rms, () => rms.Forward(x));
    }

    [TestMethod]
    public void GroupNormMatchesLoopsAndGradCheck()
    {
        const int n = 2, c = 4, g = 2, l = 3;
        var gen = new Generator(8);
        var gn = new GroupNorm(g, c, dtype: DType.Float64);
        NnCheck.StateDict(gn, ("weight", [c]), ("bias", [c]));
        Assert.AreEqual("GroupNorm(2, 4, eps=1e-05, affine=True)", gn.ToString());
        using (Autograd.NoGrad())
        {
            gn.Weight!.CopyFrom_(Tensor.Randn([c], DType.Float64, gen));
            gn.Bias!.CopyFrom_(Tensor.Randn([c], DType.Float64, gen));
        }
        var x = Tensor.Randn([n, c, l], DType.Float64, gen) * 2 + 0.5;
        var v = x.ToArray<double>();
        var w = gn.Weight!.ToArray<double>();
        var b = gn.Bias!.ToArray<double>();
        var expected = new double[v.Length];
        var per = c / g * l;
        for (var i = 0; i < n; i++)
            for (var grp = 0; grp < g; grp++)
            {
                var start = (i * c + grp * (c / g)) * l;
                var vals = v.Skip(start).Take(per).ToArray();
                var mean = vals.Average();
                var variance = vals.Average(e => (e - mean) * (e - mean));
                for (var k = 0; k < per; k++)
                {
                    var ch = grp * (c / g) + k / l;
                    expected[start + k] = (vals[k] - mean) / Math.Sqrt(variance + Eps) * w[ch] + b[ch];
                }
            }
        NnCheck.Close(expected, gn.Forward(x), 1e-12);
        NnCheck.InputGrad(gn, Tensor.Randn([n, l, c], DType.Float64, gen), t => t.Transpose(1, 2));
        NnCheck.ParameterGrads(gn, () => gn.Forward(x));

        Assert.ThrowsExactly<ArgumentException>(() => new GroupNorm(3, 4));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => gn.Forward(Tensor.Zeros([2, 6, 3], DType.Float64))).Message, "(2,6,3)");
    }
}
