namespace Engine.Lab.Sequence;

/// <summary>ParaLSTM: an LSTM with coupled input and forget gates, peepholes and diagonal recurrence. The state is the
/// pair (c, h) per unit, stored side by side ([rows, hidden, 2] flattened), so the state Jacobian is 2x2
/// block-diagonal:
/// f = sigmoid(a_f * h + p_f * c + B_f x + b_f), g = tanh(a_c * h + B_c x + b_c), c' = f * c + (1 - f) * g,
/// o = sigmoid(a_o * h + p_o * c' + B_o x + b_o), h' = o * tanh(c'), with <see cref="StateWeight"/> [3, hidden]
/// (rows f, o, c), <see cref="Peephole"/> [2, hidden] (rows f, o) and B block-diagonal over heads.</summary>
public sealed class ParaLstm : ParaCell
{
    public ParaLstm(int inputSize, int hiddenSize, int heads = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(inputSize, 2 * hiddenSize, 3 * hiddenSize)
    {
        HeadProjection.CheckSizes("ParaLstm", inputSize, hiddenSize, heads);
        Heads = heads;
        HiddenSize = hiddenSize;
        StateWeight = Parameter("state_weight", Tensor.Zeros([3, hiddenSize], dtype, device));
        Peephole = Parameter("peephole", Tensor.Zeros([2, hiddenSize], dtype, device));
        InputWeight = Parameter("input_weight", Tensor.Zeros([heads, inputSize / heads, 3 * hiddenSize / heads], dtype, device));
        Bias = Parameter("bias", Tensor.Zeros([3, hiddenSize], dtype, device));
        HeadProjection.Initialize(StateWeight, InputWeight, Bias, generator);
        Engine.Nn.Init.Normal_(Peephole, 0, 2 / Math.Sqrt(5.0 * hiddenSize), generator);
    }

    public int Heads { get; }

    public int HiddenSize { get; }

    public Tensor StateWeight { get; }

    public Tensor Peephole { get; }

    public Tensor InputWeight { get; }

    public Tensor Bias { get; }

    public override int OutputSize => HiddenSize;

    public override JacobianStructure Structure => JacobianStructure.BlockDiagonal2;

    protected override Tensor ProjectInputCore(Tensor input) => HeadProjection.Apply(input, InputWeight, Bias);

    protected override Tensor StepCore(Tensor state, Tensor projected) => Next(Gates(state, projected));

    protected override Tensor StateJacobianCore(Tensor state, Tensor projected) => Jacobian(Gates(state, projected));

    protected override (Tensor Next, Tensor Jacobian) StepWithJacobianCore(Tensor state, Tensor projected)
    {
        var g = Gates(state, projected);
        return (Next(g), Jacobian(g));
    }

    private Tensor Next(Gated g) => Tensor.Stack([g.C, g.O * g.TanhC], 2).Reshape(g.C.Size(0), StateSize);

    /// <summary>Blocks [[dc'/dc, dc'/dh], [dh'/dc, dh'/dh]] per unit, by the chain rule through f, g and o.</summary>
    private Tensor Jacobian(Gated g)
    {
        var (af, ao, ac) = (StateWeight.Select(0, 0), StateWeight.Select(0, 1), StateWeight.Select(0, 2));
        var (pf, po) = (Peephole.Select(0, 0), Peephole.Select(0, 1));
        var df = g.F * (1 - g.F) * (g.CPrev - g.G);
        var dcdc = g.F + df * pf;
        var dcdh = df * af + (1 - g.F) * (1 - g.G.Square()) * ac;
        var dTanh = 1 - g.TanhC.Square();
        var dO = g.O * (1 - g.O);
        // h' = o(c', h) tanh(c'): d/dc' of it is (do/dc' tanh(c') + o tanh'(c')), with do/dc' = o(1-o) p_o.
        var dhdcNew = dO * po * g.TanhC + g.O * dTanh;
        var dhdc = dhdcNew * dcdc;
        var dhdh = dO * ao * g.TanhC + dhdcNew * dcdh;
        return Tensor.Stack([dcdc, dcdh, dhdc, dhdh], 2).Reshape(g.C.Size(0), HiddenSize, 2, 2);
    }

    /// <summary>The h half of the states [..., 2 * hidden].</summary>
    public override Tensor Output(Tensor states)
    {
        var shape = states.Shape.ToArray();
        return states.Reshape([.. shape[..^1], HiddenSize, 2]).Select(-1, 1);
    }

    /// <summary>The gates of one evaluation, shared by f and its Jacobian.</summary>
    private readonly record struct Gated(Tensor CPrev, Tensor F, Tensor G, Tensor C, Tensor O, Tensor TanhC);

    private Gated Gates(Tensor state, Tensor projected)
    {
        var n = HiddenSize;
        var pairs = state.Reshape(state.Size(0), n, 2);
        var cPrev = pairs.Select(2, 0);
        var hPrev = pairs.Select(2, 1);
        var f = (StateWeight.Select(0, 0) * hPrev + Peephole.Select(0, 0) * cPrev + projected.Narrow(1, 0, n)).Sigmoid();
        var g = (StateWeight.Select(0, 2) * hPrev + projected.Narrow(1, 2 * n, n)).Tanh();
        var c = f * cPrev + (1 - f) * g;
        var o = (StateWeight.Select(0, 1) * hPrev + Peephole.Select(0, 1) * c + projected.Narrow(1, n, n)).Sigmoid();
        return new Gated(cPrev, f, g, c, o, c.Tanh());
    }

    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}, heads={Heads}";
}
