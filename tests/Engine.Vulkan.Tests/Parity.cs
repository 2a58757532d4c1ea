using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Runs a primitive on the CPU and on the Vulkan device with the same inputs and compares the results:
/// |vulkan - cpu| &lt;= rtol |cpu| + atol elementwise (NaN matching NaN), where atol only absorbs the float32 rounding of
/// results that cancel to near zero.</summary>
internal static class Parity
{
    public const double Rtol = 1e-5;
    public const double Atol = 1e-6;

    /// <summary>Host values of a tensor's dtype from a seeded generator: floats uniform in [lo, hi), integers in
    /// [lo, hi), bools fair coins.</summary>
    public static Tensor Random(int[] shape, DType dtype, int seed, double lo = -3, double hi = 3)
    {
        var rng = new Random(seed);
        var n = shape.Aggregate(1, (a, b) => a * b);
        Array data = dtype switch
        {
            DType.Float32 => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * rng.NextDouble())).ToArray(),
            DType.Float64 => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray(),
            DType.Int32 => Enumerable.Range(0, n).Select(_ => rng.Next((int)lo, (int)hi)).ToArray(),
            DType.Int64 => Enumerable.Range(0, n).Select(_ => (long)rng.Next((int)lo, (int)hi) * 1_000_003L).ToArray(),
            _ => Enumerable.Range(0, n).Select(_ => rng.Next(2) == 1).ToArray(),
        };
        return Tensor.FromArray(data).Reshape(shape);
    }

    public static double[] Values(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(v => (double)v).ToArray(),
        DType.Float64 => t.ToArray<double>(),
        DType.Int32 => t.ToArray<int>().Select(v => (double)v).ToArray(),
        DType.Int64 => t.ToArray<long>().Select(v => (double)v).ToArray(),
        _ => t.ToArray<bool>().Select(v => v ? 1.0 : 0.0).ToArray(),
    };

    public static void AssertClose(Tensor cpu, Tensor vulkan, string what, double rtol = Rtol, double atol = Atol)
    {
        Assert.AreEqual(cpu.DType, vulkan.DType, what);
        CollectionAssert.AreEqual(cpu.Shape.ToArray(), vulkan.Shape.ToArray(), what);
        var expected = Values(cpu);
        var actual = Values(vulkan);
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (e == a) continue;
            if (!(Math.Abs(a - e) <= rtol * Math.Abs(e) + atol))
                Assert.Fail($"{what}: element {i} is {a:R} on Vulkan, {e:R} on the CPU");
        }
    }
}
