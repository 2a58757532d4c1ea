namespace Engine.Lab.Experiments;

/// <summary>Seeded label corruption for the label-noise sweep.</summary>
public static class LabelNoise
{
    /// <summary>A copy of <paramref name="labels"/> where exactly round(<paramref name="fraction"/> x N) samples,
    /// chosen uniformly without replacement with <paramref name="seed"/>, get a different label drawn uniformly from
    /// the other classes. Always flipping to another class makes the corrupted fraction exactly the one requested
    /// (a uniform relabelling would keep about 1/classes of them correct).</summary>
    public static long[] Corrupt(long[] labels, double fraction, int classes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentException($"LabelNoise: the fraction must be in [0, 1]; got {fraction}");
        if (classes < 2 && fraction > 0) throw new ArgumentException($"LabelNoise: flipping labels needs at least 2 classes; got {classes}");
        var result = (long[])labels.Clone();
        var count = (int)Math.Round(fraction * labels.Length, MidpointRounding.AwayFromZero);
        if (count == 0) return result;
        var generator = new Generator(seed);
        var order = Enumerable.Range(0, labels.Length).ToArray();
        // A partial Fisher-Yates shuffle: the first `count` positions are a uniform sample without replacement.
        for (var i = 0; i < count; i++)
        {
            var j = i + generator.NextInt(labels.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
            var index = order[i];
            if (labels[index] < 0 || labels[index] >= classes)
                throw new ArgumentException($"LabelNoise: label {labels[index]} at sample {index} is outside 0..{classes - 1}");
            result[index] = (labels[index] + 1 + generator.NextInt(classes - 1)) % classes;
        }
        return result;
    }
}
