namespace Engine.Nn;

/// <summary>The equations of one recurrent cell type, shared by the cell modules and the multi-layer modules. A step
/// gets its two GEMMs done already: the input projection x W_ih^T + b_ih (the layers compute it for all steps in one
/// GEMM) and the recurrent projection h W_hh^T; where PyTorch's b_hh only adds to every gate (RNN, LSTM) it is
/// folded into the input projection's bias, otherwise (GRU) it belongs to the recurrent projection.</summary>
internal abstract class CellMath
{
    /// <summary>Gate blocks stacked in weight_ih/weight_hh (1 for RNN, 3 for GRU, 4 for LSTM).</summary>
    public abstract int Gates { get; }

    /// <summary>State tensors carried from step to step (1, or 2 for the LSTM's h and c); h comes first.</summary>
    public virtual int States => 1;

    /// <summary>Whether b_hh adds to every gate, so it can join b_ih in the input projection.</summary>
    protected virtual bool FoldsHiddenBias => true;

    /// <summary>x W_ih^T + b_ih (+ b_hh when it folds) for x of any leading dims.</summary>
    public Tensor Project(Tensor x, Tensor weightIh, Tensor? biasIh, Tensor? biasHh)
        => Tensor.Linear(x, weightIh, !FoldsHiddenBias || biasHh is null ? biasIh : biasIh is null ? biasHh : biasIh + biasHh);

    /// <summary>The bias of the recurrent projection: b_hh where it does not fold, else none.</summary>
    public Tensor? RecurrentBias(Tensor? biasHh) => FoldsHiddenBias ? null : biasHh;

    /// <summary>The next state from the step's input projection and recurrent projection (both [B, Gates*H]) and the
    /// current state. With <paramref name="fused"/> the pointwise part runs as one node where
    /// <see cref="FusedCells"/> supports the tensors.</summary>
    public abstract Tensor[] Step(Tensor projected, Tensor recurrent, Tensor[] state, bool fused);

    public static CellMath Rnn(RnnNonlinearity nonlinearity) => new RnnMath(nonlinearity);

    public static readonly CellMath Gru = new GruMath();

    public static readonly CellMath Lstm = new LstmMath();

    /// <summary>h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).</summary>
    private sealed class RnnMath(RnnNonlinearity nonlinearity) : CellMath
    {
        public override int Gates => 1;

        public override Tensor[] Step(Tensor projected, Tensor recurrent, Tensor[] state, bool fused)
        {
            var pre = projected + recurrent;
            return [nonlinearity == RnnNonlinearity.Tanh ? pre.Tanh() : pre.Relu()];
        }
    }

    /// <summary>r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    /// h' = (1 - z) n + z h. b_hn sits inside r (...), so b_hh does not fold.</summary>
    private sealed class GruMath : CellMath
    {
        public override int Gates => 3;

        protected override bool FoldsHiddenBias => false;

        public override Tensor[] Step(Tensor projected, Tensor recurrent, Tensor[] state, bool fused)
        {
            var h = state[0];
            if (fused && FusedCells.Supports(projected)) return [FusedCells.Gru(projected, recurrent, h)];
            var hidden = h.Size(-1);
            var rz = (projected.Narrow(-1, 0, 2 * hidden) + recurrent.Narrow(-1, 0, 2 * hidden)).Sigmoid();
            var r = rz.Narrow(-1, 0, hidden);
            var z = rz.Narrow(-1, hidden, hidden);
            var n = (projected.Narrow(-1, 2 * hidden, hidden) + r * recurrent.Narrow(-1, 2 * hidden, hidden)).Tanh();
            return [n + z * (h - n)];
        }
    }

    /// <summary>Gates i, f, g, o in that order: c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c').</summary>
    private sealed class LstmMath : CellMath
    {
        public override int Gates => 4;

        public override int States => 2;

        public override Tensor[] Step(Tensor projected, Tensor recurrent, Tensor[] state, bool fused)
        {
            var (h, c) = (state[0], state[1]);
            if (fused && FusedCells.Supports(projected))
            {
                var next = FusedCells.Lstm(projected, recurrent, c);
                return [next.Select(0, 0), next.Select(0, 1)];
            }
            var hidden = h.Size(-1);
            var gates = projected + recurrent;
            var inputForget = gates.Narrow(-1, 0, 2 * hidden).Sigmoid();
            var candidate = gates.Narrow(-1, 2 * hidden, hidden).Tanh();
            var output = gates.Narrow(-1, 3 * hidden, hidden).Sigmoid();
            var cNext = inputForget.Narrow(-1, hidden, hidden) * c + inputForget.Narrow(-1, 0, hidden) * candidate;
            return [output * cNext.Tanh(), cNext];
        }
    }
}
