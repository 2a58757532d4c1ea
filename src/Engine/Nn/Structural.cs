namespace Engine.Nn;

/// <summary>Returns its input (a placeholder, e.g. a shortcut that needs no projection).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    protected override Tensor ForwardCore(Tensor input) => input;
}

/// <summary>Merges dims startDim..endDim into one; by default everything after the batch dim.</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module<Tensor, Tensor>
{
    public int StartDim { get; } = startDim;

    public int EndDim { get; } = endDim;

    protected override Tensor ForwardCore(Tensor input) => input.Flatten(StartDim, EndDim);

    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}
