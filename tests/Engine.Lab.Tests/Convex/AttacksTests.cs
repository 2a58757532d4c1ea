using Engine.Lab.Convex;
using Engine.Nn;

namespace Engine.Lab.Tests.Convex;

[TestClass]
public sealed class AttacksTests
{
    /// <summary>A Linear-ReLU-Linear net whose hidden units are on at every input within 3 of the origin (bias 10), so it
    /// is the linear function f(x) = sum_j a_j (w_j x + b_j) there: its worst case over a box is known in closed form.</summary>
    internal static Sequential AlwaysOnNetwork()
    {
        var first = new Linear(3, 2, dtype: DType.Float64);
        var second = new Linear(2, 1, dtype: DType.Float64);
        using (Autograd.NoGrad())
        {
            first.Weight.CopyFrom_(Tensor.FromArray(new[] { 0.5, -1.0, 2.0, -0.25, 0.75, 1.5 }, 2, 3));
            first.Bias!.CopyFrom_(Tensor.FromArray(new[] { 10.0, 10.0 }, 2));
            second.Weight.CopyFrom_(Tensor.FromArray(new[] { 1.0, -2.0 }, 1, 2));
            second.Bias!.CopyFrom_(Tensor.FromArray(new[] { -9.0 }, 1));
        }
        return new Sequential(first, new Relu(), second);
    }

    private static (Tensor X, Tensor Y) Points()
    {
        var x = Tensor.FromArray(new[] { 0.1, -0.2, 0.3, -0.5, 0.4, 0.0, 1.0, 1.0, -1.0, 0.2, 0.2, 0.2 }, 4, 3);
        var y = Tensor.FromArray(new[] { 1.0, -1.0, 1.0, -1.0 }, 4);
        return (x, y);
    }

    /// <summary>By hand: f(x) = a.(W x + b) + c, effective weight v = W^T a; the worst logistic loss at radius eps has
    /// margin y f(x) - eps ||v||_1, the worst squared loss |f(x) - y| + eps ||v||_1.</summary>
    private static double[] WorstLosses(double[] x, double[] y, double eps, ConvexLoss loss)
    {
        double[,] w = { { 0.5, -1.0, 2.0 }, { -0.25, 0.75, 1.5 } };
        double[] b = [10, 10], a = [1, -2];
        const double c = -9;
        var v = new double[3];
        for (var j = 0; j < 3; j++) v[j] = a[0] * w[0, j] + a[1] * w[1, j];
        var l1 = v.Sum(Math.Abs);
        var result = new double[y.Length];
        for (var k = 0; k < y.Length; k++)
        {
            var f = c;
            for (var h = 0; h < 2; h++)
            {
                var pre = b[h];
                for (var j = 0; j < 3; j++) pre += w[h, j] * x[k * 3 + j];
                f += a[h] * pre;
            }
            result[k] = loss == ConvexLoss.Logistic
                ? Math.Log(1 + Math.Exp(-(y[k] * f - eps * l1)))
                : 0.5 * Math.Pow(Math.Abs(f - y[k]) + eps * l1, 2);
        }
        return result;
    }

    [TestMethod]
    [DataRow(ConvexLoss.Logistic)]
    [DataRow(ConvexLoss.Squared)]
    public void FgsmAndPgdReachTheClosedFormWorstCaseOfALinearRegion(ConvexLoss loss)
    {
        var net = AlwaysOnNetwork();
        var (x, y) = Points();
        const double eps = 0.3;
        var expected = WorstLosses(x.ToArray<double>(), y.ToArray<double>(), eps, loss);
        var fgsm = Attacks.Losses(net, Attacks.Fgsm(net, x, y, eps, loss), y, loss).ToArray<double>();
        var pgdInputs = Attacks.Pgd(net, x, y, new PgdOptions(eps, Steps: 20, Restarts: 2, Seed: 4), loss);
        var pgd = Attacks.Losses(net, pgdInputs, y, loss).ToArray<double>();
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.AreEqual(expected[k], fgsm[k], 1e-9, $"FGSM sample {k}");
            Assert.AreEqual(expected[k], pgd[k], 1e-9, $"PGD sample {k}");
        }
        var moved = (pgdInputs - x).Abs().Max().Item();
        Assert.AreEqual(eps, moved, 1e-12, "PGD stays in the box and ends on its corner");
    }

    [TestMethod]
    public void PgdStaysInTheBoxAndBeatsTheCleanLossOnAKinkedNetwork()
    {
        var net = new Sequential(new Linear(2, 16, dtype: DType.Float64, generator: new Generator(3)), new Relu(), new Linear(16, 1, dtype: DType.Float64, generator: new Generator(4)));
        var x = Tensor.Randn([30, 2], DType.Float64, new Generator(5));
        var y = Tensor.Where(x.Narrow(1, 0, 1).Reshape(-1).Gt(0), 1.0, Tensor.Full([30], -1.0, DType.Float64));
        const double eps = 0.2;
        var adversarial = Attacks.Pgd(net, x, y, new PgdOptions(eps, Steps: 30, Restarts: 3, Seed: 1), ConvexLoss.Logistic);
        Assert.IsLessThanOrEqualTo(eps + 1e-12, (adversarial - x).Abs().Max().Item());
        var clean = Attacks.Losses(net, x, y, ConvexLoss.Logistic).ToArray<double>();
        var attacked = Attacks.Losses(net, adversarial, y, ConvexLoss.Logistic).ToArray<double>();
        for (var k = 0; k < 30; k++) Assert.IsGreaterThanOrEqualTo(clean[k], attacked[k], $"sample {k}: the best iterate is kept, never worse than x");
        Assert.IsGreaterThan(clean.Sum() + 0.1, attacked.Sum());
        Assert.IsLessThanOrEqualTo(Attacks.Accuracy(net, x, y), Attacks.Accuracy(net, adversarial, y));
    }

    [TestMethod]
    public void BadInputsThrowClearErrors()
    {
        var net = AlwaysOnNetwork();
        var (x, y) = Points();
        var e = Assert.ThrowsExactly<ArgumentException>(() => Attacks.Fgsm(net, x.To(DType.Float32), y, 0.1, ConvexLoss.Logistic));
        StringAssert.Contains(e.Message, "(4,3)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Attacks.Pgd(net, x, y, new PgdOptions(0.1, Steps: 0), ConvexLoss.Logistic));
    }
}
