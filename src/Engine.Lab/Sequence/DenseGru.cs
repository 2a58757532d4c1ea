using Engine.Nn;

namespace Engine.Lab.Sequence;

/// <summary>A standard GRU cell with PyTorch's equations, gate order (r, z, n) and parameter names, for ParaRNN's dense
/// mode: its recurrence matrix is full, so the Newton solve composes n x n Jacobians (taken from autograd) and only
/// pays off for small hidden sizes.
/// r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.</summary>
public sealed class DenseGru : ParaCell
{
    /// <summary>Composing dense Jacobians costs n^3 per step and round; beyond this the sequential loop wins anyway.</summary>
    public const int MaxHiddenSize = 64;

    public DenseGru(int inputSize, int hiddenSize, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(inputSize, hiddenSize, 3 * hiddenSize)
    {
        if (hiddenSize > MaxHiddenSize)
            throw new ArgumentException($"DenseGru: the dense mode takes hidden sizes up to {MaxHiddenSize}; got {hiddenSize}");
        WeightIh = Parameter("weight_ih", Tensor.Zeros([3 * hiddenSize, inputSize], dtype, device));
        WeightHh = Parameter("weight_hh", Tensor.Zeros([3 * hiddenSize, hiddenSize], dtype, device));
        BiasIh = Parameter("bias_ih", Tensor.Zeros([3 * hiddenSize], dtype, device));
        BiasHh = Parameter("bias_hh", Tensor.Zeros([3 * hiddenSize], dtype, device));
        var bound = 1 / Math.Sqrt(hiddenSize);
        foreach (var p in Parameters()) Init.Uniform_(p, -bound, bound, generator);
    }

    public Tensor WeightIh { get; }

    public Tensor WeightHh { get; }

    public Tensor BiasIh { get; }

    public Tensor BiasHh { get; }

    public override JacobianStructure Structure => JacobianStructure.Dense;

    protected override Tensor ProjectInputCore(Tensor input) => Tensor.Linear(input, WeightIh, BiasIh);

    protected override Tensor StepCore(Tensor state, Tensor projected)
    {
        var n = StateSize;
        var hidden = Tensor.Linear(state, WeightHh, BiasHh);
        var r = (projected.Narrow(1, 0, n) + hidden.Narrow(1, 0, n)).Sigmoid();
        var z = (projected.Narrow(1, n, n) + hidden.Narrow(1, n, n)).Sigmoid();
        var candidate = (projected.Narrow(1, 2 * n, n) + r * hidden.Narrow(1, 2 * n, n)).Tanh();
        return candidate + z * (state - candidate);
    }

    protected override string ExtraRepr() => $"{InputSize}, {StateSize}";
}
