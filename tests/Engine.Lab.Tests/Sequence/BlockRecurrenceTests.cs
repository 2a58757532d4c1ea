using Engine.Lab.Sequence;

namespace Engine.Lab.Tests.Sequence;

[TestClass]
public sealed class BlockRecurrenceTests
{
    /// <summary>x_t = A_t x_{t-1} + b_t by a plain loop.</summary>
    private static double[] Loop(double[] a, double[] b, int steps, int units, int q)
    {
        var x = new double[b.Length];
        for (var t = 0; t < steps; t++)
            for (var u = 0; u < units; u++)
                for (var i = 0; i < q; i++)
                {
                    var v = b[(t * units + u) * q + i];
                    if (t > 0)
                        for (var k = 0; k < q; k++)
                            v += a[((t * units + u) * q + i) * q + k] * x[((t - 1) * units + u) * q + k];
                    x[(t * units + u) * q + i] = v;
                }
        return x;
    }

    private static double[] Random(int n, int seed, double scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale)];
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(2, 1, 1)]
    [DataRow(37, 5, 1)]
    [DataRow(1000, 64, 1)]
    [DataRow(129, 3, 2)]
    [DataRow(64, 2, 5)]
    public void PrefixReductionEqualsTheLoop(int steps, int units, int q)
    {
        var a = Random(steps * units * q * q, 1, 0.9 / q);
        var b = Random(steps * units * q, 2, 1);
        var expected = Loop(a, b, steps, units, q);
        var got = BlockRecurrence.Solve(a, b, steps, units, q);
        for (var i = 0; i < got.Length; i++) Assert.AreEqual(expected[i], got[i], 1e-12, $"element {i}");
        var got32 = BlockRecurrence.Solve(a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray(), steps, units, q);
        for (var i = 0; i < got32.Length; i++) Assert.AreEqual(expected[i], got32[i], 1e-5, $"float32 element {i}");
    }

    [TestMethod]
    [DataRow(300, 4, 1)]
    [DataRow(65, 3, 2)]
    [DataRow(20, 1, 4)]
    public void AdjointSolveEqualsTheReverseLoopWithTransposedBlocks(int steps, int units, int q)
    {
        var a = Random(steps * units * q * q, 3, 0.9 / q);
        var g = Random(steps * units * q, 4, 1);
        var got = BlockRecurrence.SolveAdjoint(a, g, steps, units, q);
        // lambda_t = g_t + A_{t+1}^T lambda_{t+1}, from the last step back.
        var lambda = new double[g.Length];
        for (var t = steps - 1; t >= 0; t--)
            for (var u = 0; u < units; u++)
                for (var i = 0; i < q; i++)
                {
                    var v = g[(t * units + u) * q + i];
                    if (t < steps - 1)
                        for (var k = 0; k < q; k++)
                            v += a[(((t + 1) * units + u) * q + k) * q + i] * lambda[((t + 1) * units + u) * q + k];
                    lambda[(t * units + u) * q + i] = v;
                }
        for (var i = 0; i < got.Length; i++) Assert.AreEqual(lambda[i], got[i], 1e-12, $"element {i}");
    }

    [TestMethod]
    public void WrongArrayLengthsAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => BlockRecurrence.Solve(new double[7], new double[4], 4, 1, 1));
        StringAssert.Contains(e.Message, "4 steps");
    }
}
