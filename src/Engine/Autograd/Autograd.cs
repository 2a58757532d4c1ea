namespace Engine;

/// <summary>Grad mode and the functional interface of the autograd engine (grad, vjp, jacobian).</summary>
public static class Autograd
{
    [ThreadStatic] private static int disabledDepth;

    /// <summary>True when ops record the graph on this thread.</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Within the returned scope no op records the graph: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static GradModeScope NoGrad() => new(enable: false);

    /// <summary>Re-enables recording inside a no-grad region (used for createGraph backward passes).</summary>
    public static GradModeScope EnableGrad() => new(enable: true);

    public readonly struct GradModeScope : IDisposable
    {
        private readonly int saved;

        internal GradModeScope(bool enable)
        {
            saved = disabledDepth;
            disabledDepth = enable ? 0 : disabledDepth + 1;
        }

        public void Dispose() => disabledDepth = saved;
    }

    /// <summary>Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, without touching
    /// any tensor's <see cref="Tensor.Grad"/>. <paramref name="gradOutputs"/> default to ones for scalar outputs.
    /// With <paramref name="createGraph"/> the returned gradients are themselves differentiable.</summary>
    public static Tensor?[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null,
        bool retainGraph = false,
        bool createGraph = false,
        bool allowUnused = false)
    {
        foreach (var x in inputs)
            if (!x.RequiresGrad)
                throw new ArgumentException($"Autograd.Grad: an input of shape {Shape.Format(x.Shape)} does not require grad; set RequiresGrad = true on it before the forward pass");
        var result = BackwardEngine.Run(outputs, gradOutputs, retainGraph || createGraph, createGraph, inputs);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (result![i] is null)
            {
                if (!allowUnused)
                    throw new ArgumentException($"Autograd.Grad: input {i} (shape {Shape.Format(inputs[i].Shape)}) was not used to compute the outputs; pass allowUnused: true to get null for it");
            }
        }
        return result!;
    }

    public static Tensor Grad(Tensor output, Tensor input, bool retainGraph = false, bool createGraph = false)
        => Grad([output], [input], null, retainGraph, createGraph)[0]!;

    /// <summary>Vector-Jacobian product: returns f(x) and v^T J_f(x) for each input.</summary>
    public static (Tensor Output, Tensor[] Vjp) Vjp(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor? v = null, bool createGraph = false)
    {
        var leaves = inputs.Select(PrepareInput).ToArray();
        Tensor output;
        using (EnableGrad()) output = f(leaves);
        if (v is not null && !v.Shape.SequenceEqual(output.Shape))
            throw new ArgumentException($"Autograd.Vjp: v has shape {Shape.Format(v.Shape)} but the output has shape {Shape.Format(output.Shape)}");
        if (v is null && output.Numel != 1)
            throw new ArgumentException($"Autograd.Vjp: the output has shape {Shape.Format(output.Shape)}; pass v of that shape for a non-scalar output");
        var grads = Grad([output], leaves, [v], retainGraph: createGraph, createGraph: createGraph, allowUnused: true);
        var vjp = new Tensor[leaves.Length];
        for (var i = 0; i < leaves.Length; i++) vjp[i] = grads[i] ?? Tensor.ZerosLike(leaves[i]);
        return (createGraph ? output : output.Detach(), vjp);
    }

    /// <summary>The Jacobian of f at x: shape output.Shape ++ input.Shape, one backward pass per output element.</summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor input)
    {
        var x = PrepareInput(input);
        Tensor y;
        using (EnableGrad()) y = f(x);
        var m = y.Numel;
        var rows = new Tensor[m];
        var flatY = y.Reshape(-1);
        for (var i = 0; i < m; i++)
        {
            var onehot = Tensor.Zeros([m], y.DType, y.Device);
            onehot.Fill_(0);
            using (NoGrad()) onehot.Narrow(0, i, 1).Fill_(1);
            var g = Grad([flatY], [x], [onehot], retainGraph: true, allowUnused: true)[0];
            rows[i] = (g ?? Tensor.ZerosLike(x)).Reshape(-1);
        }
        var jac = m == 0 ? Tensor.Zeros([0, x.Numel], x.DType, x.Device) : Tensor.Stack(rows, 0);
        var shape = y.Shape.ToArray().Concat(x.Shape.ToArray()).ToArray();
        return jac.Reshape(shape);
    }

    /// <summary>Attaches a hand-written backward formula to <paramref name="output"/> (PyTorch's autograd.Function),
    /// for ops composed outside the engine whose backward pass is cheaper than the graph of their forward pass (an
    /// implicit solve, a fused scan). <paramref name="output"/> must be a fresh tensor computed without recording;
    /// <paramref name="backward"/> maps its gradient to one gradient (or null) per input, each of that input's shape.
    /// Without grad mode or an input that requires grad, nothing is recorded.</summary>
    public static Tensor Function(string name, Tensor output, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        if (!Tensor.NeedsGrad(inputs)) return output;
        if (!output.IsLeaf || output.RequiresGrad)
            throw new ArgumentException($"Autograd.Function ({name}): the output (shape {Shape.Format(output.Shape)}) must be computed without recording, e.g. under Autograd.NoGrad()");
        if (!output.DType.IsFloatingPoint())
            throw new ArgumentException($"Autograd.Function ({name}): the output must be floating point; got {output.DType}");
        return output.Record(name, inputs, backward);
    }

    /// <summary>A leaf copy of an input that requires grad, so functional transforms never touch the caller's graph.</summary>
    private static Tensor PrepareInput(Tensor x)
    {
        var leaf = x.Detach();
        leaf.RequiresGrad = true;
        return leaf;
    }
}
