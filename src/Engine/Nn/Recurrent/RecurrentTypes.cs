namespace Engine.Nn;

/// <summary>The nonlinearity of an Elman RNN (PyTorch's nonlinearity='tanh' | 'relu').</summary>
public enum RnnNonlinearity
{
    Tanh,
    Relu,
}

/// <summary>A recurrent cell or layer whose CPU steps may run fused (<see cref="RecurrentCell{TState}"/>,
/// <see cref="RecurrentLayer{TOutput}"/>).</summary>
public interface IFusedRecurrence
{
    /// <summary>Whether LSTM and GRU steps on the CPU run their pointwise part as one fused node (default). The fused
    /// node has no double backward: set false to differentiate a gradient (createGraph), e.g. for a gradient
    /// penalty.</summary>
    bool FusedKernels { get; set; }
}

/// <summary>An LSTM's state: the hidden state H (PyTorch's h) and the cell state C (c), of one shape.</summary>
public readonly record struct LstmState(Tensor H, Tensor C);

/// <summary>What <see cref="Rnn"/> and <see cref="Gru"/> return: the top layer's hidden state at every step,
/// Output [T, B, D*H] ([B, T, D*H] batch-first; zero past each sequence's length), and the final hidden state of
/// every layer and direction, HN [L*D, B, H] (PyTorch's output, h_n).</summary>
public sealed record RnnOutput(Tensor Output, Tensor HN);

/// <summary>What <see cref="Lstm"/> returns: Output as for <see cref="RnnOutput"/>, and the final hidden and cell
/// states HN and CN [L*D, B, H] (PyTorch's output, (h_n, c_n)).</summary>
public sealed record LstmOutput(Tensor Output, Tensor HN, Tensor CN)
{
    /// <summary>The final state, ready to be passed as the initial state of the next call (truncated BPTT).</summary>
    public LstmState State => new(HN, CN);
}
