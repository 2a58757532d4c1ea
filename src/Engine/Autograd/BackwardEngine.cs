namespace Engine;

/// <summary>Runs the backward pass: orders the graph's nodes topologically, pushes gradients from the outputs to the
/// leaves, and either accumulates them into <see cref="Tensor.Grad"/> or hands them back (functional mode).</summary>
internal static class BackwardEngine
{
    /// <param name="capture">When given, the gradients of these tensors are returned and no <c>.Grad</c> is touched.</param>
    public static Tensor?[]? Run(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor?>? gradOutputs,
        bool retainGraph,
        bool createGraph,
        IReadOnlyList<Tensor>? capture)
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Backward: got {gradOutputs.Count} output gradients for {outputs.Count} outputs");

        using var mode = createGraph ? Autograd.EnableGrad() : Autograd.NoGrad();
        // The collections are reused from pass to pass on this thread (a training step would otherwise allocate
        // them every time); a backward pass started from inside a hook gets its own.
        var ws = Workspace.Rent();
        try
        {
            return Run(outputs, gradOutputs, retainGraph, createGraph, capture, ws);
        }
        finally
        {
            Workspace.Return(ws);
        }
    }

    private static Tensor?[]? Run(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor?>? gradOutputs,
        bool retainGraph,
        bool createGraph,
        IReadOnlyList<Tensor>? capture,
        Workspace ws)
    {
        var pending = ws.Pending;
        var leafGrads = ws.LeafGrads;
        var roots = ws.Roots;

        for (var i = 0; i < outputs.Count; i++)
        {
            var y = outputs[i];
            if (!y.RequiresGrad)
                throw new InvalidOperationException(
                    $"Backward: output {i} (shape {Shape.Format(y.Shape)}) does not require grad and has no GradFn; set RequiresGrad = true on a leaf it was computed from, outside Autograd.NoGrad()");
            var g = gradOutputs?[i];
            if (g is null)
            {
                if (y.Numel != 1)
                    throw new ArgumentException(
                        $"Backward: a gradient can be created implicitly only for scalar outputs; output {i} has shape {Shape.Format(y.Shape)}, so pass a gradient of that shape");
                g = Tensor.OnesLike(y);
            }
            else if (!g.Shape.SequenceEqual(y.Shape) || g.DType != y.DType || g.Device != y.Device)
            {
                throw new ArgumentException(
                    $"Backward: the gradient for output {i} has shape {Shape.Format(g.Shape)} {g.DType} on {g.Device}; expected {Shape.Format(y.Shape)} {y.DType} on {y.Device}");
            }
            if (y.GradFn is null) Accumulate(leafGrads, y, g);
            else
            {
                Accumulate(pending, y.GradFn, g);
                roots.Add(y.GradFn);
            }
        }

        Dictionary<Node, int>? capturedNodes = null;
        Dictionary<Tensor, int>? capturedLeaves = null;
        Tensor?[]? captured = null;
        if (capture is not null)
        {
            captured = new Tensor?[capture.Count];
            capturedNodes = new(ReferenceEqualityComparer.Instance);
            capturedLeaves = new(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < capture.Count; i++)
            {
                if (capture[i].GradFn is { } n) capturedNodes[n] = i;
                else capturedLeaves[capture[i]] = i;
            }
        }

        foreach (var node in TopologicalOrder(roots, ws))
        {
            if (!pending.Remove(node, out var grad)) continue;
            if (node.Hooks is { } hooks)
                foreach (var hook in hooks)
                    grad = hook(grad) ?? grad;
            if (node.RetainedOutput is { } kept && capture is null)
                kept.Grad = TensorScope.Exempt(kept.Grad is null ? grad.Detach() : kept.Grad + grad);
            if (capturedNodes is not null && capturedNodes.TryGetValue(node, out var ci)) captured![ci] = grad;

            var inputGrads = node.Apply(grad);
            for (var i = 0; i < node.Inputs.Length; i++)
            {
                var input = node.Inputs[i];
                var gi = i < inputGrads.Length ? inputGrads[i] : null;
                if (gi is null || !input.RequiresGrad) continue;
                if (!gi.Shape.SequenceEqual(input.Shape))
                    throw new InvalidOperationException(
                        $"Backward: {node.Name} produced a gradient of shape {Shape.Format(gi.Shape)} for an input of shape {Shape.Format(input.Shape)} (an engine bug)");
                if (input.GradFn is { } producer) Accumulate(pending, producer, gi);
                else Accumulate(leafGrads, input, gi);
            }
            if (!retainGraph) node.Release();
        }

        var adopted = ws.Adopted;
        foreach (var (leaf, total) in leafGrads)
        {
            var g = total;
            if (leaf.LeafHooks is { } hooks)
                foreach (var hook in hooks)
                    g = hook(g) ?? g;
            if (capturedLeaves is not null)
            {
                if (capturedLeaves.TryGetValue(leaf, out var li)) captured![li] = g;
            }
            else if (leaf.Grad is null)
            {
                // The leaf must own its gradient, so in-place updates of .Grad (clipping, zeroing, disposal) stay local:
                // a gradient this pass computed is adopted when nothing else can see it, otherwise it is copied.
                leaf.Grad = TensorScope.Exempt(createGraph ? g : Adoptable(g, gradOutputs, adopted) ? g : g.Clone());
                adopted.Add(leaf.Grad);
            }
            else if (createGraph)
            {
                leaf.Grad = TensorScope.Exempt(leaf.Grad + g);
            }
            else
            {
                leaf.Grad.Add_(g);
            }
        }
        return captured;
    }

    /// <summary>Whether a gradient tensor can become a leaf's .Grad as it is: contiguous, the only tensor viewing its
    /// storage, not supplied by the caller, and not already given to another leaf (Add passes one tensor to both
    /// inputs).</summary>
    private static bool Adoptable(Tensor g, IReadOnlyList<Tensor?>? gradOutputs, HashSet<Tensor> adopted)
    {
        if (!g.IsContiguous || g.IsDisposed || g.Storage.References != 1 || g.GradFn is not null || adopted.Contains(g)) return false;
        if (gradOutputs is not null)
            foreach (var given in gradOutputs)
                if (given is not null && ReferenceEquals(given.Storage, g.Storage)) return false;
        return true;
    }

    private static void Accumulate<TKey>(Dictionary<TKey, Tensor> map, TKey key, Tensor g)
        where TKey : notnull
    {
        map[key] = map.TryGetValue(key, out var existing) ? existing + g : g;
    }

    /// <summary>Nodes ordered so every node comes before the nodes that produced its inputs (reverse post-order of an
    /// iterative depth-first search; recursion would overflow the stack on long recurrent graphs).</summary>
    private static List<Node> TopologicalOrder(List<Node> roots, Workspace ws)
    {
        var order = ws.Order;
        var visited = ws.Visited;
        var stack = ws.Stack;
        foreach (var root in roots)
        {
            if (!visited.Add(root)) continue;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var inputs = node.Inputs;
                var pushed = false;
                while (next < inputs.Length)
                {
                    var child = inputs[next++].GradFn;
                    if (child is not null && visited.Add(child))
                    {
                        stack.Push((node, next));
                        stack.Push((child, 0));
                        pushed = true;
                        break;
                    }
                }
                if (!pushed) order.Add(node);
            }
        }
        order.Reverse();
        return order;
    }

    /// <summary>The collections of one backward pass, kept per thread between passes.</summary>
    private sealed class Workspace
    {
        [ThreadStatic] private static Workspace? cached;

        public readonly Dictionary<Node, Tensor> Pending = new(ReferenceEqualityComparer.Instance);
        public readonly Dictionary<Tensor, Tensor> LeafGrads = new(ReferenceEqualityComparer.Instance);
        public readonly List<Node> Roots = [];
        public readonly List<Node> Order = [];
        public readonly HashSet<Node> Visited = new(ReferenceEqualityComparer.Instance);
        public readonly Stack<(Node, int)> Stack = new();
        public readonly HashSet<Tensor> Adopted = new(ReferenceEqualityComparer.Instance);

        public static Workspace Rent()
        {
            var ws = cached ?? new Workspace();
            cached = null;
            return ws;
        }

        /// <summary>Clears the workspace (dropping every reference it held) and keeps it for the next pass.</summary>
        public static void Return(Workspace ws)
        {
            ws.Pending.Clear();
            ws.LeafGrads.Clear();
            ws.Roots.Clear();
            ws.Order.Clear();
            ws.Visited.Clear();
            ws.Stack.Clear();
            ws.Adopted.Clear();
            cached = ws;
        }
    }
}
