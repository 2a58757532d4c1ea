namespace Engine.Nn;

/// <summary>A multi-layer LSTM with PyTorch's gates i, f, g, o (torch.nn.LSTM, without proj_size).</summary>
public sealed class Lstm : RecurrentLayer<LstmOutput>
{
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
    {
    }

    public override string TypeName => "LSTM";

    /// <summary>Runs the sequence from <paramref name="state"/> (h0, c0), each [L*D, B, H] (zeros when null), over
    /// each sequence's first lengths[b] steps when <paramref name="lengths"/> [B] is given.</summary>
    public LstmOutput Forward(Tensor input, LstmState? state = null, Tensor? lengths = null)
    {
        var result = Compute(input, state, lengths);
        RunForwardHooks(input, result);
        return result;
    }

    protected override LstmOutput ForwardCore(Tensor input) => Compute(input, null, null);

    private LstmOutput Compute(Tensor input, LstmState? state, Tensor? lengths)
    {
        var (output, final) = Run(input, state is { } s ? [s.H, s.C] : null, lengths);
        return new LstmOutput(output, final[0], final[1]);
    }

    private protected override string StateName(int i) => i == 0 ? "h0" : "c0";
}
