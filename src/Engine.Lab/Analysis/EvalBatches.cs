using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>The pass every activation analysis makes over a data set: the model in eval mode, no gradients, the
/// inputs in batches (each inside its own <see cref="TensorScope"/>), and every module's train/eval flag restored
/// afterwards, even when the flags were mixed.</summary>
internal static class EvalBatches
{
    /// <summary>Checks the arguments (naming <paramref name="op"/>) and runs <paramref name="inputs"/> [N, ...]
    /// through the model; <paramref name="afterBatch"/> gets each batch's first row and row count after its forward
    /// pass, while the batch's tensors are still alive.</summary>
    public static void Run(string op, Module model, Tensor inputs, int batchSize, Action<int, int>? afterBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (model is not Module<Tensor, Tensor> forward)
            throw new ArgumentException($"{op}: the model must map a tensor to a tensor; got {model.TypeName} ({model.GetType().Name})");
        if (inputs.Rank < 1 || inputs.Shape[0] < 1)
            throw new ArgumentException($"{op}: expected inputs [N, ...] with N >= 1; got shape {Shape.Format(inputs.Shape)}");
        if (batchSize < 1) throw new ArgumentException($"{op}: batchSize must be positive; got {batchSize}");
        var modes = model.Modules().Select(m => (Module: m, m.IsTraining)).ToList();
        try
        {
            model.Eval();
            using var noGrad = Autograd.NoGrad();
            var rows = inputs.Shape[0];
            for (var start = 0; start < rows; start += batchSize)
            {
                var count = Math.Min(batchSize, rows - start);
                using var scope = TensorScope.Enter();
                forward.Forward(inputs.Narrow(0, start, count));
                afterBatch?.Invoke(start, count);
            }
        }
        finally
        {
            // Pre-order: a parent's Train call resets its subtree, then each descendant gets its own flag back.
            foreach (var (module, training) in modes) module.Train(training);
        }
    }
}
