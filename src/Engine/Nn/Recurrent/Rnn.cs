namespace Engine.Nn;

/// <summary>A multi-layer Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or ReLU), as torch.nn.RNN.</summary>
public sealed class Rnn : SingleStateLayer
{
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, bool bias = true,
        bool batchFirst = false, double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Rnn(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
        => Nonlinearity = nonlinearity;

    public RnnNonlinearity Nonlinearity { get; }

    public override string TypeName => "RNN";
}
