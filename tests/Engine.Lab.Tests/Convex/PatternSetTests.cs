using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class PatternSetTests
{
    private static HashSet<string> Columns(Tensor masks)
    {
        var (n, p) = (masks.Shape[0], masks.Shape[1]);
        var m = masks.ToArray<double>();
        return [.. Enumerable.Range(0, p).Select(i => string.Concat(Enumerable.Range(0, n).Select(k => m[k * p + i] > 0 ? '1' : '0')))];
    }

    /// <summary>Patterns of many random gates, by plain loops.</summary>
    private static HashSet<string> DenseSample(double[] x, int n, int d, int gates, int seed)
    {
        var rng = new Random(seed);
        var found = new HashSet<string>();
        for (var t = 0; t < gates; t++)
        {
            var g = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var bits = string.Concat(Enumerable.Range(0, n).Select(k => Enumerable.Range(0, d).Sum(j => x[k * d + j] * g[j]) >= 0 ? '1' : '0'));
            if (bits.Contains('1')) found.Add(bits);
        }
        return found;
    }

    [TestMethod]
    public void EnumerateFindsEveryPatternOfOneFeatureWithABias()
    {
        // n distinct x with a bias column: the lines x_k g1 + g2 = 0 cut the circle of gates into 2n arcs, each a
        // distinct pattern; one of them (g = (0, -1)) is all zero, so 2n - 1 remain.
        const int n = 30;
        var (x, _) = ConvexTestData.OneFeatureWithBias(n, ConvexLoss.Squared);
        var set = PatternSet.Enumerate(x);
        Assert.AreEqual(2 * n - 1, set.Count);
        var columns = Columns(set.Masks);
        Assert.HasCount(set.Count, columns, "patterns are distinct");
        Assert.DoesNotContain(new string('0', n), columns);
        Assert.IsTrue(DenseSample(x.ToArray<double>(), n, 2, 20_000, 5).IsSubsetOf(columns));
        // Each gate generates its own column.
        Assert.IsTrue(Columns(PatternSet.FromGates(x, set.Gates).Masks).SetEquals(columns));
        CollectionAssert.AreEqual(set.Masks.ToArray<double>(), (x.Matmul(set.Gates).Ge(0)).To(DType.Float64).ToArray<double>());
    }

    [TestMethod]
    public void EnumerateIsExactInThreeDimensions()
    {
        // n planes through the origin of R^3 in general position cut the sphere into n(n - 1) + 2 cells; minus the
        // all-zero pattern when the rows lie in an open half-space (here: positive third column).
        const int n = 9;
        var rng = new Random(3);
        var data = new double[n * 3];
        for (var k = 0; k < n; k++) (data[3 * k], data[3 * k + 1], data[3 * k + 2]) = (rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1, 0.5 + rng.NextDouble());
        var x = Tensor.Wrap(data, n, 3);
        var columns = Columns(PatternSet.Enumerate(x).Masks);
        Assert.HasCount(n * (n - 1) + 1, columns);
        // Sampling can miss thin cells but never finds a pattern the enumeration lacks.
        var sampled = DenseSample(data, n, 3, 100_000, 7);
        Assert.IsTrue(sampled.IsSubsetOf(columns), $"sampled {sampled.Count}, enumerated {columns.Count}");
        Assert.IsGreaterThan(columns.Count * 0.8, sampled.Count);
    }

    [TestMethod]
    public void DuplicatePatternsAndTheZeroPatternAreDropped()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 1 }, { 2, 1 }, { -1, 1 } });
        // g and 3g give one pattern; -1 * (0, 1) gives the all-zero pattern; (1, 0) gives (1, 1, 0).
        var gates = Tensor.FromArray(new double[,] { { 0, 1, 0, 0 }, { 1, 0, 3, -1 } });
        var set = PatternSet.FromGates(x, gates);
        Assert.AreEqual(2, set.Count);
        CollectionAssert.AreEqual(new double[] { 1, 1, 1, 1, 1, 0 }, set.Masks.ToArray<double>());
        CollectionAssert.AreEqual(new double[] { 0, 1, 1, 0 }, set.Gates.ToArray<double>(), "first gate of each pattern, in order");
    }

    [TestMethod]
    public void SamplingIsDeterministicAndEnumerationRefusesLargeD()
    {
        var (x, _) = ConvexTestData.OneFeatureWithBias(40, ConvexLoss.Squared);
        var a = PatternSet.Sample(x, 50, 9);
        var b = PatternSet.Sample(x, 50, 9);
        CollectionAssert.AreEqual(a.Gates.ToArray<double>(), b.Gates.ToArray<double>());
        Assert.IsLessThanOrEqualTo(50, a.Count);
        var e = Assert.ThrowsExactly<ArgumentException>(() => PatternSet.Enumerate(Tensor.Zeros([5, 4], DType.Float64)));
        StringAssert.Contains(e.Message, "d = 4");
        Assert.ThrowsExactly<ArgumentException>(() => PatternSet.Sample(x.Float(), 5, 1));
    }
}
