namespace Engine.Nn;

/// <summary>The layers whose state is the hidden state alone (<see cref="Rnn"/>, <see cref="Gru"/>).</summary>
public abstract class SingleStateLayer : RecurrentLayer<RnnOutput>
{
    private protected SingleStateLayer(CellMath math, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, double dropout,
        bool bidirectional, DType dtype, Device? device, Generator? generator)
        : base(math, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
    {
    }

    /// <summary>Runs the sequence from <paramref name="h0"/> [L*D, B, H] (zeros when null), over each sequence's first
    /// lengths[b] steps when <paramref name="lengths"/> [B] is given.</summary>
    public RnnOutput Forward(Tensor input, Tensor? h0 = null, Tensor? lengths = null)
    {
        var result = Compute(input, h0, lengths);
        RunForwardHooks(input, result);
        return result;
    }

    protected override RnnOutput ForwardCore(Tensor input) => Compute(input, null, null);

    private RnnOutput Compute(Tensor input, Tensor? h0, Tensor? lengths)
    {
        var (output, final) = Run(input, [h0], lengths);
        return new RnnOutput(output, final[0]);
    }
}
