using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class ReductionTests
{
    /// <summary>Dim sets exercising both kernel paths (leading-prefix rows and moved-last rows) and negative dims.</summary>
    private static readonly int[][] DimSets = [[], [0], [1], [2], [-1], [0, 1], [0, 2], [-3, -1], [1, 2], [0, 1, 2]];

    private static double Sum(double[] v) => v.Sum();

    private static double Mean(double[] v) => v.Sum() / v.Length;

    private static double Var(double[] v, int correction)
    {
        var m = Mean(v);
        return v.Sum(x => (x - m) * (x - m)) / (v.Length - correction);
    }

    private static double LogSumExp(double[] v)
    {
        var m = v.Max();
        if (double.IsInfinity(m)) return m;
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    private static double Norm(double[] v, double p) => double.IsPositiveInfinity(p)
        ? v.Max(Math.Abs)
        : Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p);

    /// <summary>The same values as contiguous, transposed and sliced tensors, each with its reference.</summary>
    private static IEnumerable<(string Name, Tensor X, RefArray R)> Layouts(Generator g)
    {
        var x = OpCheck.Randn(g, 3, 4, 5);
        var r = RefArray.Of(x);
        yield return ("contiguous", x, r);
        yield return ("transposed", x.Transpose(0, 2), r.Transpose(0, 2));
        var big = OpCheck.Randn(g, 4, 6, 7);
        yield return ("sliced", big.Slice(0, 1, 4).Slice(1, 0, 6, 2).Slice(2, 1, 6), RefArray.Of(big).Slice(0, 1, 4).Slice(1, 0, 6, 2).Slice(2, 1, 6));
        var narrow = OpCheck.Randn(g, 3, 1, 5);
        var rn = RefArray.Of(narrow);
        yield return ("expanded", narrow.Expand(3, 4, 5), RefArray.Generate([3, 4, 5], i => rn[i[0], 0, i[2]]));
    }

    private static void ForEachCase(Action<string, Tensor, RefArray, int[], bool> check)
    {
        foreach (var (name, x, r) in Layouts(new Generator(11)))
            foreach (var dims in DimSets)
                foreach (var keep in new[] { false, true })
                    check($"{name} dims [{string.Join(",", dims)}] keepDim {keep}", x, r, dims, keep);
    }

    [TestMethod]
    public void SumAndMeanMatchReferenceOverEveryDimSet()
    {
        ForEachCase((what, x, r, dims, keep) =>
        {
            OpCheck.Close(r.Reduce(dims, keep, Sum), x.Sum(dims, keep), 1e-12, "Sum " + what);
            OpCheck.Close(r.Reduce(dims, keep, Mean), x.Mean(dims, keep), 1e-12, "Mean " + what);
        });
    }

    [TestMethod]
    public void VarAndStdMatchReferenceWithBothCorrections()
    {
        ForEachCase((what, x, r, dims, keep) =>
        {
            foreach (var c in new[] { 0, 1 })
            {
                OpCheck.Close(r.Reduce(dims, keep, v => Var(v, c)), x.Var(dims, c, keep), 1e-12, $"Var c={c} {what}");
                OpCheck.Close(r.Reduce(dims, keep, v => Math.Sqrt(Var(v, c))), x.Std(dims, c, keep), 1e-12, $"Std c={c} {what}");
            }
        });
    }

    [TestMethod]
    public void AmaxAminLogSumExpAndNormsMatchReference()
    {
        ForEachCase((what, x, r, dims, keep) =>
        {
            OpCheck.Close(r.Reduce(dims, keep, v => v.Max()), x.Amax(dims, keep), 0, "Amax " + what);
            OpCheck.Close(r.Reduce(dims, keep, v => v.Min()), x.Amin(dims, keep), 0, "Amin " + what);
            OpCheck.Close(r.Reduce(dims, keep, LogSumExp), x.LogSumExp(dims, keep), 1e-12, "LogSumExp " + what);
            foreach (var p in new[] { 1, 2, 3, double.PositiveInfinity })
                OpCheck.Close(r.Reduce(dims, keep, v => Norm(v, p)), x.Norm(p, dims, keep), 1e-12, $"Norm p={p} {what}");
        });
    }

    [TestMethod]
    public void Float32ReductionsMatchFloat64Reference()
    {
        var x = OpCheck.Randn(new Generator(3), 40, 33);
        var r = RefArray.Of(x);
        var f = x.To(DType.Float32);
        foreach (var dims in new[] { new[] { 0 }, [1], [] })
        {
            OpCheck.Close(r.Reduce(dims, false, Sum), f.Sum(dims), 1e-5, "Sum");
            OpCheck.Close(r.Reduce(dims, false, v => v.Max()), f.Amax(dims), 1e-7, "Amax");
            OpCheck.Close(r.Reduce(dims, false, v => Math.Sqrt(Var(v, 1))), f.Std(dims), 1e-5, "Std");
            Assert.AreEqual(DType.Float32, f.Sum(dims).DType);
        }
    }

    [TestMethod]
    public void FullReductionsReturnScalars()
    {
        var x = Tensor.FromArray(new double[] { 1, -4, 2, 3 }, 2, 2);
        Assert.AreEqual(0, x.Sum().Rank);
        Assert.AreEqual(2.0, x.Sum().Item());
        Assert.AreEqual(0.5, x.Mean().Item());
        Assert.AreEqual(3.0, x.Max().Item());
        Assert.AreEqual(-4.0, x.Min().Item());
        Assert.AreEqual(Math.Sqrt(30), x.Norm().Item(), 1e-15);
        Assert.AreEqual(1L, x.Argmin().Item<long>());
        Assert.AreEqual(3L, x.Argmax().Item<long>());
    }

    [TestMethod]
    public void ZeroDimTensorsReduceOverDimZero()
    {
        var s = Tensor.Scalar(3, DType.Float64);
        Assert.AreEqual(3.0, s.Sum(0).Item());
        Assert.AreEqual(3.0, s.Sum(-1, keepDim: true).Item());
        Assert.AreEqual(3.0, s.Amax([0]).Item());
        Assert.AreEqual(3.0, s.Norm(2, [0]).Item());
        Assert.AreEqual(3.0, s.Max(0).Values.Item());
        Assert.AreEqual(0L, s.Argmax(0).Item<long>());
        Assert.AreEqual(3.0, s.LogSumExp(0).Item(), 1e-15);
    }

    [TestMethod]
    public void MaxMinAlongDimReturnValuesAndIndices()
    {
        foreach (var (name, x, r) in Layouts(new Generator(5)))
        {
            for (var dim = -3; dim < 3; dim++)
            {
                var d = dim < 0 ? dim + 3 : dim;
                foreach (var keep in new[] { false, true })
                {
                    var (vmax, imax) = x.Max(dim, keep);
                    var (vmin, imin) = x.Min(dim, keep);
                    var what = $"{name} dim {dim} keepDim {keep}";
                    OpCheck.Close(r.Reduce([d], keep, v => v.Max()), vmax, 0, "Max " + what);
                    OpCheck.Close(r.Reduce([d], keep, v => v.Min()), vmin, 0, "Min " + what);
                    OpCheck.Close(r.Reduce([d], keep, v => Array.IndexOf(v, v.Max())), imax, 0, "Max indices " + what);
                    OpCheck.Close(r.Reduce([d], keep, v => Array.IndexOf(v, v.Min())), imin, 0, "Min indices " + what);
                    OpCheck.Close(r.Reduce([d], keep, v => Array.IndexOf(v, v.Max())), x.Argmax(dim, keep), 0, "Argmax " + what);
                    OpCheck.Close(r.Reduce([d], keep, v => Array.IndexOf(v, v.Min())), x.Argmin(dim, keep), 0, "Argmin " + what);
                    Assert.AreEqual(DType.Int64, imax.DType);
                }
            }
        }
    }

    [TestMethod]
    public void TiesPickTheFirstOccurrence()
    {
        var x = Tensor.FromArray(new float[] { 1, 3, 3, 0, 2, 3, 1, 2, 5, 3, 5, 5 }, 3, 4);
        CollectionAssert.AreEqual(new long[] { 1, 1, 0 }, x.Argmax(1).ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 3, 2, 1 }, x.Argmin(1).ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 1, 1, 0 }, x.Max(1).Indices.ToArray<long>(), "Max indices");
        CollectionAssert.AreEqual(new long[] { 2, 0, 2, 2 }, x.Argmax(0).ToArray<long>(), "Argmax along dim 0");
        CollectionAssert.AreEqual(new long[] { 0, 0, 1, 0 }, x.Min(0).Indices.ToArray<long>(), "Min indices along dim 0");
        Assert.AreEqual(8L, x.Argmax().Item<long>(), "flat argmax takes the first of the tied maxima");
        Assert.AreEqual(3L, x.Argmin().Item<long>());
        Assert.AreEqual(2L, x.T.Argmax().Item<long>(), "flat argmax of the transpose");
    }

    [TestMethod]
    public void IntegerAndBoolSumsAreInt64()
    {
        var ints = Tensor.FromArray(new[] { 2_000_000_000, 2_000_000_000, 1, -5, 7, 3 }, 2, 3);
        var total = ints.Sum();
        Assert.AreEqual(DType.Int64, total.DType);
        Assert.AreEqual(4_000_000_006L, total.Item<long>(), "no Int32 overflow");
        CollectionAssert.AreEqual(new long[] { 1_999_999_995, 2_000_000_007, 4 }, ints.Sum(0).ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 4_000_000_001, 5 }, ints.T.Sum(0).ToArray<long>(), "transposed");
        var longs = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        CollectionAssert.AreEqual(new long[] { 3, 7 }, longs.Sum(1).ToArray<long>());
        var bools = Tensor.FromArray(new[] { true, false, true, true, false, true }, 3, 2);
        Assert.AreEqual(DType.Int64, bools.Sum().DType);
        Assert.AreEqual(4L, bools.Sum().Item<long>());
        CollectionAssert.AreEqual(new long[] { 1, 2, 1 }, bools.Sum(1).ToArray<long>());
        var amax = ints.Amax([0]);
        Assert.AreEqual(DType.Int32, amax.DType);
        CollectionAssert.AreEqual(new[] { 2_000_000_000, 2_000_000_000, 3 }, amax.ToArray<int>());
    }

    [TestMethod]
    public void LogSumExpIsStableForLargeAndInfiniteValues()
    {
        var x = Tensor.FromArray(new[]
        {
            1000, 1000, 1000,
            -1000, -1000, -1000,
            double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity,
            double.NegativeInfinity, 0, 0,
            double.PositiveInfinity, 1, 2,
        }, 5, 3);
        var y = x.LogSumExp(1).ToArray<double>();
        OpCheck.Close([1000 + Math.Log(3), -1000 + Math.Log(3), double.NegativeInfinity, Math.Log(2), double.PositiveInfinity], y, 1e-14);
        var f = x.To(DType.Float32).LogSumExp(-1).ToArray<double>();
        OpCheck.Close([1000 + Math.Log(3), -1000 + Math.Log(3), double.NegativeInfinity, Math.Log(2), double.PositiveInfinity], f, 1e-6, "Float32");
    }

    [TestMethod]
    public void NaNPropagatesThroughExtremes()
    {
        var x = Tensor.FromArray(new[] { 1, double.NaN, 2, 4, 3, 5 }, 2, 3);
        var amax = x.Amax([1]).ToArray<double>();
        Assert.IsTrue(double.IsNaN(amax[0]) && amax[1] == 5, $"Amax: {amax[0]}, {amax[1]}");
        Assert.IsTrue(double.IsNaN(x.Amin([0]).ToArray<double>()[1]), "Amin over dim 0 (row path)");
        var (values, indices) = x.Max(1);
        Assert.IsTrue(double.IsNaN(values.ToArray<double>()[0]));
        CollectionAssert.AreEqual(new long[] { 1, 2 }, indices.ToArray<long>());
        Assert.IsTrue(double.IsNaN(x.Sum().Item()));
    }

    [TestMethod]
    public void LargeReductionsSplitAcrossThreadsMatchReference()
    {
        var x = OpCheck.Randn(new Generator(8), 300, 257);
        var r = RefArray.Of(x);
        OpCheck.Close(r.Reduce([1], false, Sum), x.Sum(1), 1e-12, "Sum rows");
        OpCheck.Close(r.Reduce([0], false, Sum), x.T.Sum(1), 1e-12, "Sum of transposed rows");
        OpCheck.Close(r.Reduce([1], true, v => v.Max()), x.Amax([1], true), 0, "Amax rows");
    }

    [TestMethod]
    public void ReducingNonEmptyDimsOfAnEmptyTensorGivesAnEmptyResult()
    {
        var x = Tensor.Zeros(0, 3);
        CollectionAssert.AreEqual(new[] { 0 }, x.Amax([1]).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 0 }, x.Max(1).Values.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3 }, x.Sum(0).Shape.ToArray());
        CollectionAssert.AreEqual(new float[] { 0, 0, 0 }, x.Sum(0).ToArray<float>(), "an empty sum is 0");
        Assert.IsTrue(x.Mean(0).ToArray<float>().All(float.IsNaN), "an empty mean is NaN, as PyTorch");
        CollectionAssert.AreEqual(new[] { 3 }, x.LogSumExp(0).Shape.ToArray());
        Assert.IsTrue(x.LogSumExp(0).ToArray<float>().All(float.IsNegativeInfinity));
    }

    [TestMethod]
    public void VarOfOneElementWithCorrectionIsNaN()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3 }, 3, 1);
        Assert.IsTrue(x.Var(1).ToArray<double>().All(double.IsNaN));
        CollectionAssert.AreEqual(new double[] { 0, 0, 0 }, x.Var(1, correction: 0).ToArray<double>());
    }

    // ---- gradients -----------------------------------------------------------------------------------------------

    [TestMethod]
    public void SumMeanVarStdGradCheck()
    {
        var g = new Generator(21);
        var x = OpCheck.Randn(g, 2, 3, 4);
        OpCheck.Grad(t => t[0].Sum([0, 2], keepDim: true), x);
        OpCheck.Grad(t => t[0].Sum(), x);
        OpCheck.Grad(t => t[0].Mean([-1]), x);
        OpCheck.Grad(t => t[0].Transpose(0, 2).Mean([1, 2], keepDim: true), x);
        OpCheck.Grad(t => t[0].Var([1], 0), x);
        OpCheck.Grad(t => t[0].Var([0, 2], 1, keepDim: true), x);
        OpCheck.Grad(t => t[0].Slice(2, 0, 4, 2).Std([1], 1), x);
        OpCheck.Grad(t => t[0].Std(-1, 0), x);
        OpCheck.Grad(t => t[0].Unsqueeze(1).Expand(2, 2, 3, 4).Var([1, 3], 1), x);
    }

    [TestMethod]
    public void MaxMinAmaxAminGradCheck()
    {
        var x = OpCheck.Randn(new Generator(22), 2, 3, 4);
        OpCheck.Grad(t => t[0].Max(1).Values, x);
        OpCheck.Grad(t => t[0].Min(-1, keepDim: true).Values, x);
        OpCheck.Grad(t => t[0].Transpose(0, 1).Max(2).Values, x);
        OpCheck.Grad(t => t[0].Amax([0, 2]), x);
        OpCheck.Grad(t => t[0].Amin([1, 2], keepDim: true), x);
        OpCheck.Grad(t => t[0].Max(), x);
        OpCheck.Grad(t => t[0].Unsqueeze(0).Expand(2, 2, 3, 4).Amax([0, 3]), x);
    }

    [TestMethod]
    public void LogSumExpAndNormGradCheck()
    {
        var x = OpCheck.Randn(new Generator(23), 2, 3, 4);
        OpCheck.Grad(t => t[0].LogSumExp([1]), x);
        OpCheck.Grad(t => t[0].LogSumExp([0, 2], keepDim: true), x);
        OpCheck.Grad(t => (t[0] * 300).LogSumExp([-1]), x);
        foreach (var p in new[] { 1, 2, 3, double.PositiveInfinity })
        {
            OpCheck.Grad(t => t[0].Norm(p, [2]), x);
            OpCheck.Grad(t => t[0].Transpose(1, 2).Norm(p, [0, -1], keepDim: true), x);
            OpCheck.Grad(t => t[0].Norm(p), x);
        }
    }

    [TestMethod]
    public void MaxGradientGoesToTheFirstTiedIndexAndAmaxSharesIt()
    {
        var x = Tensor.FromArray(new double[] { 1, 3, 3, 2 }).RequiresGrad_();
        x.Max(0).Values.Backward();
        CollectionAssert.AreEqual(new double[] { 0, 1, 0, 0 }, x.Grad!.ToArray<double>());
        var y = Tensor.FromArray(new double[] { 1, 3, 3, 2 }).RequiresGrad_();
        y.Amax([0]).Backward();
        CollectionAssert.AreEqual(new double[] { 0, 0.5, 0.5, 0 }, y.Grad!.ToArray<double>());
    }

    [TestMethod]
    public void NormOfZeroHasZeroGradient()
    {
        var x = Tensor.Zeros([3], DType.Float64).RequiresGrad_();
        x.Norm().Backward();
        CollectionAssert.AreEqual(new double[] { 0, 0, 0 }, x.Grad!.ToArray<double>());
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    [TestMethod]
    public void BadDimsAndEmptyReductionsThrow()
    {
        var x = Tensor.Zeros(2, 3);
        OpCheck.Throws<ArgumentOutOfRangeException>(() => x.Sum(2), "Sum", "2", "rank 2");
        OpCheck.Throws<ArgumentOutOfRangeException>(() => x.Max(-3), "Max", "-3");
        OpCheck.Throws<ArgumentException>(() => x.Sum([1, -1]), "Sum", "more than once");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(0, 3).Max(0), "Max", "(0,3)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(0, 3).Amax([0]), "Amax", "(0,3)");
        OpCheck.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1, 2 }).Mean(), "Mean", "Int64");
        OpCheck.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1, 2 }).Std(), "Var", "Int64");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Amin([1]), "Amin", "(2,0)");
        OpCheck.Throws<ArgumentException>(() => x.Norm(-1), "Norm", "-1");
    }
}
