namespace Engine.Tests.Ops;

/// <summary>Sums of many float32 elements keep float32 accuracy (a regression: a full reduction used to add one
/// element at a time into a float32 running sum, so the mean of 47M pixels came out 5% high).</summary>
[TestClass]
public sealed class ReductionAccuracyTests
{
    [TestMethod]
    public void LongFloat32SumsMatchAFloat64Reference()
    {
        var x = Tensor.Rand([3_000_000], DType.Float32, new Generator(5));
        var values = x.ToArray<float>();
        var reference = values.Sum(v => (double)v);
        foreach (var (name, sum) in new[] { ("Sum()", x.Sum().Item()), ("Sum(0)", x.Sum(0).Item()), ("Reshape.Sum()", x.Reshape(1000, 3000).Sum().Item()) })
            Assert.AreEqual(reference, sum, 1e-6 * reference, $"{name}: {sum} vs {reference}");
        Assert.AreEqual(reference / values.Length, x.Mean().Item(), 1e-6, "Mean()");

        // Few kept outputs, each a long reduction.
        var m = x.Reshape(2, 1_500_000);
        var rowSums = m.Sum(1).ToArray<float>();
        for (var r = 0; r < 2; r++)
        {
            var expected = values.Skip(r * 1_500_000).Take(1_500_000).Sum(v => (double)v);
            Assert.AreEqual(expected, rowSums[r], 1e-6 * expected, $"row {r}");
        }
    }
}
