namespace Engine.Tests.Ops;

/// <summary>Assertions shared by the op tests: values against a float64 reference, gradient checks, and error
/// messages.</summary>
internal static class OpCheck
{
    /// <summary>Standard-normal Float64 values of a shape from a seeded generator.</summary>
    public static Tensor Randn(Generator g, params int[] shape) => Tensor.Randn(shape, DType.Float64, g);

    /// <summary>Same shape and every value within tol * (1 + |expected|); NaN must match NaN and infinities must match
    /// exactly.</summary>
    public static void Close(RefArray expected, Tensor actual, double tol = 1e-10, string what = "")
    {
        CollectionAssert.AreEqual(expected.Shape, actual.Shape.ToArray(),
            $"{what} shape: expected {Shape.Format(expected.Shape)}, got {Shape.Format(actual.Shape)}");
        Close(expected.Data, actual.ToArray<double>(), tol, what);
    }

    public static void Close(double[] expected, double[] actual, double tol = 1e-10, string what = "")
    {
        Assert.HasCount(expected.Length, actual, what);
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            var ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? e == a
                : Math.Abs(a - e) <= tol * (1 + Math.Abs(e));
            Assert.IsTrue(ok, $"{what} element {i}: expected {e:G17}, got {a:G17}");
        }
    }

    /// <summary>Float64 central-difference check of f's backward pass; fails with the worst Jacobian entry.</summary>
    public static void Grad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, r.ToString());
    }

    /// <summary>Asserts that action throws exactly T whose message contains every fragment; returns the message.</summary>
    public static string Throws<T>(Action action, params string[] fragments)
        where T : Exception
    {
        var e = Assert.ThrowsExactly<T>(action);
        foreach (var f in fragments)
            Assert.Contains(f, e.Message, $"message should name '{f}': {e.Message}");
        return e.Message;
    }
}
