using Engine.Nn;

namespace Engine.Lab.Sequence;

/// <summary>The input side of ParaGRU and ParaLSTM: B x + b with B block-diagonal over heads (head k maps input
/// slice k to state slice k of every gate), and the reference implementation's initialisation of A, B and b.</summary>
internal static class HeadProjection
{
    public static void CheckSizes(string cell, int inputSize, int hiddenSize, int heads)
    {
        if (inputSize < 1 || hiddenSize < 1 || heads < 1 || inputSize % heads != 0 || hiddenSize % heads != 0)
            throw new ArgumentException(
                $"{cell}: input {inputSize} and hidden {hiddenSize} must be positive multiples of the head count {heads}");
    }

    /// <summary>weight [heads, input/heads, gates * hidden/heads], bias [gates, hidden]; x [rows, input] to
    /// [rows, gates * hidden], gate-major.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor bias)
    {
        var heads = weight.Size(0);
        var gates = bias.Size(0);
        var hidden = bias.Size(1);
        var rows = x.Size(0);
        var perHead = x.Reshape(rows, heads, weight.Size(1)).Transpose(0, 1).Matmul(weight);
        return (perHead.Reshape(heads, rows, gates, hidden / heads).Permute(1, 2, 0, 3).Reshape(rows, gates, hidden) + bias)
            .Reshape(rows, gates * hidden);
    }

    /// <summary>State weights N(0, 2 / sqrt(5 n)) (the xLSTM scale), input weights Xavier-uniform per head, biases zero
    /// but the first gate's, which runs from 0 down to -1 across the units.</summary>
    public static void Initialize(Tensor stateWeight, Tensor weight, Tensor bias, Generator? generator)
    {
        var hidden = bias.Size(1);
        Init.Normal_(stateWeight, 0, 2 / Math.Sqrt(5.0 * hidden), generator);
        var fanIn = weight.Size(1);
        var fanOut = hidden / weight.Size(0);
        var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        Init.Uniform_(weight, -bound, bound, generator);
        using (Autograd.NoGrad())
        {
            bias.Zero_();
            bias.Select(0, 0).CopyFrom_(Tensor.Linspace(0, -1, hidden, bias.DType));
        }
    }
}
