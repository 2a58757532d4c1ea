using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>Assertions shared by the module tests: state-dict layouts, values, gradients of parameters, and a short
/// training run.</summary>
internal static class NnCheck
{
    /// <summary>The state dict holds exactly these names, in this order, with these shapes.</summary>
    public static void StateDict(Module m, params (string Name, int[] Shape)[] expected)
    {
        var actual = m.StateDict();
        CollectionAssert.AreEqual(expected.Select(e => e.Name).ToArray(), actual.Keys.ToArray(),
            $"state-dict names: got [{string.Join(", ", actual.Keys)}]");
        foreach (var (name, shape) in expected)
            CollectionAssert.AreEqual(shape, actual[name].Shape.ToArray(), $"{name}: got shape {Shape.Format(actual[name].Shape)}");
    }

    public static void Close(double[] expected, Tensor actual, double tol = 1e-10, string what = "")
    {
        var a = actual.ToArray<double>();
        Assert.HasCount(expected.Length, a, what);
        for (var i = 0; i < a.Length; i++)
            Assert.IsLessThanOrEqualTo(tol * (1 + Math.Abs(expected[i])), Math.Abs(a[i] - expected[i]), $"{what} element {i}: expected {expected[i]:G17}, got {a[i]:G17}");
    }

    /// <summary>Float64 input gradient of a module's forward, by GradCheck.</summary>
    public static void InputGrad(Module<Tensor, Tensor> m, Tensor x, Func<Tensor, Tensor>? view = null)
    {
        var r = GradCheck.Run(ts => m.Forward(view is null ? ts[0] : view(ts[0])), [x]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{m.TypeName} input gradient: {r}");
    }

    /// <summary>Checks every parameter's gradient of sum(v * forward()) (v fixed random) against central differences
    /// taken by writing the parameter in place (Float64 modules).</summary>
    public static void ParameterGrads(Module m, Func<Tensor> forward, double eps = 1e-6)
    {
        var gen = new Generator(99);
        Tensor? v = null;
        double Loss()
        {
            var y = forward();
            v ??= Tensor.Randn(y.Shape.ToArray(), DType.Float64, gen);
            var loss = (y * v).Sum();
            if (Autograd.IsEnabled) loss.Backward();
            return loss.Item();
        }

        m.ZeroGrad();
        Loss();
        var checkedAny = false;
        foreach (var (name, p) in m.NamedParameters())
        {
            Assert.AreEqual(DType.Float64, p.DType, $"{name} must be Float64 for a gradient check");
            var analytic = p.Grad?.ToArray<double>() ?? new double[p.Numel];
            var values = p.ToArray<double>();
            var shape = p.Shape.ToArray();
            void Set(double[] data)
            {
                using (Autograd.NoGrad()) p.CopyFrom_(Tensor.FromArray(data, shape));
            }
            for (var j = 0; j < values.Length; j++)
            {
                var moved = (double[])values.Clone();
                double plus, minus;
                using (Autograd.NoGrad())
                {
                    moved[j] = values[j] + eps;
                    Set(moved);
                    plus = Loss();
                    moved[j] = values[j] - eps;
                    Set(moved);
                    minus = Loss();
                }
                Set(values);
                var numeric = (plus - minus) / (2 * eps);
                var err = Math.Abs(analytic[j] - numeric) / Math.Max(1, Math.Abs(numeric));
                Assert.IsLessThanOrEqualTo(1e-6, err, $"{m.TypeName} {name}[{j}]: analytic {analytic[j]:G10}, numeric {numeric:G10}");
                checkedAny = true;
            }
        }
        Assert.IsTrue(checkedAny, "the module has no parameters to check");
    }

    /// <summary>Mean cross-entropy of logits [N, K] against class indices [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target) => -logits.LogSoftmax(1).Gather(1, target.Unsqueeze(1)).Mean();

    /// <summary>Plain SGD (no momentum) on one fixed batch; returns the first and last losses.</summary>
    public static (double First, double Last) TrainSgd(Module<Tensor, Tensor> model, Tensor x, Tensor y, int steps = 20, double lr = 0.05)
    {
        model.Train();
        double first = double.NaN, last = double.NaN;
        for (var step = 0; step < steps; step++)
        {
            model.ZeroGrad();
            var loss = CrossEntropy(model.Forward(x), y);
            loss.Backward();
            using (Autograd.NoGrad())
                foreach (var p in model.Parameters())
                    if (p.Grad is { } g) p.Sub_(g * lr);
            last = loss.Item();
            if (step == 0) first = last;
        }
        return (first, last);
    }

    /// <summary>Random inputs of a shape and random labels for a classifier's training check.</summary>
    public static (Tensor X, Tensor Y) RandomBatch(int[] shape, int classes, ulong seed)
    {
        var gen = new Generator(seed);
        return (Tensor.Randn(shape, DType.Float32, gen), Tensor.RandInt(0, classes, [shape[0]], generator: gen));
    }
}
