namespace Engine.Data;

/// <summary>Seeded partitions of sample indices into parts (train / validation / test). Every part is an Int64
/// index tensor in random order; the same seed gives the same parts.</summary>
public static class Splits
{
    /// <summary>Splits 0..count-1 at random into parts of the given fractions (summing to 1; sizes rounded by
    /// largest remainder so they add up to count).</summary>
    public static Tensor[] Random(int count, double[] fractions, ulong seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"Splits.Random: count must be non-negative; got {count}");
        var sizes = Apportion(count, fractions, "Splits.Random");
        var order = Tensor.RandPerm(count, new Generator(seed));
        var parts = new Tensor[sizes.Length];
        var start = 0;
        for (var p = 0; p < sizes.Length; p++)
        {
            parts[p] = order.Narrow(0, start, sizes[p]).Clone();
            start += sizes[p];
        }
        return parts;
    }

    /// <summary>A plain random train/test split of 0..count-1.</summary>
    public static (Tensor Train, Tensor Test) TrainTest(int count, double testFraction, ulong seed)
    {
        if (!(testFraction >= 0 && testFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"Splits.TrainTest: testFraction must be in [0, 1]; got {testFraction}");
        var parts = Random(count, [1 - testFraction, testFraction], seed);
        return (parts[0], parts[1]);
    }

    /// <summary>Splits sample indices into parts that each keep the class proportions of <paramref name="labels"/>
    /// (Int64 [samples]): every class is shuffled and cut by the fractions on its own (largest remainder), so a
    /// part's share of a class differs from its fraction by less than one sample. E.g. [0.8, 0.2] or
    /// [0.7, 0.15, 0.15].</summary>
    public static Tensor[] Stratified(Tensor labels, double[] fractions, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rank != 1 || !labels.DType.IsInteger())
            throw new ArgumentException($"Splits.Stratified: labels must be a 1-D integer tensor; got {labels.DType} {Shape.Format(labels.Shape)}");
        var values = labels.ToArray<long>();
        Apportion(values.Length, fractions, "Splits.Stratified");
        var gen = new Generator(seed);
        var parts = fractions.Select(_ => new List<long>()).ToArray();
        foreach (var cls in values.Distinct().Order())
        {
            var members = Enumerable.Range(0, values.Length).Where(i => values[i] == cls).Select(i => (long)i).ToArray();
            var shuffled = Tensor.RandPerm(members.Length, gen).ToArray<long>();
            var sizes = Apportion(members.Length, fractions, "Splits.Stratified");
            var start = 0;
            for (var p = 0; p < parts.Length; p++)
            {
                for (var j = start; j < start + sizes[p]; j++) parts[p].Add(members[shuffled[j]]);
                start += sizes[p];
            }
        }
        // Mix the classes within each part, so reading a part in order does not see one class after another.
        return parts.Select(part => Tensor.FromArray(part.ToArray()).IndexSelect(0, Tensor.RandPerm(part.Count, gen))).ToArray();
    }

    /// <summary>Part sizes for <paramref name="total"/> items: floor(total * fraction) each, then the items left over
    /// one each to the parts with the largest remainders (the first part on ties).</summary>
    internal static int[] Apportion(int total, double[] fractions, string op)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Length == 0 || fractions.Any(f => !(f >= 0 && f <= 1)) || Math.Abs(fractions.Sum() - 1) > 1e-6)
            throw new ArgumentException($"{op}: fractions must be in [0, 1] and sum to 1; got [{string.Join(", ", fractions)}]");
        var sum = fractions.Sum();
        var exact = fractions.Select(f => f / sum * total).ToArray();
        var sizes = exact.Select(e => (int)Math.Floor(e + 1e-9)).ToArray();
        var left = total - sizes.Sum();
        foreach (var p in Enumerable.Range(0, sizes.Length).OrderByDescending(p => exact[p] - sizes[p]).Take(Math.Max(left, 0)))
            sizes[p]++;
        return sizes;
    }
}
