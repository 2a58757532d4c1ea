namespace Engine.Nn;

/// <summary>A multi-layer Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or ReLU), as torch.nn.RNN.</summary>
public sealed class Rnn : RecurrentLayer<RnnOutput>
{
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, bool bias = true,
        bool batchFirst = false, double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Rnn(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
        => Nonlinearity = nonlinearity;

    public RnnNonlinearity Nonlinearity { get; }

    public override string TypeName => "RNN";

    /// <summary>Runs the sequence from <paramref name="h0"/> [L*D, B, H] (zeros when null), over each sequence's first
    /// lengths[b] steps when <paramref name="lengths"/> [B] is given.</summary>
    public RnnOutput Forward(Tensor input, Tensor? h0, Tensor? lengths = null)
    {
        var result = ForwardRnn(input, h0, lengths);
        RunForwardHooks(input, result);
        return result;
    }

    protected override RnnOutput ForwardCore(Tensor input) => ForwardRnn(input, null, null);

    private RnnOutput ForwardRnn(Tensor input, Tensor? h0, Tensor? lengths)
    {
        var (output, final) = Run(input, [h0], lengths);
        return new RnnOutput(output, final[0]);
    }
}

/// <summary>A multi-layer GRU with PyTorch's gates r, z, n (torch.nn.GRU).</summary>
public sealed class Gru : RecurrentLayer<RnnOutput>
{
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
    {
    }

    public override string TypeName => "GRU";

    /// <summary>Runs the sequence from <paramref name="h0"/> [L*D, B, H] (zeros when null), over each sequence's first
    /// lengths[b] steps when <paramref name="lengths"/> [B] is given.</summary>
    public RnnOutput Forward(Tensor input, Tensor? h0, Tensor? lengths = null)
    {
        var result = ForwardGru(input, h0, lengths);
        RunForwardHooks(input, result);
        return result;
    }

    protected override RnnOutput ForwardCore(Tensor input) => ForwardGru(input, null, null);

    private RnnOutput ForwardGru(Tensor input, Tensor? h0, Tensor? lengths)
    {
        var (output, final) = Run(input, [h0], lengths);
        return new RnnOutput(output, final[0]);
    }
}

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
    public LstmOutput Forward(Tensor input, LstmState? state, Tensor? lengths = null)
    {
        var result = ForwardLstm(input, state, lengths);
        RunForwardHooks(input, result);
        return result;
    }

    protected override LstmOutput ForwardCore(Tensor input) => ForwardLstm(input, null, null);

    private LstmOutput ForwardLstm(Tensor input, LstmState? state, Tensor? lengths)
    {
        var (output, final) = Run(input, state is { } s ? [s.H, s.C] : null, lengths);
        return new LstmOutput(output, final[0], final[1]);
    }

    private protected override string StateName(int i) => i == 0 ? "h0" : "c0";
}
