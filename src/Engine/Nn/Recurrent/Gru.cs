namespace Engine.Nn;

/// <summary>A multi-layer GRU with PyTorch's gates r, z, n (torch.nn.GRU).</summary>
public sealed class Gru : SingleStateLayer
{
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(CellMath.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, device, generator)
    {
    }

    public override string TypeName => "GRU";
}
