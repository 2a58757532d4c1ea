namespace Engine.Nn;

/// <summary>One LSTM step with PyTorch's gates i, f, g, o (torch.nn.LSTMCell): c' = f c + i g, h' = o tanh(c').</summary>
public sealed class LstmCell : RecurrentCell<LstmState>
{
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Lstm, inputSize, hiddenSize, bias, dtype, device, generator)
    {
    }

    public override string TypeName => "LSTMCell";

    /// <summary>The next (h, c); <paramref name="state"/> defaults to zeros.</summary>
    public LstmState Forward(Tensor input, LstmState? state = null)
    {
        var next = Step(input, state is { } s ? [s.H, s.C] : null);
        var result = new LstmState(next[0], next[1]);
        RunForwardHooks(input, result);
        return result;
    }

    protected override LstmState ForwardCore(Tensor input)
    {
        var next = Step(input, null);
        return new LstmState(next[0], next[1]);
    }
}
