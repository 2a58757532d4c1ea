namespace Engine.Nn;

/// <summary>y = x W^T + b, with PyTorch's default initialisation (W ~ U(-1/sqrt(in), 1/sqrt(in)) via kaiming uniform
/// with a = sqrt(5); b ~ U(-1/sqrt(in), 1/sqrt(in))).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: feature counts must be positive; got in {inFeatures}, out {outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Parameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype, device));
        Init.KaimingUniform_(Weight, Math.Sqrt(5), generator: generator);
        Bias = RegisterParameter("bias", bias ? Tensor.Zeros([outFeatures], dtype, device) : null);
        if (Bias is not null)
        {
            var bound = 1 / Math.Sqrt(inFeatures);
            Init.Uniform_(Bias, -bound, bound, generator);
        }
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Tensor Weight { get; }

    public Tensor? Bias { get; }

    protected override Tensor ForwardCore(Tensor input) => Tensor.Linear(input, Weight, Bias);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")}";
}
