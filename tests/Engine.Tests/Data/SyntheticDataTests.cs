using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class SyntheticDataTests
{
    [TestMethod]
    public void BlobsSitAroundTheirCentersWithTheGivenSpread()
    {
        var centers = new double[,] { { 0, 0 }, { 5, 5 }, { -5, 5 } };
        const double std = 0.7;
        var table = SyntheticData.Blobs(3001, Tensor.FromArray(centers), std, seed: 4);
        CheckTable(table, 3001, [2], [1001, 1000, 1000]);
        var (x, y) = Rows(table);
        for (var c = 0; c < 3; c++)
        {
            var members = x.Where((_, i) => y[i] == c).ToArray();
            for (var j = 0; j < 2; j++)
            {
                var values = members.Select(r => r[j]).ToArray();
                var (mean, sd) = MeanStd(values);
                Assert.AreEqual(centers[c, j], mean, 4 * std / Math.Sqrt(values.Length), $"class {c} coord {j} mean");
                Assert.AreEqual(std, sd, 0.06 * std, $"class {c} coord {j} std");
            }
        }

        var random = SyntheticData.Blobs(600, classes: 4, features: 3, std: 0.1, centerBox: 10, seed: 9);
        CheckTable(random, 600, [3], [150, 150, 150, 150]);
        var (rx, _) = Rows(random);
        Assert.IsTrue(rx.All(r => r.All(v => Math.Abs(v) < 10 + 0.1 * 6)), "centers lie in the box");
        CheckDeterministic(s => SyntheticData.Blobs(100, 3, 2, 1, 10, s));
    }

    [TestMethod]
    public void MoonsLieOnTheirTwoArcs()
    {
        var table = SyntheticData.Moons(201, noise: 0, seed: 1);
        CheckTable(table, 201, [2], [101, 100]);
        var (x, y) = Rows(table);
        for (var i = 0; i < x.Length; i++)
        {
            var (px, py) = (x[i][0], x[i][1]);
            if (y[i] == 0)
            {
                Assert.AreEqual(1, Math.Sqrt(px * px + py * py), 1e-6, $"outer arc point {i}");
                Assert.IsGreaterThanOrEqualTo(-1e-6, py);
            }
            else
            {
                Assert.AreEqual(1, Math.Sqrt((px - 1) * (px - 1) + (py - 0.5) * (py - 0.5)), 1e-6, $"inner arc point {i}");
                Assert.IsLessThanOrEqualTo(0.5 + 1e-6, py);
            }
        }
        // The arcs' ends, as scikit-learn's make_moons: (1, 0) and (-1, 0) above, (0, 0.5) and (2, 0.5) below.
        foreach (var (px, py) in new[] { (1.0, 0.0), (-1.0, 0.0), (0.0, 0.5), (2.0, 0.5) })
            Assert.IsTrue(x.Any(r => Math.Abs(r[0] - px) < 1e-6 && Math.Abs(r[1] - py) < 1e-6), $"({px}, {py})");

        // Noise moves points off the arcs by about its standard deviation.
        var noisy = SyntheticData.Moons(4000, noise: 0.1, seed: 1);
        var (nx, ny) = Rows(noisy);
        var offsets = nx.Select((r, i) => ny[i] == 0 ? Math.Sqrt(r[0] * r[0] + r[1] * r[1]) - 1 : Math.Sqrt((r[0] - 1) * (r[0] - 1) + (r[1] - 0.5) * (r[1] - 0.5)) - 1).ToArray();
        Assert.AreEqual(0.1, MeanStd(offsets).Std, 0.01);
        CheckDeterministic(s => SyntheticData.Moons(50, 0.2, s));
    }

    [TestMethod]
    public void SpiralArmsWindAtTheirAngles()
    {
        const int classes = 3;
        const double turns = 1.5;
        var table = SyntheticData.Spirals(301, classes, turns, noise: 0, seed: 2);
        CheckTable(table, 301, [2], [101, 100, 100]);
        var (x, y) = Rows(table);
        for (var i = 0; i < x.Length; i++)
        {
            var r = Math.Sqrt(x[i][0] * x[i][0] + x[i][1] * x[i][1]);
            Assert.IsTrue(r is > 0 and <= 1 + 1e-6, $"radius {r}");
            var expected = 2 * Math.PI * (turns * r + (double)y[i] / classes);
            var diff = Math.IEEERemainder(Math.Atan2(x[i][1], x[i][0]) - expected, 2 * Math.PI);
            Assert.AreEqual(0, diff, 1e-4, $"point {i} of arm {y[i]} at radius {r}");
        }
        CheckDeterministic(s => SyntheticData.Spirals(60, 2, 1, 0.1, s));
    }

    [TestMethod]
    public void XorClustersFollowTheXorRuleWithExactlyTheRequestedFlips()
    {
        var clean = SyntheticData.XorClusters(2000, dims: 5, scale: 1, std: 0.1, flipRate: 0, seed: 3);
        CheckTable(clean, 2000, [5], [1000, 1000]);
        var (x, y) = Rows(clean);
        for (var i = 0; i < x.Length; i++)
            Assert.AreEqual((x[i][0] < 0) != (x[i][1] < 0) ? 1 : 0, y[i], $"sample {i} at ({x[i][0]}, {x[i][1]})");
        var quadrants = x.GroupBy(r => (r[0] > 0, r[1] > 0)).Select(g => g.Count()).ToArray();
        CollectionAssert.AreEqual(new[] { 500, 500, 500, 500 }, quadrants);
        var (mean0, std0) = MeanStd(x.Select(r => Math.Abs(r[0])).ToArray());
        Assert.AreEqual(1, mean0, 0.01, "first coordinate at ±scale");
        for (var j = 2; j < 5; j++)
        {
            var (mean, sd) = MeanStd(x.Select(r => r[j]).ToArray());
            Assert.AreEqual(0, mean, 0.01, $"coord {j} mean");
            Assert.AreEqual(0.1, sd, 0.006, $"coord {j} std");
        }

        const double flipRate = 0.15;
        var (noisy, cleanLabels) = SyntheticData.XorClustersWithCleanLabels(2000, dims: 5, scale: 1, std: 0.1, flipRate: flipRate, seed: 3);
        var (nx, ny) = Rows(noisy);
        var truth = cleanLabels.ToArray<long>();
        var flipped = Enumerable.Range(0, 2000).Where(i => ny[i] != truth[i]).ToArray();
        Assert.HasCount(300, flipped, "exactly round(0.15 * 2000) labels flipped");
        for (var i = 0; i < nx.Length; i++)
            Assert.AreEqual((nx[i][0] < 0) != (nx[i][1] < 0) ? 1 : 0, truth[i], "clean labels keep the XOR rule");
        var fromClassOne = flipped.Count(i => truth[i] == 1);
        Assert.IsTrue(fromClassOne is > 110 and < 190, $"flips fall on both classes alike ({fromClassOne} of 300 from class 1)");
        var wrongByRule = Enumerable.Range(0, 2000).Count(i => ((nx[i][0] < 0) != (nx[i][1] < 0) ? 1 : 0) != ny[i]) / 2000.0;
        Assert.AreEqual(flipRate, wrongByRule, 1e-9);

        // Overlapping clusters: the noisy labels disagree with the sign rule at about the flip rate plus the overlap.
        var wide = SyntheticData.XorClusters(20000, dims: 2, scale: 1, std: 0.5, flipRate: 0.1, seed: 8);
        var (wx, wy) = Rows(wide);
        var pCross = 1 - Normal.Cdf(1 / 0.5);          // one coordinate crosses its axis
        var pRuleWrong = 2 * pCross * (1 - pCross);     // exactly one crosses: the sign rule flips
        var expected = 0.1 * (1 - pRuleWrong) + 0.9 * pRuleWrong;
        var observed = Enumerable.Range(0, wx.Length).Count(i => ((wx[i][0] < 0) != (wx[i][1] < 0) ? 1 : 0) != wy[i]) / (double)wx.Length;
        Assert.AreEqual(expected, observed, 0.01, $"expected {expected:F4}, observed {observed:F4}");
        CheckDeterministic(s => SyntheticData.XorClusters(80, 3, 1, 0.5, 0.2, s));
    }

    [TestMethod]
    public void ParityLabelsAreTheParityOfTheChosenBits()
    {
        var table = SyntheticData.Parity(4000, bits: 10, k: 3, signed: true, seed: 5);
        var (x, y) = Rows(table);
        Assert.IsTrue(x.All(r => r.All(v => v is 1 or -1)), "inputs in {-1, 1}");
        for (var i = 0; i < x.Length; i++)
            Assert.AreEqual(x[i].Take(3).Count(v => v == 1) % 2, y[i], $"sample {i}");
        var ones = y.Count(v => v == 1) / 4000.0;
        Assert.AreEqual(0.5, ones, 0.03, "parity labels are balanced");
        var bitMean = x.SelectMany(r => r).Average();
        Assert.AreEqual(0, bitMean, 0.02, "bits are uniform");

        var subset = SyntheticData.Parity(500, bits: 8, relevantBits: [2, 7], signed: false, seed: 6);
        var (sx, sy) = Rows(subset);
        Assert.IsTrue(sx.All(r => r.All(v => v is 0 or 1)), "inputs in {0, 1}");
        for (var i = 0; i < sx.Length; i++)
            Assert.AreEqual(((int)sx[i][2] + (int)sx[i][7]) % 2, sy[i]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => SyntheticData.Parity(10, 4, relevantBits: [1, 1]));
        StringAssert.Contains(e.Message, "Parity: relevantBits must be distinct positions in [0, 4); got [1, 1]");
        CheckDeterministic(s => SyntheticData.Parity(50, 6, 2, true, s));
    }

    [TestMethod]
    public void DirichletSpherePointsAreUnitVectorsClusteredByClass()
    {
        var table = SyntheticData.DirichletSphere(3000, classes: 3, dims: 6, seed: 7);
        CheckTable(table, 3000, [6], [1000, 1000, 1000]);
        var (x, _) = Rows(table);
        foreach (var r in x)
            Assert.AreEqual(1, Math.Sqrt(r.Sum(v => v * v)), 1e-5);
        var separated = NearestMeanAccuracy(table);
        Assert.IsGreaterThan(0.8, separated, $"concentrated classes are told apart by their mean direction: {separated:P1}");

        // Equal concentrations: one law for every class, so no better than chance.
        var mixed = NearestMeanAccuracy(SyntheticData.DirichletSphere(3000, classes: 3, dims: 6, alphaIn: 1, alphaOut: 1, seed: 7));
        Assert.IsLessThan(0.4, mixed, $"equal concentrations are indistinguishable: {mixed:P1}");
        CheckDeterministic(s => SyntheticData.DirichletSphere(60, 2, 4, seed: s));
    }

    [TestMethod]
    public void GammaDrawsHaveTheirMoments()
    {
        foreach (var shape in new[] { 0.3, 1.0, 4.5 })
        {
            var gen = new Generator(12);
            var draws = Enumerable.Range(0, 40000).Select(_ => SyntheticData.Gamma(shape, gen)).ToArray();
            var (mean, sd) = MeanStd(draws);
            Assert.AreEqual(shape, mean, 4 * Math.Sqrt(shape / draws.Length), $"Gamma({shape}) mean");
            Assert.AreEqual(shape, sd * sd, 0.05 * shape, $"Gamma({shape}) variance");
        }
    }

    /// <summary>Class mean directions from the first half of the rows, accuracy of the closest mean on the second.</summary>
    private static double NearestMeanAccuracy(LabeledTable table)
    {
        var (x, y) = Rows(table);
        var half = x.Length / 2;
        var means = Enumerable.Range(0, table.ClassCount)
            .Select(c => Enumerable.Range(0, table.FeatureCount).Select(j => Enumerable.Range(0, half).Where(i => y[i] == c).Average(i => x[i][j])).ToArray())
            .ToArray();
        var correct = Enumerable.Range(half, x.Length - half).Count(i =>
            Enumerable.Range(0, means.Length).MaxBy(c => means[c].Zip(x[i], (m, v) => m * v).Sum()) == y[i]);
        return correct / (double)(x.Length - half);
    }

    private static void CheckTable(LabeledTable table, int samples, int[] featureShape, int[] classCounts)
    {
        Assert.AreEqual(DType.Float32, table.Features.DType);
        Assert.AreEqual(DType.Int64, table.Labels.DType);
        CollectionAssert.AreEqual(new[] { samples }.Concat(featureShape).ToArray(), table.Features.Shape.ToArray());
        Assert.AreEqual(classCounts.Length, table.ClassCount);
        CollectionAssert.AreEqual(classCounts, CsvDataSetTests.Histogram(table.Labels, classCounts.Length));
        var y = table.Labels.ToArray<long>();
        Assert.IsTrue(y.Take(20).Distinct().Count() > 1, "rows come shuffled, not class after class");
    }

    private static void CheckDeterministic(Func<ulong, LabeledTable> make)
    {
        var (a, b, c) = (make(1), make(1), make(2));
        Assert.IsTrue(a.Features.Equal(b.Features) && a.Labels.Equal(b.Labels), $"{a.Name}: the same seed gives the same table");
        Assert.IsFalse(a.Features.Equal(c.Features), $"{a.Name}: another seed, another table");
    }

    private static (double[][] X, long[] Y) Rows(LabeledTable table)
    {
        var f = table.FeatureCount;
        var flat = table.Features.ToArray<float>();
        var x = Enumerable.Range(0, table.Samples).Select(i => new ArraySegment<float>(flat, i * f, f).Select(v => (double)v).ToArray()).ToArray();
        return (x, table.Labels.ToArray<long>());
    }

    private static (double Mean, double Std) MeanStd(double[] values)
    {
        var mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length));
    }

    private static class Normal
    {
        /// <summary>The standard normal CDF.</summary>
        public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

        /// <summary>erfc(x) = 2/sqrt(pi) * integral of exp(-t^2) from x to infinity, by Simpson's rule (the tail
        /// beyond x + 10 is negligible).</summary>
        private static double Erfc(double x)
        {
            const int steps = 20000;
            var (a, b) = (x, x + 10);
            var h = (b - a) / steps;
            var sum = Math.Exp(-a * a) + Math.Exp(-b * b);
            for (var i = 1; i < steps; i++) sum += (i % 2 == 0 ? 2 : 4) * Math.Exp(-(a + i * h) * (a + i * h));
            return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
        }
    }
}
