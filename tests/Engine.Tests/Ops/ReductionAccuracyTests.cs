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

    /// <summary>Full reductions of long rows run in pieces on several cores; every op and dtype must give the
    /// sequential answer (exactly, where it is order-independent), the same on every call.</summary>
    [TestMethod]
    public void LongRowReductionsSplitAcrossCoresMatchReferences()
    {
        const int n = 300_001; // several pieces and a ragged last one
        var x = Tensor.Randn([n], DType.Float32, new Generator(8));
        var values = x.ToArray<float>();
        Assert.AreEqual(values.Max(), x.Max().Item(), "Max");
        Assert.AreEqual(values.Min(), x.Min().Item(), "Min");
        var reference = values.Sum(v => (double)v);
        var sum = x.Sum().Item();
        Assert.AreEqual(reference, sum, 1e-6 * values.Sum(v => Math.Abs((double)v)), "float32 Sum");
        Assert.AreEqual(sum, x.Sum().Item(), "the same sum on every call");

        var d = x.To(DType.Float64);
        Assert.AreEqual(reference, d.Sum().Item(), 1e-9 * Math.Abs(reference) + 1e-9, "float64 Sum");
        var ints = (x * 1000).To(DType.Int64);
        Assert.AreEqual(ints.ToArray<long>().Sum(), (long)ints.Sum().Item(), "int64 Sum is exact");
        Assert.AreEqual((double)ints.ToArray<long>().Max(), ints.Max().Item(), "int64 Max");

        values[n - 3] = float.NaN;
        var withNaN = Tensor.FromArray(values, [n]);
        Assert.IsTrue(double.IsNaN(withNaN.Max().Item()), "NaN in the last piece propagates through Max");
        Assert.IsTrue(double.IsNaN(withNaN.Sum().Item()), "and through Sum");
    }
}
