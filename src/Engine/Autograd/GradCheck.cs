namespace Engine;

/// <summary>The result of comparing analytical and numerical Jacobians.</summary>
/// <param name="MaxError">Largest |analytic - numeric| / max(1, |numeric|) over all Jacobian entries.</param>
/// <param name="Input">Input where the largest error occurred (-1 when there was none).</param>
/// <param name="Element">Flat element of that input.</param>
public readonly record struct GradCheckResult(double MaxError, int Input, int Element, double Analytic, double Numeric)
{
    public bool Passed(double tolerance) => MaxError <= tolerance;

    public override string ToString() =>
        $"max error {MaxError:E3} at input {Input}, element {Element}: analytic {Analytic:G10} vs numeric {Numeric:G10}";
}

/// <summary>Checks a function's backward pass against float64 central differences, entry by entry of the full
/// Jacobian (for small test inputs).</summary>
public static class GradCheck
{
    /// <summary>Compares d f / d inputs from autograd with (f(x + eps e_j) - f(x - eps e_j)) / 2 eps.</summary>
    /// <param name="f">The function; it is called with leaf copies of the inputs.</param>
    /// <param name="inputs">Float64 CPU tensors (the ones that should be differentiated must be floating point).</param>
    public static GradCheckResult Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        foreach (var x in inputs)
            if (x.DType.IsFloatingPoint() && x.DType != DType.Float64)
                throw new ArgumentException($"GradCheck: floating-point inputs must be Float64 for a meaningful check; got {x.DType} of shape {Shape.Format(x.Shape)}");

        var leaves = inputs.Select(x =>
        {
            var leaf = x.Detach().Contiguous().Clone();
            if (leaf.DType.IsFloatingPoint()) leaf.RequiresGrad = true;
            return leaf;
        }).ToArray();
        Tensor output;
        using (Autograd.EnableGrad()) output = f(leaves);
        var outputs = output.Numel;
        var diff = leaves.Where(l => l.RequiresGrad).ToArray();
        var diffIndex = leaves.Select((l, i) => (l, i)).Where(p => p.l.RequiresGrad).Select(p => p.i).ToArray();

        // Analytic Jacobian, one backward pass per output element.
        var analytic = diff.Select(l => new double[outputs, l.Numel]).ToArray();
        var flat = output.Reshape(-1);
        for (var k = 0; k < outputs; k++)
        {
            var onehot = new double[outputs];
            onehot[k] = 1;
            var seed = Tensor.FromArray(onehot).To(output.DType);
            var grads = Autograd.Grad([flat], diff, [seed], retainGraph: true, allowUnused: true);
            for (var i = 0; i < diff.Length; i++)
            {
                if (grads[i] is null) continue;
                var g = grads[i]!.ToArray<double>();
                for (var j = 0; j < g.Length; j++) analytic[i][k, j] = g[j];
            }
        }

        // Numeric Jacobian by central differences.
        var result = new GradCheckResult(0, -1, -1, 0, 0);
        for (var i = 0; i < diff.Length; i++)
        {
            var baseValues = diff[i].ToArray<double>();
            for (var j = 0; j < baseValues.Length; j++)
            {
                var plus = Evaluate(f, leaves, diffIndex[i], baseValues, j, eps);
                var minus = Evaluate(f, leaves, diffIndex[i], baseValues, j, -eps);
                for (var k = 0; k < outputs; k++)
                {
                    var numeric = (plus[k] - minus[k]) / (2 * eps);
                    var err = Math.Abs(analytic[i][k, j] - numeric) / Math.Max(1, Math.Abs(numeric));
                    if (double.IsNaN(err)) err = double.PositiveInfinity;
                    if (err > result.MaxError || result.Input < 0 && err >= result.MaxError)
                        result = new GradCheckResult(err, diffIndex[i], j, analytic[i][k, j], numeric);
                }
            }
        }
        return result;
    }

    /// <summary>Throws when the check fails, with the worst entry in the message.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, double tolerance = 1e-6, double eps = 1e-6)
    {
        var r = Run(f, inputs, eps);
        if (!r.Passed(tolerance)) throw new InvalidOperationException($"GradCheck failed (tolerance {tolerance:E1}): {r}");
    }

    private static double[] Evaluate(Func<Tensor[], Tensor> f, Tensor[] leaves, int input, double[] values, int element, double delta)
    {
        var moved = (double[])values.Clone();
        moved[element] += delta;
        var args = (Tensor[])leaves.Clone();
        args[input] = Tensor.FromArray(moved).Reshape(leaves[input].Shape.ToArray());
        using (Autograd.NoGrad())
            return f(args).ToArray<double>();
    }
}
