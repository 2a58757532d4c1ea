using Engine.Nn;

namespace Engine.Lab.Sequence;

/// <summary>A recurrent layer (<see cref="Rnn"/>, <see cref="Gru"/> or <see cref="Lstm"/>, batch-first) and a linear
/// head: on the final state for a class or a value per sequence, on every step's output for a class per step.
/// Integer inputs [B, T] are symbol indices, read one-hot.</summary>
public sealed class RecurrentNetwork : Module
{
    private readonly Module body;

    public RecurrentNetwork(RnnCellKind cell, int inputSize, int hiddenSize, int outputs, bool perStep, int layers = 1, bool bidirectional = false,
        double dropout = 0, Generator? generator = null)
    {
        Cell = cell;
        InputSize = inputSize;
        PerStep = perStep;
        body = RegisterModule("rnn", cell switch
        {
            RnnCellKind.RnnTanh or RnnCellKind.RnnRelu => (Module)new Rnn(inputSize, hiddenSize, layers,
                cell == RnnCellKind.RnnTanh ? RnnNonlinearity.Tanh : RnnNonlinearity.Relu, batchFirst: true, dropout: dropout, bidirectional: bidirectional, generator: generator),
            RnnCellKind.Gru => new Gru(inputSize, hiddenSize, layers, batchFirst: true, dropout: dropout, bidirectional: bidirectional, generator: generator),
            RnnCellKind.Lstm => new Lstm(inputSize, hiddenSize, layers, batchFirst: true, dropout: dropout, bidirectional: bidirectional, generator: generator),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), $"RecurrentNetwork: unknown cell {cell}"),
        });
        Directions = bidirectional ? 2 : 1;
        Head = RegisterModule("head", new Linear(Directions * hiddenSize, outputs, generator: generator));
    }

    public RnnCellKind Cell { get; }

    public int InputSize { get; }

    public bool PerStep { get; }

    public int Directions { get; }

    public Linear Head { get; }

    /// <summary>Logits or values: [B, outputs] from the final state (forward and backward final states side by side
    /// when bidirectional), or [B, T, outputs] from every step when <see cref="PerStep"/>.</summary>
    public Tensor Forward(Tensor input, Tensor? lengths = null)
    {
        var (output, state) = Run(input, null, lengths);
        if (PerStep) return Head.Forward(output);
        var top = state[0].Narrow(0, state[0].Size(0) - Directions, Directions); // [D, B, H]: the top layer
        return Head.Forward(top.Permute(1, 0, 2).Reshape(top.Size(1), -1));
    }

    /// <summary>The recurrent layer alone: every step's output [B, T, D*H] and the final state (h, or h and c for the
    /// LSTM, each [L*D, B, H]), from <paramref name="state"/> (zeros when null), for carrying state from one call to
    /// the next (sampling).</summary>
    public (Tensor Output, Tensor[] State) Run(Tensor input, Tensor[]? state, Tensor? lengths)
    {
        var x = input.DType.IsInteger() ? input.OneHot(InputSize).To(DType.Float32) : input;
        switch (body)
        {
            case Lstm lstm:
                var l = lstm.Forward(x, state is null ? null : new LstmState(state[0], state[1]), lengths);
                return (l.Output, [l.HN, l.CN]);
            case Gru gru:
                var g = gru.Forward(x, state?[0], lengths);
                return (g.Output, [g.HN]);
            case Rnn rnn:
                var r = rnn.Forward(x, state?[0], lengths);
                return (r.Output, [r.HN]);
            default:
                throw new InvalidOperationException($"RecurrentNetwork: unexpected body {body.TypeName}");
        }
    }
}
