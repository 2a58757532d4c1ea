using Engine.Lab.Analysis;
using static Engine.Lab.Tests.Analysis.CodeMatrixTests;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class ClusteringTests
{
    // Three groups of four 12-bit codes, each group inside its own 4-bit block (pairwise distance >= 6 between
    // groups, <= 2 inside), and the same pattern in each: the block full, or one of bits 0, 2, 3 of it cleared.
    private static readonly string[] Patterns = ["1111", "1110", "1101", "0111"];

    private static (CodeMatrix Codes, int[] Groups) ThreeGroups()
    {
        var rows = new List<string>();
        var groups = new List<int>();
        // Interleave the groups so the answer is not simply "in order".
        for (var p = 0; p < Patterns.Length; p++)
            for (var g = 0; g < 3; g++)
            {
                rows.Add(new string('0', 4 * g) + Patterns[p] + new string('0', 8 - 4 * g));
                groups.Add(g);
            }
        return (Codes([.. rows]), [.. groups]);
    }

    [TestMethod]
    public void KMeansRecoversWellSeparatedGroupsExactly()
    {
        var (codes, groups) = ThreeGroups();
        foreach (var seed in new ulong[] { 0, 1, 2, 3, 42 })
        {
            var result = CodeCategorization.KMeans(codes, 3, seed, restarts: 4);
            // Same partition up to renaming: the cluster id of a group is a bijection.
            var map = new Dictionary<int, int>();
            for (var i = 0; i < groups.Length; i++)
            {
                if (!map.TryGetValue(groups[i], out var cluster)) map[groups[i]] = cluster = result.Assignments[i];
                Assert.AreEqual(cluster, result.Assignments[i], $"seed {seed}, row {i}");
            }
            Assert.AreEqual(3, map.Values.Distinct().Count(), $"seed {seed}");
            // Centroid of group 0: bit 1 always on, bits 0, 2, 3 on in 3 of 4 rows; each group's squared distances
            // sum to 3 * 0.0625 + 3 * (2 * 0.0625 + 0.5625) = 2.25.
            var c0 = map[0];
            double[] expected = [0.75, 1, 0.75, 0.75, 0, 0, 0, 0, 0, 0, 0, 0];
            for (var j = 0; j < 12; j++) Assert.AreEqual(expected[j], result.Centroids[c0, j], 1e-12, $"seed {seed}, bit {j}");
            Assert.AreEqual(6.75, result.Inertia, 1e-9, $"seed {seed}");
            Assert.IsTrue(result.Iterations >= 2, $"seed {seed}: {result.Iterations} iterations");
            Assert.AreEqual(1.0, CodeCategorization.ClusterAccuracyHungarian(result.Assignments, groups, 3, 3));
        }
    }

    [TestMethod]
    public void KMeansIsDeterministicForASeedAndHandlesDuplicateRows()
    {
        var rng = new Random(11);
        var bits = new bool[60, 40];
        for (var i = 0; i < 60; i++)
            for (var j = 0; j < 40; j++)
                bits[i, j] = rng.Next(3) == 0;
        var codes = CodeMatrix.FromBits(bits);
        var a = CodeCategorization.KMeans(codes, 5, 9, restarts: 2);
        var b = CodeCategorization.KMeans(codes, 5, 9, restarts: 2);
        CollectionAssert.AreEqual(a.Assignments, b.Assignments);
        Assert.AreEqual(a.Inertia, b.Inertia);
        // Lloyd's fixed point: every row is at its nearest centroid and the inertia is their total.
        double total = 0;
        for (var i = 0; i < 60; i++)
        {
            var d = Enumerable.Range(0, 5).Select(c => Enumerable.Range(0, 40).Sum(j => Math.Pow((bits[i, j] ? 1 : 0) - a.Centroids[c, j], 2))).ToArray();
            Assert.AreEqual(d.Min(), d[a.Assignments[i]], 1e-9, $"row {i}");
            total += d[a.Assignments[i]];
        }
        Assert.AreEqual(total, a.Inertia, 1e-9);

        // Four copies each of two codes and k = 3: fewer distinct rows than clusters must still converge, with each
        // code at its own centroid.
        string[] rows = ["1100", "1100", "0011", "0011", "1100", "0011", "1100", "0011"];
        var r = CodeCategorization.KMeans(Codes(rows), 3, 5);
        Assert.AreEqual(0.0, r.Inertia, 1e-12);
        Assert.IsTrue(r.Iterations < 300, $"{r.Iterations} iterations");
        for (var i = 0; i < 8; i++)
            Assert.AreEqual(rows[i] == rows[0], r.Assignments[i] == r.Assignments[0], $"row {i}");
    }

    [TestMethod]
    public void GreedyAndHungarianMappingsDiffer()
    {
        // Both clusters hold mostly label 0: greedy maps both to 0 (3 + 2 right), one-to-one must give cluster 1
        // label 1 (3 + 1 right).
        int[] clusters = [0, 0, 0, 1, 1, 1];
        int[] labels = [0, 0, 0, 0, 0, 1];
        Assert.AreEqual(5.0 / 6, CodeCategorization.ClusterAccuracyGreedy(clusters, labels, 2, 2), 1e-15);
        Assert.AreEqual(4.0 / 6, CodeCategorization.ClusterAccuracyHungarian(clusters, labels, 2, 2), 1e-15);
        // More clusters than labels: the third cluster stays unmatched under one-to-one.
        int[] clusters3 = [0, 1, 2, 2, 0, 1];
        int[] labels3 = [0, 1, 1, 1, 0, 0];
        Assert.AreEqual(5.0 / 6, CodeCategorization.ClusterAccuracyGreedy(clusters3, labels3, 3, 2), 1e-15);
        Assert.AreEqual(4.0 / 6, CodeCategorization.ClusterAccuracyHungarian(clusters3, labels3, 3, 2), 1e-15);
    }

    [TestMethod]
    public void HungarianFindsTheCheapestPermutation()
    {
        var rng = new Random(4);
        for (var trial = 0; trial < 20; trial++)
        {
            var n = 1 + trial % 6;
            var cost = new long[n, n];
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    cost[i, j] = rng.Next(-20, 21);
            var assignment = Hungarian.MinCostAssignment(cost);
            CollectionAssert.AreEquivalent(Enumerable.Range(0, n).ToArray(), assignment, $"trial {trial}: not a permutation");
            var best = Permutations(n).Min(p => Enumerable.Range(0, n).Sum(i => cost[i, p[i]]));
            Assert.AreEqual(best, Enumerable.Range(0, n).Sum(i => cost[i, assignment[i]]), $"trial {trial}");
        }
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var p in Permutations(n - 1))
            for (var pos = 0; pos < n; pos++)
                yield return [.. p[..pos], n - 1, .. p[pos..]];
    }

    [TestMethod]
    public void BadArgumentsAreClearErrors()
    {
        var (codes, _) = ThreeGroups();
        var e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.KMeans(codes, 13, 0));
        StringAssert.Contains(e.Message, "rows = 12");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.ClusterAccuracyGreedy([0, 1], [0], 2, 2));
        StringAssert.Contains(e.Message, "2 cluster ids but 1 labels");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.ClusterAccuracyHungarian([0, 2], [0, 1], 2, 2));
        StringAssert.Contains(e.Message, "cluster 2");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.Accuracy([1, 2, 3], [1, 2]));
        StringAssert.Contains(e.Message, "3 predictions but 2 labels");
        Assert.AreEqual(2.0 / 3, CodeCategorization.Accuracy([1, 2, 3], [1, 0, 3]), 1e-15);
    }
}
