namespace Engine.Nn;

/// <summary>Zeroes each element with probability p in training mode and scales the rest by 1 / (1 - p); the identity
/// in evaluation mode. Masks come from <paramref name="generator"/> (the default generator when null).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? generator;

    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: p must be in [0, 1]; got {p}");
        P = p;
        this.generator = generator;
    }

    public double P { get; }

    protected override Tensor ForwardCore(Tensor input) => input.Dropout(P, IsTraining, generator);

    protected override string ExtraRepr() => $"p={PyRepr.Float(P)}, inplace=False";
}
