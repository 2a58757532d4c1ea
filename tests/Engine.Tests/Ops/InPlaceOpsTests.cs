using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class InPlaceOpsTests
{
    // 37 elements: several full vectors and a scalar tail for any vector width.
    private static Tensor Values(int seed, int n = 37) => OpCheck.Randn(new Generator((ulong)seed), n);

    private static void Check(Func<double, double, double, double> reference, Action<Tensor, Tensor, Tensor> op, string what)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var (a, b, c) = (Values(1).To(dtype), Values(2).To(dtype), (Values(3).Abs() + 0.5).To(dtype));
            var (ra, rb, rc) = (a.ToArray<double>(), b.ToArray<double>(), c.ToArray<double>());
            op(a, b, c);
            OpCheck.Close(ra.Select((v, i) => reference(v, rb[i], rc[i])).ToArray(), a.ToArray<double>(), dtype == DType.Float64 ? 1e-15 : 1e-6, $"{what} {dtype}");
        }
    }

    [TestMethod]
    public void FusedUpdatesMatchReference()
    {
        Check((a, b, c) => a + 0.3 * b * c, (a, b, c) => a.Addcmul_(b, c, 0.3), "Addcmul_");
        Check((a, b, c) => a - 2 * (b / c), (a, b, c) => a.Addcdiv_(b, c, -2), "Addcdiv_");
        Check((a, b, _) => a + 0.1 * (b - a), (a, b, _) => a.Lerp_(b, 0.1), "Lerp_ 0.1");
        Check((a, b, _) => b - (b - a) * (1 - 0.75), (a, b, _) => a.Lerp_(b, 0.75), "Lerp_ 0.75");
        Check((a, b, c) => a + (c - 1) * (b - a), (a, b, c) => a.Lerp_(b, c - 1), "Lerp_ tensor weight");
        Check((a, b, _) => a - 0.25 * b, (a, b, _) => a.Add_(b, -0.25), "Add_ alpha");
        Check((_, _, c) => Math.Sqrt(c), (a, _, c) => a.CopyFrom_(c).Sqrt_(), "Sqrt_");
        Check((a, b, _) => Math.Max(a, b), (a, b, _) => a.Maximum_(b), "Maximum_");
        Check((a, _, _) => a / 4, (a, _, _) => a.Div_(4), "Div_");
        var one = Tensor.Ones([2], DType.Float64);
        Assert.AreEqual(2.0, one.Lerp_(Tensor.Full([2], 2.0, DType.Float64), 1).ToArray<double>()[0], "weight 1 gives the end exactly");
    }

    [TestMethod]
    public void OperandsMayBroadcastAndBeStrided()
    {
        var a = OpCheck.Randn(new Generator(4), 5, 6);
        var bT = OpCheck.Randn(new Generator(5), 6, 5).T; // [5, 6] transposed view
        var row = OpCheck.Randn(new Generator(6), 6);
        var col = OpCheck.Randn(new Generator(7), 5, 1);
        var (bs, rs, cs) = (bT.Contiguous().ToArray<double>(), row.ToArray<double>(), col.ToArray<double>());
        var expected = a.ToArray<double>().Select((v, i) => v + 0.5 * bs[i] * rs[i % 6]).ToArray();
        a.Addcmul_(bT, row, 0.5);
        OpCheck.Close(expected, a.ToArray<double>(), 1e-15, "Addcmul_ with a transposed and a broadcast row operand");
        var before = a.ToArray<double>();
        a.Addcdiv_(row, col);
        OpCheck.Close(before.Select((v, i) => v + rs[i % 6] / cs[i / 6]).ToArray(), a.ToArray<double>(), 1e-15, "Addcdiv_ row / column");
    }

    [TestMethod]
    public void ScatterAddInPlaceAccumulatesRepeats()
    {
        var y = Tensor.Zeros([2, 4], DType.Float64);
        y.ScatterAdd_(1, Tensor.FromArray(new long[,] { { 1, 1 }, { 3, 0 } }), Tensor.FromArray(new[,] { { 1.0, 2.0 }, { 5.0, 7.0 } }));
        CollectionAssert.AreEqual(new[] { 0, 3.0, 0, 0, 7, 0, 0, 5 }, y.ToArray<double>());
    }

    [TestMethod]
    public void InPlaceErrorsNameTheProblem()
    {
        var p = Tensor.Ones([3], DType.Float32, requiresGrad: true);
        OpCheck.Throws<InvalidOperationException>(() => p.Addcmul_(p, p), "Addcmul_", "requires grad", "NoGrad");
        using (Autograd.NoGrad()) p.Addcmul_(p, p, 0.5);
        CollectionAssert.AreEqual(new[] { 1.5f, 1.5f, 1.5f }, p.ToArray<float>());
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).T.Lerp_(Tensor.Zeros(2, 3), 0.5), "Lerp_", "contiguous");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3).Addcdiv_(Tensor.Zeros(2, 3), Tensor.Ones(3)), "Addcdiv_", "(2,3)", "(3)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros([3], DType.Int64).Addcmul_(Tensor.Zeros(3), Tensor.Zeros(3)), "Addcmul_", "Int64");
    }
}
