namespace Engine.Nn;

/// <summary>One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or ReLU), as torch.nn.RNNCell.</summary>
public sealed class RnnCell : SingleStateCell
{
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Rnn(nonlinearity), inputSize, hiddenSize, bias, dtype, device, generator)
        => Nonlinearity = nonlinearity;

    public RnnNonlinearity Nonlinearity { get; }

    public override string TypeName => "RNNCell";

    protected override string ExtraRepr() => base.ExtraRepr() + (Nonlinearity == RnnNonlinearity.Relu ? ", nonlinearity=relu" : "");
}
