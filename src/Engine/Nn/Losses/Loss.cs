namespace Engine.Nn;

/// <summary>The base of the loss modules: a module whose forward takes a prediction and a target and applies one
/// of the <see cref="Losses"/> functions with the options given at construction. Class weights are registered as
/// buffers ("weight", "pos_weight"), as PyTorch does, so they move with <see cref="Module.To(Device)"/>.</summary>
public abstract class Loss : Module
{
    protected Loss(Reduction reduction)
    {
        Reduction = reduction;
    }

    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>; runs the forward hooks with the
    /// pair (input, target) as their input.</summary>
    public Tensor Forward(Tensor input, Tensor target)
    {
        var output = ForwardCore(input, target);
        RunForwardHooks((input, target), output);
        return output;
    }

    protected abstract Tensor ForwardCore(Tensor input, Tensor target);
}
