using System.Globalization;

namespace Engine.Nn;

/// <summary>The common part of <see cref="Rnn"/>, <see cref="Gru"/> and <see cref="Lstm"/>: a stack of recurrent
/// layers, each optionally bidirectional, over input [T, B, input_size] ([B, T, input_size] batch-first, or unbatched
/// [T, input_size]). Parameters carry PyTorch's names (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k},
/// with the suffix _reverse for the backward direction) and order, so state dicts interchange with torch.nn.RNN, GRU
/// and LSTM through safetensors.
/// Each layer and direction projects the inputs of all steps in one GEMM; the loop over time then runs one GEMM with
/// weight_hh per step, and the autograd graph gives backpropagation through time (the gradients of weight_ih and
/// weight_hh come out of one GEMM each over all steps, see <see cref="TimeSteps"/> and
/// <see cref="RecurrentProjection"/>).
/// With lengths [B] (Int64 or Int32, each in [1, T]) sequence b is x[0 .. lengths[b]): its outputs past the end are
/// zero, its final state is the state after its last step, and the backward direction starts at its own last step,
/// as PyTorch's packed sequences do.</summary>
public abstract class RecurrentLayer<TOutput> : Module<Tensor, TOutput>, IFusedRecurrence
{
    private readonly CellMath math;
    private readonly string[][] names;
    private readonly Tensor[][] weights;
    private readonly WeightMasks masks;
    private readonly Generator? generator;

    private protected RecurrentLayer(CellMath math, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, double dropout,
        bool bidirectional, DType dtype, Device? device, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new ArgumentException($"{TypeName}: input_size, hidden_size and num_layers must be positive; got {inputSize}, {hiddenSize} and {numLayers}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentException($"{TypeName}: dropout must be in [0, 1]; got {dropout}");
        this.math = math;
        this.generator = generator;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        var gates = math.Gates * hiddenSize;
        names = new string[numLayers * NumDirections][];
        weights = new Tensor[names.Length][];
        for (var layer = 0; layer < numLayers; layer++)
        {
            var layerInput = layer == 0 ? inputSize : hiddenSize * NumDirections;
            for (var direction = 0; direction < NumDirections; direction++)
            {
                var suffix = "_l" + layer.ToString(CultureInfo.InvariantCulture) + (direction == 1 ? "_reverse" : "");
                var cell = layer * NumDirections + direction;
                names[cell] = ["weight_ih" + suffix, "weight_hh" + suffix, "bias_ih" + suffix, "bias_hh" + suffix];
                weights[cell] = [
                    Parameter(names[cell][0], Tensor.Zeros([gates, layerInput], dtype, device)),
                    Parameter(names[cell][1], Tensor.Zeros([gates, hiddenSize], dtype, device))];
                if (bias)
                {
                    weights[cell] = [.. weights[cell],
                        Parameter(names[cell][2], Tensor.Zeros([gates], dtype, device)),
                        Parameter(names[cell][3], Tensor.Zeros([gates], dtype, device))];
                }
            }
        }
        RecurrentInit.Uniform_(this, hiddenSize, generator);
        masks = new WeightMasks(this, names.SelectMany(n => n[..2]).ToArray());
    }

    /// <inheritdoc/>
    public bool FusedKernels { get; set; } = true;

    public int InputSize { get; }

    public int HiddenSize { get; }

    public int NumLayers { get; }

    public bool Bias { get; }

    /// <summary>Input and output are [B, T, features] instead of [T, B, features] (the states stay [L*D, B, H]).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability on the outputs of every layer but the last, in training mode.</summary>
    public double Dropout { get; }

    public bool Bidirectional { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>Masks a weight_ih_l*/weight_hh_l* matrix (null removes the mask): the forward pass uses W * mask, so
    /// masked entries do not affect the output and get no gradient.</summary>
    public void SetWeightMask(string name, Tensor? mask) => masks.Set(name, mask);

    public Tensor? GetWeightMask(string name) => masks.Get(name);

    /// <summary>The masks set, by weight name.</summary>
    public IReadOnlyDictionary<string, Tensor> WeightMasks => masks.All;

    /// <summary>Runs all layers; <paramref name="initial"/> holds the initial state tensors [L*D, B, H] (null entries
    /// or array: zeros). Returns the output in the caller's layout and the final states [L*D, B, H].</summary>
    private protected (Tensor Output, Tensor[] Final) Run(Tensor input, Tensor?[]? initial, Tensor? lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = TimeMajor(input);
        int steps = x.Size(0), batch = x.Size(1);
        var start = InitialStates(initial, input, batch);
        var sequence = SequenceMask.Create(TypeName, lengths, input.Rank == 3, steps, batch, x.Device);
        var finals = new Tensor[math.States][];
        for (var i = 0; i < finals.Length; i++) finals[i] = new Tensor[NumLayers * NumDirections];
        for (var layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new Tensor[NumDirections];
            for (var direction = 0; direction < NumDirections; direction++)
            {
                var cell = layer * NumDirections + direction;
                var (output, final) = RunDirection(x, cell, direction == 1, start.Select(s => s?.Select(0, cell)).ToArray(), sequence);
                outputs[direction] = output;
                for (var i = 0; i < final.Length; i++) finals[i][cell] = final[i];
            }
            x = NumDirections == 1 ? outputs[0] : Tensor.Cat(outputs, 2);
            if (layer < NumLayers - 1 && Dropout > 0 && IsTraining) x = x.Dropout(Dropout, true, generator);
        }
        var result = input.Rank == 2 ? x.Squeeze(1) : BatchFirst ? x.Transpose(0, 1) : x;
        var states = finals.Select(f => Tensor.Stack(f, 0)).Select(s => input.Rank == 2 ? s.Squeeze(1) : s).ToArray();
        return (result, states);
    }

    /// <summary>One layer in one direction over x [T, B, features]: the outputs [T, B, H] and the final states.</summary>
    private (Tensor Output, Tensor[] Final) RunDirection(Tensor x, int cell, bool reverse, Tensor?[] initial, SequenceMask sequence)
    {
        var w = weights[cell];
        var projected = math.Project(x, masks.Apply(names[cell][0], w[0]), Bias ? w[2] : null, Bias ? w[3] : null);
        var recurrent = new RecurrentProjection(masks.Apply(names[cell][1], w[1]), math.RecurrentBias(Bias ? w[3] : null));
        var steps = x.Size(0);
        var order = Enumerable.Range(0, sequence.MaxLength).ToArray();
        if (reverse) Array.Reverse(order);
        var inputs = TimeSteps.Split(projected, order);
        var state = initial.Select(s => s ?? Tensor.Zeros([x.Size(1), HiddenSize], x.DType, x.Device)).ToArray();
        var outputs = new Tensor[steps];
        foreach (var t in order)
        {
            var next = math.Step(inputs[t], recurrent.Apply(state[0]), state, FusedKernels);
            if (sequence.Active(t) is { } active)
            {
                // Sequences that ended (or, backwards, have not started) keep their state and output zero.
                for (var i = 0; i < next.Length; i++) next[i] = Tensor.Where(active, next[i], state[i]);
                outputs[t] = Tensor.Where(active, next[0], 0.0);
            }
            else
            {
                outputs[t] = next[0];
            }
            state = next;
        }
        if (sequence.MaxLength < steps)
        {
            var zero = Tensor.Zeros([x.Size(1), HiddenSize], x.DType, x.Device);
            for (var t = sequence.MaxLength; t < steps; t++) outputs[t] = zero;
        }
        return (Tensor.Stack(outputs, 0), state);
    }

    /// <summary>The input as [T, B, features], after checking its rank, size and dtype.</summary>
    private Tensor TimeMajor(Tensor input)
    {
        var layout = BatchFirst ? "[batch, seq_len, " : "[seq_len, batch, ";
        if (input.Rank is not (2 or 3))
            throw new ArgumentException(
                $"{TypeName}: input must be 3-D {layout}{InputSize}] or unbatched 2-D [seq_len, {InputSize}]; got shape {Shape.Format(input.Shape)}");
        if (input.Size(-1) != InputSize)
            throw new ArgumentException(
                $"{TypeName}: input has {input.Size(-1)} features (shape {Shape.Format(input.Shape)}) but input_size is {InputSize}");
        if (input.DType != weights[0][0].DType)
            throw new ArgumentException($"{TypeName}: input is {input.DType} but the parameters are {weights[0][0].DType}");
        var x = input.Rank == 2 ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input;
        if (x.Size(0) == 0 || x.Size(1) == 0)
            throw new ArgumentException($"{TypeName}: input of shape {Shape.Format(input.Shape)} has no steps or no sequences");
        return x;
    }

    /// <summary>The initial states as [L*D, B, H] after checking their shapes (null where not given).</summary>
    private Tensor?[] InitialStates(Tensor?[]? initial, Tensor input, int batch)
    {
        var batched = input.Rank == 3;
        var result = new Tensor?[math.States];
        int[] expected = batched ? [NumLayers * NumDirections, batch, HiddenSize] : [NumLayers * NumDirections, HiddenSize];
        for (var i = 0; i < result.Length; i++)
        {
            var given = initial?[i];
            if (given is null) continue;
            if (!given.Shape.SequenceEqual(expected))
                throw new ArgumentException(
                    $"{TypeName}: {StateName(i)} must have shape {Shape.Format(expected)} (num_layers * num_directions, {(batched ? "batch, " : "")}hidden_size) for input of shape {Shape.Format(input.Shape)}; got {Shape.Format(given.Shape)}");
            if (given.DType != input.DType)
                throw new ArgumentException($"{TypeName}: {StateName(i)} is {given.DType} but the input is {input.DType}");
            input.CheckSameDevice(given, TypeName);
            result[i] = batched ? given : given.Unsqueeze(1);
        }
        return result;
    }

    private protected virtual string StateName(int i) => "h0";

    protected override string ExtraRepr()
    {
        var extra = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1) extra += $", num_layers={NumLayers}";
        if (!Bias) extra += ", bias=False";
        if (BatchFirst) extra += ", batch_first=True";
        if (Dropout != 0) extra += $", dropout={PyRepr.Float(Dropout)}";
        if (Bidirectional) extra += ", bidirectional=True";
        return extra;
    }
}
