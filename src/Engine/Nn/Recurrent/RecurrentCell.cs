namespace Engine.Nn;

/// <summary>The common part of <see cref="RnnCell"/>, <see cref="GruCell"/> and <see cref="LstmCell"/>: one step of
/// the recurrence on input [B, input_size] (or unbatched [input_size]) with PyTorch's parameters weight_ih
/// [G*H, input_size], weight_hh [G*H, H], bias_ih and bias_hh [G*H] (G gate blocks in PyTorch's order), all
/// initialised U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does.</summary>
public abstract class RecurrentCell<TState> : Module<Tensor, TState>, IFusedRecurrence
{
    private readonly CellMath math;
    private readonly WeightMasks masks;

    private protected RecurrentCell(CellMath math, int inputSize, int hiddenSize, bool bias, DType dtype, Device? device, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentException($"{TypeName}: input_size and hidden_size must be positive; got {inputSize} and {hiddenSize}");
        this.math = math;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var gates = math.Gates * hiddenSize;
        WeightIh = Parameter("weight_ih", Tensor.Zeros([gates, inputSize], dtype, device));
        WeightHh = Parameter("weight_hh", Tensor.Zeros([gates, hiddenSize], dtype, device));
        BiasIh = RegisterParameter("bias_ih", bias ? Tensor.Zeros([gates], dtype, device) : null);
        BiasHh = RegisterParameter("bias_hh", bias ? Tensor.Zeros([gates], dtype, device) : null);
        RecurrentInit.Uniform_(this, hiddenSize, generator);
        masks = new WeightMasks(this, ["weight_ih", "weight_hh"]);
    }

    /// <inheritdoc/>
    public bool FusedKernels { get; set; } = true;

    public int InputSize { get; }

    public int HiddenSize { get; }

    public Tensor WeightIh { get; }

    public Tensor WeightHh { get; }

    public Tensor? BiasIh { get; }

    public Tensor? BiasHh { get; }

    /// <summary>Masks weight_ih or weight_hh (null removes the mask): the step uses W * mask, so masked entries do
    /// not affect the output and get no gradient.</summary>
    public void SetWeightMask(string name, Tensor? mask) => masks.Set(name, mask);

    public Tensor? GetWeightMask(string name) => masks.Get(name);

    /// <summary>The masks set, by weight name.</summary>
    public IReadOnlyDictionary<string, Tensor> WeightMasks => masks.All;

    /// <summary>Validates the input and state, runs one step and returns the new state (unbatched when the input
    /// was).</summary>
    private protected Tensor[] Step(Tensor input, Tensor[]? state)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (1 or 2) || input.Size(-1) != InputSize)
            throw new ArgumentException(
                $"{TypeName}: input must be [batch, {InputSize}] or unbatched [{InputSize}]; got shape {Shape.Format(input.Shape)}");
        if (input.DType != WeightIh.DType)
            throw new ArgumentException($"{TypeName}: input is {input.DType} but the parameters are {WeightIh.DType}");
        var batched = input.Rank == 2;
        var x = batched ? input : input.Unsqueeze(0);
        int[] stateShape = batched ? [x.Size(0), HiddenSize] : [HiddenSize];
        var current = new Tensor[math.States];
        for (var i = 0; i < current.Length; i++)
        {
            var given = state?[i];
            if (given is null)
            {
                current[i] = Tensor.Zeros([x.Size(0), HiddenSize], x.DType, x.Device);
                continue;
            }
            if (!given.Shape.SequenceEqual(stateShape))
                throw new ArgumentException(
                    $"{TypeName}: {StateName(i)} must have shape {Shape.Format(stateShape)} for input of shape {Shape.Format(input.Shape)}; got {Shape.Format(given.Shape)}");
            if (given.DType != x.DType)
                throw new ArgumentException($"{TypeName}: {StateName(i)} is {given.DType} but the input is {x.DType}");
            current[i] = batched ? given : given.Unsqueeze(0);
        }
        var projected = math.Project(x, masks.Apply("weight_ih", WeightIh), BiasIh, BiasHh);
        var recurrent = Tensor.Linear(current[0], masks.Apply("weight_hh", WeightHh), math.RecurrentBias(BiasHh));
        var next = math.Step(projected, recurrent, current, FusedKernels);
        return batched ? next : next.Select(s => s.Squeeze(0)).ToArray();
    }

    private string StateName(int i) => math.States == 1 ? "hx" : i == 0 ? "h" : "c";

    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}" + (BiasIh is null ? ", bias=False" : "");
}
