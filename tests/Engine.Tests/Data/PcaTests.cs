using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class PcaTests
{
    /// <summary>Data with known principal axes: independent coordinates of std 3, 2, 1, 0.5 along an orthonormal basis
    /// Q (a rotation of the plane of axes 0,1 by 30 degrees, then of axes 1,2 by 45 degrees), plus an offset.</summary>
    private static (Tensor X, double[,] Q) Sample(int n)
    {
        double c1 = Math.Cos(Math.PI / 6), s1 = Math.Sin(Math.PI / 6), c2 = Math.Cos(Math.PI / 4), s2 = Math.Sin(Math.PI / 4);
        // Columns of Q are the principal directions, by decreasing std.
        var q = new double[4, 4]
        {
            { c1, -s1, 0, 0 },
            { s1 * c2, c1 * c2, -s2, 0 },
            { s1 * s2, c1 * s2, c2, 0 },
            { 0, 0, 0, 1 },
        };
        double[] stds = [3, 2, 1, 0.5];
        var z = Tensor.Randn([n, 4], DType.Float64, new Generator(7)).ToArray<double>();
        var x = new double[n * 4];
        for (var i = 0; i < n; i++)
            for (var r = 0; r < 4; r++)
            {
                var v = 10.0 + r; // offset, removed by the centring
                for (var c = 0; c < 4; c++) v += q[r, c] * stds[c] * z[i * 4 + c];
                x[i * 4 + r] = v;
            }
        return (Tensor.FromArray(x, n, 4), q);
    }

    [TestMethod]
    public void FitFindsTheVarianceOrderedAxesAndMatchesTheSampleCovariance()
    {
        var (x, q) = Sample(4000);
        var pca = Pca.Fit(x, 3);
        Assert.AreEqual(3, pca.ComponentCount);
        var components = pca.Components.ToArray<double>();
        for (var c = 0; c < 3; c++)
        {
            // Up to sign, which Fit fixes: the largest-magnitude entry is positive.
            var dot = 0.0;
            for (var r = 0; r < 4; r++) dot += components[r * 3 + c] * q[r, c];
            Assert.IsGreaterThan(0.99, Math.Abs(dot), $"component {c} is the axis of std {new[] { 3, 2, 1 }[c]}: |cos| = {Math.Abs(dot)}");
            var largest = Enumerable.Range(0, 4).MaxBy(r => Math.Abs(components[r * 3 + c]));
            Assert.IsGreaterThan(0.0, components[largest * 3 + c]);
        }

        // Independent reference: the variance of the projected data (divisor n - 1) is the explained variance, the
        // projections are uncorrelated, and the total variance is the sum of the per-feature variances.
        var data = x.ToArray<double>();
        int n = x.Size(0);
        var scores = pca.Transform(x).ToArray<double>();
        var variance = pca.ExplainedVariance.ToArray<double>();
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                double sum = 0, meanA = 0, meanB = 0;
                for (var i = 0; i < n; i++) { meanA += scores[i * 3 + a]; meanB += scores[i * 3 + b]; }
                meanA /= n;
                meanB /= n;
                Assert.AreEqual(0, meanA, 1e-9, "training scores are centred");
                for (var i = 0; i < n; i++) sum += (scores[i * 3 + a] - meanA) * (scores[i * 3 + b] - meanB);
                Assert.AreEqual(a == b ? variance[a] : 0, sum / (n - 1), 1e-8 * variance[0], $"covariance of scores {a},{b}");
            }
        Assert.IsTrue(variance[0] > variance[1] && variance[1] > variance[2], string.Join(", ", variance));
        var total = 0.0;
        for (var r = 0; r < 4; r++)
        {
            double mean = 0, sq = 0;
            for (var i = 0; i < n; i++) mean += data[i * 4 + r];
            mean /= n;
            for (var i = 0; i < n; i++) sq += (data[i * 4 + r] - mean) * (data[i * 4 + r] - mean);
            total += sq / (n - 1);
        }
        Assert.AreEqual(total, pca.TotalVariance, 1e-9 * total);
        Assert.AreEqual(variance.Sum() / total, pca.ExplainedFraction, 1e-12);
    }

    [TestMethod]
    public void TransformUsesTheTrainingMeanAndAllComponentsReconstruct()
    {
        var (x, _) = Sample(500);
        var pca = Pca.Fit(x, 4);
        var test = Tensor.FromArray(new double[] { 10, 11, 12, 13, 11, 11, 12, 14 }, 2, 4);
        // With every component the projection is a rotation of the centred data: it reconstructs it exactly.
        var back = pca.Transform(test).Matmul(pca.Components.T) + pca.Mean;
        var expected = test.ToArray<double>();
        var actual = back.ToArray<double>();
        for (var i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-10);
    }

    [TestMethod]
    public void BadArgumentsThrowClearErrors()
    {
        var x = Tensor.Randn([10, 3], DType.Float64, new Generator(1));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pca.Fit(x, 4));
        StringAssert.Contains(e.Message, "1..3");
        var f = Assert.ThrowsExactly<ArgumentException>(() => Pca.Fit(x, 2).Transform(Tensor.Zeros([2, 5], DType.Float64)));
        StringAssert.Contains(f.Message, "(2,5)");
        Assert.ThrowsExactly<ArgumentException>(() => Pca.Fit(Tensor.Zeros([1, 3], DType.Float64), 1));
    }
}
