namespace Engine.Lab.Sequence;

/// <summary>ParaGRU: a GRU whose recurrence is diagonal, so its state Jacobian is diagonal and one Newton solve costs
/// O(n) per step and round:
/// z = sigmoid(a_z * h + B_z x + b_z), r = sigmoid(a_r * h + B_r x + b_r), c = tanh(a_c * (h * r) + B_c x + b_c),
/// h' = z * c + (1 - z) * h, with a_* vectors (<see cref="StateWeight"/> [3, hidden], rows z, r, c) and B block-diagonal
/// over heads (<see cref="InputWeight"/> [heads, input/heads, 3 * hidden/heads]).</summary>
public sealed class ParaGru : ParaCell
{
    public ParaGru(int inputSize, int hiddenSize, int heads = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : base(inputSize, hiddenSize, 3 * hiddenSize)
    {
        HeadProjection.CheckSizes("ParaGru", inputSize, hiddenSize, heads);
        Heads = heads;
        StateWeight = Parameter("state_weight", Tensor.Zeros([3, hiddenSize], dtype, device));
        InputWeight = Parameter("input_weight", Tensor.Zeros([heads, inputSize / heads, 3 * hiddenSize / heads], dtype, device));
        Bias = Parameter("bias", Tensor.Zeros([3, hiddenSize], dtype, device));
        HeadProjection.Initialize(StateWeight, InputWeight, Bias, generator);
    }

    public int Heads { get; }

    public Tensor StateWeight { get; }

    public Tensor InputWeight { get; }

    public Tensor Bias { get; }

    public override JacobianStructure Structure => JacobianStructure.Diagonal;

    protected override Tensor ProjectInputCore(Tensor input) => HeadProjection.Apply(input, InputWeight, Bias);

    protected override Tensor StepCore(Tensor state, Tensor projected) => Next(state, Gates(state, projected));

    protected override Tensor StateJacobianCore(Tensor state, Tensor projected) => Jacobian(state, Gates(state, projected));

    protected override (Tensor Next, Tensor Jacobian) StepWithJacobianCore(Tensor state, Tensor projected)
    {
        var g = Gates(state, projected);
        return (Next(state, g), Jacobian(state, g));
    }

    private static Tensor Next(Tensor state, (Tensor Z, Tensor R, Tensor C) g) => state + g.Z * (g.C - state);

    /// <summary>d h' / d h = (1 - z) + (c - h) z (1 - z) a_z + z (1 - c^2) a_c (r + h r (1 - r) a_r).</summary>
    private Tensor Jacobian(Tensor state, (Tensor Z, Tensor R, Tensor C) g)
    {
        var (az, ar, ac) = (StateWeight.Select(0, 0), StateWeight.Select(0, 1), StateWeight.Select(0, 2));
        var dz = g.Z * (1 - g.Z) * az;
        var dr = g.R * (1 - g.R) * ar;
        var dc = (1 - g.C.Square()) * ac * (g.R + state * dr);
        return (1 - g.Z) + (g.C - state) * dz + g.Z * dc;
    }

    private (Tensor Z, Tensor R, Tensor C) Gates(Tensor h, Tensor projected)
    {
        var n = StateSize;
        var z = (h * StateWeight.Select(0, 0) + projected.Narrow(1, 0, n)).Sigmoid();
        var r = (h * StateWeight.Select(0, 1) + projected.Narrow(1, n, n)).Sigmoid();
        var c = (StateWeight.Select(0, 2) * (h * r) + projected.Narrow(1, 2 * n, n)).Tanh();
        return (z, r, c);
    }

    protected override string ExtraRepr() => $"{InputSize}, {StateSize}, heads={Heads}";
}
