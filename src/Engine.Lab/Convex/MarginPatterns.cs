namespace Engine.Lab.Convex;

/// <summary>Where the exact robust program's patterns come from.</summary>
public enum RobustPatternKind
{
    /// <summary>Gates with an empty l_inf slab around their hyperplane (<see cref="MarginPatterns"/>), so every
    /// pattern's robust cone has room.</summary>
    Margin,

    /// <summary>The standard program's sampled (or enumerated) patterns, most of whose robust cones force the block to
    /// zero.</summary>
    Sampled,
}

/// <summary>Activation patterns for the robust program (<see cref="RobustConvex"/>): patterns of gates g = (w, b)
/// (w on the perturbable coordinates, b on the bias column, last) whose hyperplane has an empty l_inf slab around it,
/// |x_k^T g| &gt;= (1 + <see cref="Slack"/>) eps ||w||_1 for every training row k. Such a gate lies strictly inside
/// its pattern's robust cone {u : s_k x_k^T u &gt;= eps ||u||_1 for all k}, so the pattern's block of the robust
/// program has room to be nonzero. Random gates g ~ N(0, I) rarely do: some sample nearly always lies within the
/// margin, which forces the block to zero (docs/convex.md, "Robust training").</summary>
public static class MarginPatterns
{
    /// <summary>Gates keep a margin (1 + Slack) eps ||w||_1, so they are interior points of their robust cones, not on
    /// their boundary.</summary>
    public const double Slack = 0.25;

    /// <summary>Directions tried per requested pattern before the sampler gives up (in high dimensions, or at a large
    /// eps, few directions have a wide enough gap).</summary>
    public const int AttemptsPerPattern = 50;

    /// <summary>Up to <paramref name="count"/> distinct patterns of margin gates, drawn with <paramref name="seed"/>.
    /// The first is the all-ones pattern of the gate (0, ..., 0, 1), a purely linear neuron (always robust: the bias
    /// column is not perturbed). Each further gate takes a random direction w with a random number of nonzero
    /// coordinates (log-uniform in 1..d-1: sparse directions have a small ||w||_1 / ||w||_2, hence thin slabs),
    /// projects the data on w, and puts the hyperplane in the middle of a random gap of the sorted projections wider
    /// than 2 (1 + Slack) eps ||w||_1, on a random side. Patterns are deduplicated as <see cref="PatternSet"/> does;
    /// fewer than <paramref name="count"/> come back when <see cref="AttemptsPerPattern"/> times count directions did
    /// not yield them.</summary>
    /// <param name="x">float64 [n, d], its last column the constant 1 (the bias column).</param>
    /// <exception cref="ArgumentException">X is not float64 [n, d] with d &gt;= 2 and last column all ones, count &lt; 1,
    /// or eps negative or not finite.</exception>
    public static PatternSet Sample(Tensor x, int count, double epsilon, ulong seed)
    {
        var (n, d) = PatternSet.CheckData(x, "MarginPatterns.Sample");
        if (count < 1) throw new ArgumentException($"MarginPatterns.Sample: needs at least one pattern; got count {count}");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"MarginPatterns.Sample: eps must be finite and >= 0; got {epsilon}");
        if (d < 2)
            throw new ArgumentException($"MarginPatterns.Sample: X must have at least one feature besides the bias column; got shape {Shape.Format(x.Shape.ToArray())}");
        var data = x.ToArray<double>();
        for (var k = 0; k < n; k++)
            if (data[k * d + d - 1] != 1)
                throw new ArgumentException(
                    $"MarginPatterns.Sample: the last column of X (shape {Shape.Format(x.Shape.ToArray())}) must be the bias column, all ones; row {k} has {data[k * d + d - 1]}");
        return PatternSet.FromGates(data, n, d, Gates(data, n, d, epsilon, count, new Generator(seed)), count);
    }

    private static IEnumerable<double[]> Gates(double[] x, int n, int d, double epsilon, int count, Generator rng)
    {
        var linear = new double[d];
        linear[d - 1] = 1;
        yield return linear;
        var features = d - 1;
        var projections = new double[n];
        var gaps = new List<int>();
        var coordinates = Enumerable.Range(0, features).ToArray();
        for (var attempt = 0; attempt < AttemptsPerPattern * count; attempt++)
        {
            var w = Direction(rng, coordinates, features);
            var norm1 = 0.0;
            foreach (var v in w) norm1 += Math.Abs(v);
            for (var k = 0; k < n; k++)
            {
                var s = 0.0;
                for (var j = 0; j < features; j++) s += x[k * d + j] * w[j];
                projections[k] = s;
            }
            Array.Sort(projections);
            var width = 2 * (1 + Slack) * epsilon * norm1;
            gaps.Clear();
            for (var k = 0; k + 1 < n; k++)
                if (projections[k + 1] - projections[k] > width) gaps.Add(k);
            if (gaps.Count == 0) continue;
            // Uniform over gaps: weighting them by how evenly they split the data measured the same (breast-cancer, xor).
            var gap = gaps[rng.NextInt(gaps.Count)];
            var offset = (projections[gap] + projections[gap + 1]) / 2;
            var side = rng.NextDouble() < 0.5 ? 1.0 : -1.0;
            var gate = new double[d];
            for (var j = 0; j < features; j++) gate[j] = side * w[j];
            gate[d - 1] = -side * offset;
            yield return gate;
        }
    }

    /// <summary>A direction with a log-uniform number of nonzero N(0, 1) coordinates, chosen at random.</summary>
    private static double[] Direction(Generator rng, int[] coordinates, int features)
    {
        var nonzero = Math.Clamp((int)Math.Exp(rng.NextDouble() * Math.Log(features + 1)), 1, features);
        var w = new double[features];
        for (var i = 0; i < nonzero; i++)
        {
            // A partial Fisher-Yates shuffle picks the coordinates.
            var j = i + rng.NextInt(features - i);
            (coordinates[i], coordinates[j]) = (coordinates[j], coordinates[i]);
            w[coordinates[i]] = Normal(rng);
        }
        return w;
    }

    private static double Normal(Generator rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
