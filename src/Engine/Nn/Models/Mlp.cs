namespace Engine.Nn.Models;

/// <summary>A multilayer perceptron as the torch.nn.Sequential it equals: per hidden width Linear, [BatchNorm1d],
/// activation, [Dropout], then a final Linear; children are numbered "0", "1", ... in that order, so the state dict
/// reads "0.weight", "0.bias", "2.weight", ... (with ReLU and no batch norm or dropout). Image inputs are flattened.</summary>
public sealed class Mlp : Sequential
{
    /// <param name="activation">Makes each hidden layer's activation (a new instance per layer); ReLU when null.</param>
    /// <param name="dropout">Dropout probability after each activation; 0 for none.</param>
    /// <param name="generator">Draws the initial weights and the dropout masks.</param>
    public Mlp(
        int inFeatures, int[] hidden, int outFeatures, Func<Activation>? activation = null, bool batchNorm = false, double dropout = 0,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (inFeatures < 1 || outFeatures < 1 || hidden.Any(h => h < 1))
            throw new ArgumentException($"Mlp: layer widths must be positive; got {inFeatures}-{string.Join("-", hidden)}-{outFeatures}");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"Mlp: dropout must be in [0, 1); got {dropout}");
        InFeatures = inFeatures;
        Hidden = (int[])hidden.Clone();
        OutFeatures = outFeatures;
        var width = inFeatures;
        foreach (var h in hidden)
        {
            Add(new Linear(width, h, dtype: dtype, device: device, generator: generator));
            if (batchNorm) Add(new BatchNorm1d(h, dtype: dtype, device: device));
            Add(activation?.Invoke() ?? new Relu());
            if (dropout > 0) Add(new Dropout(dropout, generator));
            width = h;
        }
        Add(new Linear(width, outFeatures, dtype: dtype, device: device, generator: generator));
    }

    public int InFeatures { get; }

    public IReadOnlyList<int> Hidden { get; }

    public int OutFeatures { get; }

    /// <summary>Inputs with more than two dims (images [N, C, H, W]) are flattened to [N, features] first.</summary>
    protected override Tensor ForwardCore(Tensor input) => base.ForwardCore(input.Rank > 2 ? input.Flatten(1) : input);

    /// <summary>The linear layers, input to output.</summary>
    public IEnumerable<Linear> Linears => this.OfType<Linear>();
}
