using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class SoftmaxTests
{
    private static double[] Softmax(double[] v)
    {
        var m = v.Max();
        var e = v.Select(x => Math.Exp(x - m)).ToArray();
        var s = e.Sum();
        return e.Select(x => x / s).ToArray();
    }

    private static double[] LogSoftmax(double[] v)
    {
        var m = v.Max();
        var lse = m + Math.Log(v.Sum(x => Math.Exp(x - m)));
        return v.Select(x => x - lse).ToArray();
    }

    [TestMethod]
    public void SoftmaxAndLogSoftmaxMatchReferenceAlongEveryDim()
    {
        var x = OpCheck.Randn(new Generator(31), 3, 4, 5) * 3;
        var r = RefArray.Of(x);
        for (var dim = -3; dim < 3; dim++)
        {
            var d = dim < 0 ? dim + 3 : dim;
            var y = x.Softmax(dim);
            OpCheck.Close(r.AlongDim(d, Softmax), y, 1e-12, $"Softmax dim {dim}");
            OpCheck.Close(r.AlongDim(d, LogSoftmax), x.LogSoftmax(dim), 1e-12, $"LogSoftmax dim {dim}");
            OpCheck.Close(r.Reduce([d], false, _ => 1), y.Sum(d), 1e-12, $"rows sum to 1 along dim {dim}");
        }
    }

    [TestMethod]
    public void NonContiguousInputsAndFloat32MatchReference()
    {
        var x = OpCheck.Randn(new Generator(32), 4, 6, 5);
        var t = x.Transpose(0, 2).Slice(1, 1, 6, 2);
        var r = RefArray.Of(x).Transpose(0, 2).Slice(1, 1, 6, 2);
        for (var d = 0; d < 3; d++)
        {
            OpCheck.Close(r.AlongDim(d, Softmax), t.Softmax(d), 1e-12, $"Softmax dim {d}");
            OpCheck.Close(r.AlongDim(d, LogSoftmax), t.LogSoftmax(d), 1e-12, $"LogSoftmax dim {d}");
            OpCheck.Close(r.AlongDim(d, Softmax), t.To(DType.Float32).Softmax(d), 1e-6, $"Float32 Softmax dim {d}");
            OpCheck.Close(r.AlongDim(d, LogSoftmax), t.To(DType.Float32).LogSoftmax(d), 1e-6, $"Float32 LogSoftmax dim {d}");
        }
    }

    [TestMethod]
    public void LargeRowsSplitAcrossThreadsMatchReference()
    {
        var x = OpCheck.Randn(new Generator(33), 300, 257);
        var r = RefArray.Of(x);
        OpCheck.Close(r.AlongDim(1, Softmax), x.Softmax(1), 1e-12, "rows");
        OpCheck.Close(r.AlongDim(0, LogSoftmax), x.LogSoftmax(0), 1e-12, "columns");
    }

    [TestMethod]
    public void LargeLogitsStayFinite()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.FromArray(new double[] { 1000, 1001, 1002, -1000, -1001, -1002 }, 2, 3).To(dtype);
            var small = new[] { 0.0, 1, 2 };
            var expected = Softmax(small).Concat(Softmax([0, -1, -2])).ToArray();
            OpCheck.Close(expected, x.Softmax(1).ToArray<double>(), 1e-6, $"{dtype} Softmax");
            var expectedLog = LogSoftmax(small).Concat(LogSoftmax([0, -1, -2])).ToArray();
            OpCheck.Close(expectedLog, x.LogSoftmax(1).ToArray<double>(), 1e-6, $"{dtype} LogSoftmax");
        }
    }

    [TestMethod]
    public void NegativeInfinityLogitsGetZeroProbability()
    {
        var x = Tensor.FromArray(new[] { double.NegativeInfinity, 0, 0 });
        OpCheck.Close([0, 0.5, 0.5], x.Softmax(0).ToArray<double>(), 1e-15);
        OpCheck.Close([double.NegativeInfinity, -Math.Log(2), -Math.Log(2)], x.LogSoftmax(0).ToArray<double>(), 1e-15);
    }

    [TestMethod]
    public void ZeroDimSoftmaxIsOne()
    {
        var s = Tensor.Scalar(5, DType.Float64);
        Assert.AreEqual(0, s.Softmax(0).Rank);
        Assert.AreEqual(1.0, s.Softmax(0).Item());
        Assert.AreEqual(0.0, s.LogSoftmax(-1).Item());
    }

    [TestMethod]
    public void GradCheckAlongEveryDim()
    {
        var x = OpCheck.Randn(new Generator(34), 2, 3, 4);
        var w = OpCheck.Randn(new Generator(35), 2, 3, 4);
        for (var d = -1; d < 3; d++)
        {
            var dim = d;
            // Weighting the output makes the check see more than the (zero) gradient of a plain sum.
            OpCheck.Grad(t => t[0].Softmax(dim) * t[1], x, w);
            OpCheck.Grad(t => t[0].LogSoftmax(dim) * t[1], x, w);
        }
        OpCheck.Grad(t => t[0].Transpose(0, 2).Softmax(1), x);
        OpCheck.Grad(t => t[0].Slice(2, 0, 4, 2).LogSoftmax(0), x);
    }

    /// <summary>The gradient of sum(v * op(x)) as a function of x, computed with createGraph so it can be differentiated
    /// again (works both inside GradCheck's recorded pass and its no-grad evaluations).</summary>
    private static Tensor GradOf(Func<Tensor, Tensor> op, Tensor x, Tensor v)
    {
        using (Autograd.EnableGrad())
        {
            var leaf = x.RequiresGrad ? x : x.Detach().RequiresGrad_();
            return Autograd.Grad([(op(leaf) * v).Sum()], [leaf], createGraph: true)[0]!;
        }
    }

    [TestMethod]
    public void LogSoftmaxAndSoftmaxHaveDoubleBackward()
    {
        var x = OpCheck.Randn(new Generator(36), 3, 4);
        var v = OpCheck.Randn(new Generator(37), 3, 4);
        OpCheck.Grad(t => GradOf(z => z.LogSoftmax(1), t[0], t[1]), x, v);
        OpCheck.Grad(t => GradOf(z => z.LogSoftmax(0), t[0], t[1]), x, v);
        OpCheck.Grad(t => GradOf(z => z.Softmax(-1), t[0], t[1]), x, v);
    }

    [TestMethod]
    public void FusedAndComposedBackwardAgree()
    {
        var x = OpCheck.Randn(new Generator(38), 5, 7).RequiresGrad_();
        var v = OpCheck.Randn(new Generator(39), 5, 7);
        foreach (var log in new[] { false, true })
        {
            Func<Tensor, Tensor> op = z => log ? z.LogSoftmax(0) : z.Softmax(0);
            var fused = Autograd.Grad([(op(x) * v).Sum()], [x])[0]!;
            var composed = Autograd.Grad([(op(x) * v).Sum()], [x], createGraph: true)[0]!;
            OpCheck.Close(RefArray.Of(composed), fused, 1e-12, log ? "LogSoftmax" : "Softmax");
        }
    }

    [TestMethod]
    public void IntegerInputAndBadDimThrow()
    {
        OpCheck.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1, 2 }).Softmax(0), "Softmax", "Int64");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).LogSoftmax(2), "LogSoftmax", "2");
    }
}
