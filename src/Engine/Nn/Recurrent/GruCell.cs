namespace Engine.Nn;

/// <summary>One GRU step with PyTorch's gates r, z, n (torch.nn.GRUCell): n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
/// h' = (1 - z) n + z h.</summary>
public sealed class GruCell : SingleStateCell
{
    public GruCell(int inputSize, int hiddenSize, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Gru, inputSize, hiddenSize, bias, dtype, device, generator)
    {
    }

    public override string TypeName => "GRUCell";
}
