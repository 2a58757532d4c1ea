using Engine.Lab.Convex;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class ConeProjectionTests
{
    /// <summary>The projection onto {w : A w &gt;= 0} by brute force: it is the projection onto the subspace
    /// {w : A_S w = 0} of some row subset S (the face it lies on), so try every subset of at most d rows, keep the
    /// feasible candidates and return the closest to v.</summary>
    private static double[] BruteForce(double[] a, int m, int d, double[] v)
    {
        double[]? best = null;
        var bestDistance = double.PositiveInfinity;
        for (var subset = 0; subset < 1 << m; subset++)
        {
            var rows = Enumerable.Range(0, m).Where(k => (subset >> k & 1) != 0).ToArray();
            if (rows.Length > d) continue;
            // Orthonormal basis of the rows' span by Gram-Schmidt; the candidate is v minus its component there.
            var basis = new List<double[]>();
            foreach (var k in rows)
            {
                var q = a.AsSpan(k * d, d).ToArray();
                foreach (var b in basis)
                {
                    var dot = q.Zip(b).Sum(t => t.First * t.Second);
                    for (var c = 0; c < d; c++) q[c] -= dot * b[c];
                }
                var norm = Math.Sqrt(q.Sum(t => t * t));
                if (norm > 1e-9) basis.Add(q.Select(t => t / norm).ToArray());
            }
            var w = (double[])v.Clone();
            foreach (var b in basis)
            {
                var dot = w.Zip(b).Sum(t => t.First * t.Second);
                for (var c = 0; c < d; c++) w[c] -= dot * b[c];
            }
            var feasible = Enumerable.Range(0, m).All(k => Enumerable.Range(0, d).Sum(c => a[k * d + c] * w[c]) >= -1e-12);
            var distance = w.Zip(v).Sum(t => (t.First - t.Second) * (t.First - t.Second));
            if (feasible && distance < bestDistance) (best, bestDistance) = (w, distance);
        }
        return best!;
    }

    [TestMethod]
    [DataRow(2, 5, 1)]
    [DataRow(3, 7, 2)]
    [DataRow(4, 9, 3)]
    public void ProjectionMatchesTheBestFeasibleFace(int d, int m, int seed)
    {
        var rng = new Random(seed);
        for (var trial = 0; trial < 20; trial++)
        {
            var a = Enumerable.Range(0, m * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var v = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            var w = ConeProjection.Project(a, m, d, v);
            var expected = BruteForce(a, m, d, v);
            for (var c = 0; c < d; c++) Assert.AreEqual(expected[c], w[c], 1e-12, $"trial {trial}, coordinate {c}");
            for (var k = 0; k < m; k++)
                Assert.IsGreaterThanOrEqualTo(-1e-13, Enumerable.Range(0, d).Sum(c => a[k * d + c] * w[c]), $"trial {trial}, row {k}");
        }
    }

    [TestMethod]
    public void ProjectOntoConesKeepsFeasibleAndZeroBlocksAndRepairsTheRest()
    {
        var p = ConvexTestData.EnumerableProblem(ConvexLoss.Squared, n: 25);
        var count = p.Patterns.Count;
        // Block 0 is its own gate (feasible), block 1 is zero, block 2 is the gate of pattern 0 (infeasible for
        // pattern 2 unless the patterns coincide, which distinct patterns do not).
        var gates = p.Patterns.Gates.ToArray<double>();
        var u = new double[2 * count];
        for (var c = 0; c < 2; c++)
        {
            u[c * count] = gates[c * count];
            u[c * count + 2] = gates[c * count];
        }
        var s = new ConvexSolution(Tensor.Wrap(u, 2, count), Tensor.Zeros([2, count], DType.Float64));
        Assert.IsGreaterThan(0, s.ConstraintViolation(p));
        var projected = s.ProjectOntoCones(p);
        Assert.IsLessThan(1e-13, projected.ConstraintViolation(p));
        var pu = projected.U.ToArray<double>();
        for (var c = 0; c < 2; c++)
        {
            Assert.AreEqual(u[c * count], pu[c * count]);
            Assert.AreEqual(0, pu[c * count + 1]);
        }
        CollectionAssert.AreEqual(new double[2 * count], projected.Z.ToArray<double>());
    }
}
