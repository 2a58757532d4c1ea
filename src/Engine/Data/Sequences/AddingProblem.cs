namespace Engine.Data;

/// <summary>The adding problem (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton 2015): each
/// step carries two features, a value drawn uniformly from [0, 1) and a marker that is 1 at exactly two steps, one
/// in the first half of the sequence and one in the second, and 0 elsewhere; the target is the sum of the two marked
/// values. Predicting the mean, 1, scores a mean squared error of 1/6 (the variance of the sum of two uniforms), the
/// baseline a model must beat; doing so needs memory over about half the sequence.</summary>
public static class AddingProblem
{
    /// <summary>Inputs Float32 [samples, length, 2] (value, marker), lengths all <paramref name="length"/>, targets
    /// Float32 [samples].</summary>
    public static SequenceSet Generate(int samples, int length, ulong seed = 0)
    {
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), $"AddingProblem.Generate: samples must be positive; got {samples}");
        if (length < 2) throw new ArgumentOutOfRangeException(nameof(length), $"AddingProblem.Generate: length must be at least 2; got {length}");
        var gen = new Generator(seed);
        var values = Tensor.Rand([samples, length], DType.Float64, gen).ToArray<double>();
        var x = new float[samples * length * 2];
        var sums = new float[samples];
        var half = length / 2;
        for (var i = 0; i < samples; i++)
        {
            var first = gen.NextInt(half);
            var second = half + gen.NextInt(length - half);
            for (var t = 0; t < length; t++)
                x[(i * length + t) * 2] = (float)values[i * length + t];
            x[(i * length + first) * 2 + 1] = 1;
            x[(i * length + second) * 2 + 1] = 1;
            sums[i] = (float)(values[i * length + first] + values[i * length + second]);
        }
        return new SequenceSet("adding", Tensor.Wrap(x, samples, length, 2), Tensor.Full([samples], length, DType.Int64), Tensor.Wrap(sums), []);
    }
}
