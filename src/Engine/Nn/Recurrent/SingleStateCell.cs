namespace Engine.Nn;

/// <summary>The cells whose state is the hidden state alone (<see cref="RnnCell"/>, <see cref="GruCell"/>).</summary>
public abstract class SingleStateCell : RecurrentCell<Tensor>
{
    private protected SingleStateCell(CellMath math, int inputSize, int hiddenSize, bool bias, DType dtype, Device? device, Generator? generator)
        : base(math, inputSize, hiddenSize, bias, dtype, device, generator)
    {
    }

    /// <summary>The next hidden state; <paramref name="hx"/> defaults to zeros.</summary>
    public Tensor Forward(Tensor input, Tensor? hx = null)
    {
        var h = Step(input, hx is null ? null : [hx])[0];
        RunForwardHooks(input, h);
        return h;
    }

    protected override Tensor ForwardCore(Tensor input) => Step(input, null)[0];
}
