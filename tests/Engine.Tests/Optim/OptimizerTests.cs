using Engine.Optim;

namespace Engine.Tests.OptimTests;

/// <summary>Issue 3 acceptance: the first three steps of each optimizer on a fixed two-parameter problem match the
/// values computed here by hand, in plain double arithmetic, from PyTorch's documented update rules.</summary>
[TestClass]
public sealed class OptimizerTests
{
    private const double Tolerance = 1e-10;

    // f(a, b) = (a - 1)^2 + 3 (b + 0.5)^2 + a b, from (a, b) = (0.8, -1.3).
    private static readonly double[] Start = [0.8, -1.3];

    private static Tensor Objective(Tensor a, Tensor b) => (a - 1).Square() + (b + 0.5).Square() * 3 + a * b;

    private static double[] Gradient(double[] t) => [2 * (t[0] - 1) + t[1], 6 * (t[1] + 0.5) + t[0]];

    /// <summary>Runs three optimizer steps on the problem (gradients by autograd) and compares the parameters after
    /// each with <paramref name="reference"/>(theta, gradient, step), which updates theta in place.</summary>
    private static void CheckThreeSteps(Func<Tensor[], Optimizer> make, Action<double[], double[], int> reference, string what)
    {
        var a = Tensor.Scalar(Start[0], DType.Float64).RequiresGrad_();
        var b = Tensor.Scalar(Start[1], DType.Float64).RequiresGrad_();
        var optimizer = make([a, b]);
        var theta = (double[])Start.Clone();
        for (var t = 1; t <= 3; t++)
        {
            optimizer.ZeroGrad();
            Objective(a, b).Backward();
            optimizer.Step();
            reference(theta, Gradient(theta), t);
            Assert.AreEqual(theta[0], a.Item(), Tolerance, $"{what}: a after step {t}");
            Assert.AreEqual(theta[1], b.Item(), Tolerance, $"{what}: b after step {t}");
        }
    }

    private static Action<double[], double[], int> SgdReference(double lr, double momentum = 0, double dampening = 0, double wd = 0, bool nesterov = false, bool maximize = false)
    {
        var buf = new double[2];
        return (theta, grad, t) =>
        {
            for (var i = 0; i < 2; i++)
            {
                var g = maximize ? -grad[i] : grad[i];
                g += wd * theta[i];
                if (momentum != 0)
                {
                    buf[i] = t == 1 ? g : momentum * buf[i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                theta[i] -= lr * g;
            }
        };
    }

    private static Action<double[], double[], int> AdamReference(
        double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double wd = 0, bool amsgrad = false, bool decoupled = false, bool maximize = false)
    {
        double[] m = new double[2], v = new double[2], vmax = new double[2];
        return (theta, grad, t) =>
        {
            for (var i = 0; i < 2; i++)
            {
                var g = maximize ? -grad[i] : grad[i];
                if (decoupled) theta[i] *= 1 - lr * wd;
                else g += wd * theta[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                var mHat = m[i] / (1 - Math.Pow(beta1, t));
                vmax[i] = Math.Max(vmax[i], v[i]);
                var vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.Pow(beta2, t));
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        };
    }

    private static Action<double[], double[], int> RmsPropReference(double lr, double alpha = 0.99, double eps = 1e-8, double wd = 0, double momentum = 0, bool centered = false)
    {
        double[] v = new double[2], mean = new double[2], buf = new double[2];
        return (theta, grad, _) =>
        {
            for (var i = 0; i < 2; i++)
            {
                var g = grad[i] + wd * theta[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                var vTilde = v[i];
                if (centered)
                {
                    mean[i] = alpha * mean[i] + (1 - alpha) * g;
                    vTilde -= mean[i] * mean[i];
                }
                if (momentum > 0)
                {
                    buf[i] = momentum * buf[i] + g / (Math.Sqrt(vTilde) + eps);
                    theta[i] -= lr * buf[i];
                }
                else
                {
                    theta[i] -= lr * g / (Math.Sqrt(vTilde) + eps);
                }
            }
        };
    }

    private static Action<double[], double[], int> AdagradReference(double lr, double lrDecay = 0, double wd = 0, double initial = 0, double eps = 1e-10)
    {
        var sum = new[] { initial, initial };
        return (theta, grad, t) =>
        {
            var clr = lr / (1 + (t - 1) * lrDecay);
            for (var i = 0; i < 2; i++)
            {
                var g = grad[i] + wd * theta[i];
                sum[i] += g * g;
                theta[i] -= clr * g / (Math.Sqrt(sum[i]) + eps);
            }
        };
    }

    [TestMethod]
    public void SgdMatchesHandComputedSteps()
    {
        CheckThreeSteps(p => new Sgd(p, lr: 0.1), SgdReference(0.1), "plain");
        CheckThreeSteps(p => new Sgd(p, lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.2), SgdReference(0.05, 0.9, 0.3, 0.2), "momentum, dampening, weight decay");
        CheckThreeSteps(p => new Sgd(p, lr: 0.05, momentum: 0.8, weightDecay: 0.1, nesterov: true), SgdReference(0.05, 0.8, wd: 0.1, nesterov: true), "Nesterov");
        CheckThreeSteps(p => new Sgd(p, lr: 0.01, momentum: 0.5, weightDecay: 0.3, maximize: true), SgdReference(0.01, 0.5, wd: 0.3, maximize: true), "maximize");
    }

    [TestMethod]
    public void AdamMatchesHandComputedSteps()
    {
        CheckThreeSteps(p => new Adam(p, lr: 0.1), AdamReference(0.1), "plain");
        CheckThreeSteps(p => new Adam(p, lr: 0.05, beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.3), AdamReference(0.05, 0.8, 0.9, 1e-3, wd: 0.3), "L2 weight decay");
        CheckThreeSteps(p => new Adam(p, lr: 0.2, beta2: 0.5, amsgrad: true), AdamReference(0.2, beta2: 0.5, amsgrad: true), "AMSGrad");
        CheckThreeSteps(p => new Adam(p, lr: 0.1, maximize: true), AdamReference(0.1, maximize: true), "maximize");
    }

    [TestMethod]
    public void AdamWDecaysDecoupled()
    {
        CheckThreeSteps(p => new AdamW(p, lr: 0.1, weightDecay: 0.5), AdamReference(0.1, wd: 0.5, decoupled: true), "decoupled decay");
        CheckThreeSteps(p => new AdamW(p, lr: 0.1), AdamReference(0.1, wd: 0.01, decoupled: true), "PyTorch's default decay 0.01");
        CheckThreeSteps(p => new AdamW(p, lr: 0.2, beta2: 0.5, weightDecay: 0.1, amsgrad: true), AdamReference(0.2, beta2: 0.5, wd: 0.1, amsgrad: true, decoupled: true), "AMSGrad");
    }

    [TestMethod]
    public void RmsPropMatchesHandComputedSteps()
    {
        CheckThreeSteps(p => new RmsProp(p, lr: 0.01), RmsPropReference(0.01), "plain");
        CheckThreeSteps(p => new RmsProp(p, lr: 0.01, alpha: 0.9, eps: 1e-4, weightDecay: 0.2, momentum: 0.7, centered: true),
            RmsPropReference(0.01, 0.9, 1e-4, 0.2, 0.7, centered: true), "centered, momentum, weight decay");
        CheckThreeSteps(p => new RmsProp(p, lr: 0.02, momentum: 0.5), RmsPropReference(0.02, momentum: 0.5), "momentum");
    }

    [TestMethod]
    public void AdagradMatchesHandComputedSteps()
    {
        CheckThreeSteps(p => new Adagrad(p, lr: 0.1), AdagradReference(0.1), "plain");
        CheckThreeSteps(p => new Adagrad(p, lr: 0.1, lrDecay: 0.5, weightDecay: 0.2, initialAccumulatorValue: 0.3, eps: 1e-6),
            AdagradReference(0.1, 0.5, 0.2, 0.3, 1e-6), "lr decay, weight decay, initial accumulator");
    }

    [TestMethod]
    public void ParamGroupsUseTheirOwnOptions()
    {
        // The same problem with a in a group of lr 0.1 (momentum 0.9 by default) and b in one of lr 0.01 and no
        // momentum: each coordinate follows its own rule.
        var a = Tensor.Scalar(Start[0], DType.Float64).RequiresGrad_();
        var b = Tensor.Scalar(Start[1], DType.Float64).RequiresGrad_();
        var sgd = new Sgd([new ParamGroup([a]), new ParamGroup([b], lr: 0.01) { ["momentum"] = 0 }], lr: 0.1, momentum: 0.9);
        Assert.AreEqual(0.1, sgd.ParamGroups[0].Lr);
        Assert.AreEqual(0.9, sgd.ParamGroups[0]["momentum"]);
        Assert.AreEqual(0.01, sgd.ParamGroups[1].Lr);
        var theta = (double[])Start.Clone();
        var bufA = 0.0;
        for (var t = 1; t <= 3; t++)
        {
            sgd.ZeroGrad();
            Objective(a, b).Backward();
            sgd.Step();
            var g = Gradient(theta);
            bufA = t == 1 ? g[0] : 0.9 * bufA + g[0];
            theta[0] -= 0.1 * bufA;
            theta[1] -= 0.01 * g[1];
            Assert.AreEqual(theta[0], a.Item(), Tolerance, $"a after step {t}");
            Assert.AreEqual(theta[1], b.Item(), Tolerance, $"b after step {t}");
        }
    }

    [TestMethod]
    public void StateDictRoundTripResumesIdentically()
    {
        foreach (var make in new Func<Tensor[], Optimizer>[]
                 {
                     p => new Sgd(p, lr: 0.05, momentum: 0.9, nesterov: true),
                     p => new Adam([new ParamGroup([p[0]]), new ParamGroup([p[1]], lr: 0.02)], lr: 0.1, amsgrad: true),
                     p => new AdamW(p, lr: 0.1),
                     p => new RmsProp(p, lr: 0.01, momentum: 0.5, centered: true),
                     p => new Adagrad(p, lr: 0.1, lrDecay: 0.1),
                 })
        {
            var (x, y) = (Tensor.FromArray(new[] { 0.8, -0.2 }).RequiresGrad_(), Tensor.FromArray(new[] { -1.3 }).RequiresGrad_());
            var original = make([x, y]);
            void Train(Optimizer o, Tensor p, Tensor q, int steps)
            {
                for (var i = 0; i < steps; i++)
                {
                    o.ZeroGrad();
                    Objective(p.Sum(), q.Sum()).Backward();
                    o.Step();
                }
            }
            Train(original, x, y, 3);
            var saved = original.StateDict();
            var savedCopy = saved.State.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(e => e.Key, e => e.Value.ToArray<double>()));
            var (x2, y2) = (x.Detach().Clone().RequiresGrad_(), y.Detach().Clone().RequiresGrad_());
            var resumed = make([x2, y2]);
            resumed.ParamGroups[0].Lr = 123; // overwritten by the load
            resumed.LoadStateDict(saved);
            Train(original, x, y, 3);
            Train(resumed, x2, y2, 3);
            var name = original.Name;
            CollectionAssert.AreEqual(x.ToArray<double>(), x2.ToArray<double>(), $"{name}: x after resuming");
            CollectionAssert.AreEqual(y.ToArray<double>(), y2.ToArray<double>(), $"{name}: y after resuming");
            Assert.AreEqual(original.ParamGroups[0].Lr, resumed.ParamGroups[0].Lr, name);
            foreach (var (i, entry) in saved.State)
                foreach (var (key, t) in entry)
                    CollectionAssert.AreEqual(savedCopy[i][key], t.ToArray<double>(), $"{name}: saved '{key}' of parameter {i} changed by training on");
        }
    }

    [TestMethod]
    public void StateDictUsesPyTorchNamesAndIndices()
    {
        var (x, y, z) = (Tensor.Ones([2], DType.Float64, requiresGrad: true), Tensor.Ones([3], DType.Float64, requiresGrad: true), Tensor.Ones([1], DType.Float64, requiresGrad: true));
        var adam = new Adam([new ParamGroup([x, y]), new ParamGroup([z], lr: 0.5)], amsgrad: true);
        (x.Sum() + y.Sum()).Backward(); // z gets no gradient: skipped, no state
        adam.Step();
        var dict = adam.StateDict();
        CollectionAssert.AreEquivalent(new[] { 0, 1 }, dict.State.Keys.ToArray());
        CollectionAssert.AreEquivalent(new[] { "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step" }, dict.State[1].Keys.ToArray());
        Assert.AreEqual(1.0, dict.State[0]["step"].Item());
        CollectionAssert.AreEqual(new[] { 0, 1 }, dict.ParamGroups[0].Params.ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, dict.ParamGroups[1].Params.ToArray());
        Assert.AreEqual(0.5, dict.ParamGroups[1].Options["lr"]);
        Assert.AreEqual(0.9, dict.ParamGroups[1].Options["beta1"]);
        CollectionAssert.AreEqual(new[] { 1.0 }, z.ToArray<double>(), "a parameter without a gradient is not updated");

        var other = new Adam([Tensor.Ones([2], DType.Float64, requiresGrad: true), Tensor.Ones([4], DType.Float64, requiresGrad: true), Tensor.Ones([1], DType.Float64, requiresGrad: true)]);
        Assert.ThrowsExactly<ArgumentException>(() => other.LoadStateDict(dict));
        var wrongShape = new Adam([new ParamGroup([Tensor.Ones([2], DType.Float64, requiresGrad: true), Tensor.Ones([4], DType.Float64, requiresGrad: true)]), new ParamGroup([Tensor.Ones([1], DType.Float64, requiresGrad: true)])]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => wrongShape.LoadStateDict(dict));
        StringAssert.Contains(e.Message, "(3)");
        StringAssert.Contains(e.Message, "(4)");
    }

    [TestMethod]
    public void ZeroGradAndFloat32ParametersWork()
    {
        var w = Tensor.FromArray(new[] { 1f, -2f, 3f }).RequiresGrad_();
        var adam = new Adam([w], lr: 0.1);
        (w * w).Sum().Backward();
        adam.Step();
        // One Adam step moves every coordinate by lr against the sign of its gradient (m̂ / sqrt(v̂) = sign g).
        CollectionAssert.AreEqual(new[] { 0.9f, -1.9f, 2.9f }, w.ToArray<float>().Select(v => MathF.Round(v, 5)).ToArray());
        Assert.AreEqual(DType.Float32, adam.StateOf(w).Buffers["exp_avg"].DType);
        adam.ZeroGrad(setToNone: false);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f }, w.Grad!.ToArray<float>());
        adam.ZeroGrad();
        Assert.IsNull(w.Grad);
    }

    [TestMethod]
    public void BadArgumentsAreClearErrors()
    {
        var p = Tensor.Ones([2], DType.Float32, requiresGrad: true);
        OpCheckThrows(() => new Sgd([p], lr: -1), "SGD", "lr", "-1");
        OpCheckThrows(() => new Sgd([p], momentum: 0, nesterov: true), "Nesterov", "momentum");
        OpCheckThrows(() => new Adam([p], beta1: 1), "Adam", "beta1");
        OpCheckThrows(() => new Adam([p, p]), "more than once");
        OpCheckThrows(() => new Adam(Array.Empty<Tensor>()), "Adam", "no parameters");
        OpCheckThrows(() => new Adam([p * 2]), "non-leaf");
        OpCheckThrows(() => new Sgd([new ParamGroup([p]) { ["momentun"] = 0.9 }]), "momentun", "momentum");
    }

    private static void OpCheckThrows(Action action, params string[] fragments)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(action);
        foreach (var f in fragments) StringAssert.Contains(e.Message, f);
    }
}
