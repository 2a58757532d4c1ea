namespace Engine;

/// <summary>Normalisations as PyTorch's functional forms (batch_norm, layer_norm, group_norm, rms_norm), composed from
/// differentiable reductions and broadcasting, so their gradients (of any order) come from the ops they are made of.
/// Variances used for normalising are biased (divide by n), as PyTorch.</summary>
public sealed partial class Tensor
{
    /// <summary>Batch normalisation of an input [N, C, *] per channel C. With <paramref name="training"/> it
    /// normalises with the batch's statistics and, where running buffers [C] are given, updates them in place:
    /// r = (1 - momentum) r + momentum s, with the unbiased batch variance for the running variance. Otherwise it
    /// normalises with the running statistics, which must then be given.</summary>
    public static Tensor BatchNorm(
        Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null, bool training = false,
        double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || !input.DType.IsFloatingPoint())
            throw new ArgumentException($"BatchNorm: expected a floating-point input [N,C,*] of at least 2 dims; got {input.DType} of shape {Engine.Shape.Format(input.shape)}");
        var channels = input.shape[1];
        foreach (var (name, t) in new[] { ("running mean", runningMean), ("running var", runningVar), ("weight", weight), ("bias", bias) })
            CheckChannelVector("BatchNorm", name, t, channels, input);
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException("BatchNorm: evaluation (training false) needs the running mean and running var");

        var statShape = new int[input.Rank];
        Array.Fill(statShape, 1);
        statShape[1] = channels;
        var dims = Enumerable.Range(0, input.Rank).Where(d => d != 1).ToArray();
        Tensor centered, invStd;
        if (training)
        {
            var count = input.Numel / Math.Max(channels, 1);
            if (count <= 1)
                throw new ArgumentException($"BatchNorm: expected more than 1 value per channel when training; got input of shape {Engine.Shape.Format(input.shape)}");
            var mean = input.Mean(dims, keepDim: true);
            centered = input - mean;
            var variance = centered.Square().Mean(dims, keepDim: true);
            invStd = (variance + eps).Rsqrt();
            using (Autograd.NoGrad())
            {
                runningMean?.Mul_(1 - momentum).Add_(mean.Reshape(channels), momentum);
                runningVar?.Mul_(1 - momentum).Add_(variance.Reshape(channels), momentum * count / (count - 1));
            }
        }
        else
        {
            centered = input - runningMean!.Reshape(statShape);
            invStd = (runningVar!.Reshape(statShape) + eps).Rsqrt();
        }
        // One broadcast multiply by the per-channel scale (inverse std times weight) over the full input.
        var scale = weight is null ? invStd : invStd * weight.Reshape(statShape);
        var y = centered * scale;
        return bias is null ? y : y + bias.Reshape(statShape);
    }

    /// <summary>Layer normalisation over the trailing dims given by <paramref name="normalizedShape"/>, with an
    /// optional elementwise weight and bias of that shape.</summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        var dims = TrailingNormDims("LayerNorm", input, normalizedShape, weight, bias);
        var centered = input - input.Mean(dims, keepDim: true);
        var y = centered * (centered.Square().Mean(dims, keepDim: true) + eps).Rsqrt();
        if (weight is not null) y *= weight;
        return bias is null ? y : y + bias;
    }

    /// <summary>Root-mean-square normalisation over the trailing dims: x / sqrt(mean(x^2) + eps) * weight. A null
    /// <paramref name="eps"/> means the machine epsilon of the input's dtype (PyTorch 2.4+).</summary>
    public static Tensor RmsNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, double? eps = null)
    {
        var dims = TrailingNormDims("RmsNorm", input, normalizedShape, weight, null);
        var e = eps ?? (input.DType == DType.Float32 ? MathF.BitIncrement(1f) - 1f : Math.BitIncrement(1.0) - 1.0);
        var y = input * (input.Square().Mean(dims, keepDim: true) + e).Rsqrt();
        return weight is null ? y : y * weight;
    }

    /// <summary>Group normalisation of an input [N, C, *]: the C channels fall into <paramref name="numGroups"/>
    /// groups, each normalised over its channels and all positions; then a per-channel weight and bias [C].</summary>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || !input.DType.IsFloatingPoint())
            throw new ArgumentException($"GroupNorm: expected a floating-point input [N,C,*] of at least 2 dims; got {input.DType} of shape {Engine.Shape.Format(input.shape)}");
        var channels = input.shape[1];
        if (numGroups < 1 || channels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: the {channels} channels of input {Engine.Shape.Format(input.shape)} must be divisible by the number of groups {numGroups}");
        CheckChannelVector("GroupNorm", "weight", weight, channels, input);
        CheckChannelVector("GroupNorm", "bias", bias, channels, input);

        var grouped = input.Reshape(input.shape[0], numGroups, input.Numel / Math.Max(input.shape[0] * numGroups, 1));
        var centered = grouped - grouped.Mean(2, keepDim: true);
        var y = (centered * (centered.Square().Mean(2, keepDim: true) + eps).Rsqrt()).Reshape((int[])input.shape.Clone());
        var statShape = new int[input.Rank];
        Array.Fill(statShape, 1);
        statShape[1] = channels;
        if (weight is not null) y *= weight.Reshape(statShape);
        return bias is null ? y : y + bias.Reshape(statShape);
    }

    private static void CheckChannelVector(string op, string name, Tensor? t, int channels, Tensor input)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.shape[0] != channels)
            throw new ArgumentException($"{op}: the {name} must have shape ({channels}) for input {Engine.Shape.Format(input.shape)}; got {Engine.Shape.Format(t.shape)}");
        input.CheckSameDevice(t, op);
    }

    /// <summary>Checks that the input ends in normalizedShape (and weight/bias have that shape); returns the trailing
    /// dims to reduce over.</summary>
    private static int[] TrailingNormDims(string op, Tensor input, int[] normalizedShape, Tensor? weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: needs a floating-point input; got {input.DType}");
        var k = normalizedShape.Length;
        if (k == 0 || k > input.Rank || !input.shape.AsSpan(input.Rank - k).SequenceEqual(normalizedShape))
            throw new ArgumentException(
                $"{op}: normalized shape {Engine.Shape.Format(normalizedShape)} expects an input of shape (*,{Engine.Shape.Format(normalizedShape)[1..]}; got {Engine.Shape.Format(input.shape)}");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (t is null) continue;
            if (!t.shape.AsSpan().SequenceEqual(normalizedShape))
                throw new ArgumentException($"{op}: the {name} must have the normalized shape {Engine.Shape.Format(normalizedShape)}; got {Engine.Shape.Format(t.shape)}");
            input.CheckSameDevice(t, op);
        }
        return Enumerable.Range(input.Rank - k, k).ToArray();
    }
}
