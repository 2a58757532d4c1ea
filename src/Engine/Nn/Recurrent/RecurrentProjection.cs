namespace Engine.Nn;

/// <summary>The recurrent projection h W_hh^T (+ b) of every step of one layer direction, recorded so that the
/// backward pass makes one GEMM for the weight's gradient over all steps instead of one small GEMM and one
/// accumulation of a whole weight-sized gradient per step. Each step's node passes dh = g W back at once and keeps g;
/// the node of the step processed first, which every later step depends on through the state (so the backward pass
/// reaches it last, and whenever it reaches any step), returns dW = sum_t g_t^T h_t and db = sum_t g_t.</summary>
internal sealed class RecurrentProjection(Tensor weight, Tensor? bias)
{
    private readonly List<Tensor> states = [];
    private Tensor? gradients;

    /// <summary>h W^T + b for the next step in processing order.</summary>
    public Tensor Apply(Tensor h)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = Tensor.Linear(h, weight, bias);
        Tensor[] inputs = bias is null ? [h, weight] : [h, weight, bias];
        if (!Tensor.NeedsGrad(inputs)) return y;
        var step = states.Count;
        states.Add(h.Detach());
        return y.Record("RecurrentProjection", inputs, g => Backward(step, h, g));
    }

    private Tensor?[] Backward(int step, Tensor h, Tensor g)
    {
        var dh = h.RequiresGrad ? g.Matmul(weight) : null;
        if (Autograd.IsEnabled)
        {
            // A recorded backward pass (createGraph): every step returns its own differentiable weight gradient.
            Tensor?[] own = [dh, weight.RequiresGrad ? g.Transpose(0, 1).Matmul(h) : null];
            return bias is null ? own : [.. own, bias.RequiresGrad ? g.Sum(0) : null];
        }
        gradients ??= Tensor.Zeros([states.Count, .. g.Shape], g.DType, g.Device);
        gradients.Select(0, step).CopyFrom_(g);
        if (step > 0) return bias is null ? [dh, null] : [dh, null, null];
        var all = gradients.Reshape(-1, g.Size(1));
        gradients = null;
        var dw = weight.RequiresGrad ? all.Transpose(0, 1).Matmul(Tensor.Cat(states, 0)) : null;
        return bias is null ? [dh, dw] : [dh, dw, bias.RequiresGrad ? all.Sum(0) : null];
    }
}
