namespace Engine.Nn;

/// <summary>Splits a tensor [T, ...] into its T steps for a recurrence. Selecting the steps one by one would give each
/// step's backward a zero-filled gradient of the whole tensor (O(T^2) work over a sequence); here the steps write
/// their gradients into one shared buffer, which the step processed first in the forward pass hands back whole.
/// Each step's node lists the previously processed step as an extra input, so the backward pass reaches that first
/// step last; its state feeds every later step, so its node runs whenever any step received a gradient.</summary>
internal static class TimeSteps
{
    /// <summary>The steps of <paramref name="x"/> along dim 0 in the order <paramref name="order"/> lists them
    /// (the order the recurrence consumes them). Entries of the result not in <paramref name="order"/> stay null.</summary>
    public static Tensor[] Split(Tensor x, IReadOnlyList<int> order)
    {
        var steps = new Tensor[x.Size(0)];
        if (!Tensor.NeedsGrad(x))
        {
            foreach (var t in order) steps[t] = x.Detach().Select(0, t);
            return steps;
        }
        var shared = new SharedGradient(x);
        Tensor? previous = null;
        for (var k = 0; k < order.Count; k++)
        {
            var t = order[k];
            var first = k == 0;
            Tensor step;
            using (Autograd.NoGrad()) step = x.Detach().Select(0, t);
            Tensor[] inputs = previous is null ? [x] : [x, previous];
            steps[t] = step.Record("TimeStep", inputs, g => first ? [shared.Take(t, g)] : [shared.Add(t, g), null]);
            previous = steps[t];
        }
        return steps;
    }

    /// <summary>The gradient of the whole input, filled step by step during one backward pass.</summary>
    private sealed class SharedGradient(Tensor x)
    {
        private Tensor? buffer;

        /// <summary>Adds a step's gradient; returns null (the first step delivers the total).</summary>
        public Tensor? Add(int t, Tensor g)
        {
            if (Autograd.IsEnabled) return Padded(t, g);
            buffer ??= Tensor.Zeros(x.Shape.ToArray(), x.DType, x.Device);
            buffer.Select(0, t).Add_(g);
            return null;
        }

        /// <summary>Adds the first step's gradient and returns the total, starting afresh for a later pass.</summary>
        public Tensor Take(int t, Tensor g)
        {
            if (Autograd.IsEnabled) return Padded(t, g);
            Add(t, g);
            var total = buffer!;
            buffer = null;
            return total;
        }

        /// <summary>The differentiable form for a backward pass that is itself recorded (createGraph): each step
        /// returns its gradient padded with zeros to the whole input.</summary>
        private Tensor Padded(int t, Tensor g)
        {
            var steps = x.Size(0);
            var parts = new List<Tensor>(3);
            var rest = x.Shape[1..].ToArray();
            if (t > 0) parts.Add(Tensor.Zeros([t, .. rest], g.DType, g.Device));
            parts.Add(g.Unsqueeze(0));
            if (t < steps - 1) parts.Add(Tensor.Zeros([steps - 1 - t, .. rest], g.DType, g.Device));
            return Tensor.Cat(parts, 0);
        }
    }
}
