namespace Engine.Nn;

/// <summary>A lookup table of <paramref name="numEmbeddings"/> vectors of size <paramref name="embeddingDim"/>:
/// integer indices of any shape give vectors of shape indices ++ [dim]. Initialised N(0, 1) as PyTorch; the padding
/// row (when given; negative counts from the end) starts at zero and receives no gradient.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (numEmbeddings < 1 || embeddingDim < 1)
            throw new ArgumentException($"Embedding: sizes must be positive; got {numEmbeddings} embeddings of dim {embeddingDim}");
        if (paddingIdx is { } p && (p < -numEmbeddings || p >= numEmbeddings))
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: padding index {p} must lie in [-{numEmbeddings}, {numEmbeddings})");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is { } q && q < 0 ? q + numEmbeddings : paddingIdx;
        Weight = Parameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype, device));
        Init.Normal_(Weight, 0, 1, generator);
        if (PaddingIdx is { } pad)
            using (Autograd.NoGrad()) Weight.Select(0, pad).Zero_();
    }

    public int NumEmbeddings { get; }

    public int EmbeddingDim { get; }

    /// <summary>The padding row, normalised to [0, NumEmbeddings), or null.</summary>
    public int? PaddingIdx { get; }

    public Tensor Weight { get; }

    protected override Tensor ForwardCore(Tensor input) => Tensor.Embedding(input, Weight, PaddingIdx);

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is { } p ? $", padding_idx={p}" : "");
}
