namespace Engine.Lab.Convex;

/// <summary>Candidate neurons from <see cref="PatternSearch.Search"/>: unit gates [d, K] (columns), sorted by
/// <see cref="Values"/> = |theta^T (X g)_+| (largest first); <see cref="Largest"/> is the first value (0 when K = 0).</summary>
public sealed record PatternCandidates(Tensor Gates, double[] Values)
{
    public double Largest => Values.Length > 0 ? Values[0] : 0;
}

/// <summary>The dual certificate of the convex ReLU program over all patterns, searched. At a point with predictions
/// r, let theta = -l'(r) (the negative loss gradient). Over every pattern D and every u in D's cone with ||u|| &lt;= 1,
/// theta^T D X u equals theta^T (X u)_+, so the program's optimality conditions over all patterns (Pilanci &amp; Ergen
/// 2020) ask max over unit u of |theta^T (X u)_+| &lt;= beta. A unit u above beta is a neuron whose pattern, added to
/// the program, lowers its optimum (the objective's directional derivative along it is beta - value &lt; 0): the
/// pricing step of column generation. The maximisation is nonconvex (one ReLU neuron), so it is searched from many
/// starts by the pattern iteration u &lt;- X^T D(u) t / ||X^T D(u) t|| (t = +-theta; the step maximises the current
/// pattern's linear value over the sphere), keeping each start's best point. A value found is a true lower bound on
/// the maximum; the maximum itself is not certified.</summary>
public static class PatternSearch
{
    /// <param name="x">Training inputs [n, d] float64 (bias column included).</param>
    /// <param name="theta">The dual vector [n].</param>
    /// <param name="randomStarts">Starts drawn N(0, I) with <paramref name="seed"/>, searched for both signs of theta.</param>
    /// <param name="steps">Pattern-iteration steps per start.</param>
    /// <param name="extraStarts">Optional [d, E] further starts (e.g. the current neurons), searched for both signs.</param>
    public static PatternCandidates Search(Tensor x, Tensor theta, int randomStarts, int steps, ulong seed, Tensor? extraStarts = null)
    {
        const string op = "PatternSearch.Search";
        var (n, d) = PatternSet.CheckData(x, op);
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.DType != DType.Float64 || theta.Rank != 1 || theta.Shape[0] != n)
            throw new ArgumentException($"{op}: theta must be float64 [n] with n = {n}; got {theta.DType} {Shape.Format(theta.Shape.ToArray())}");
        if (randomStarts < 0 || steps < 0) throw new ArgumentException($"{op}: starts and steps must be >= 0; got {randomStarts}, {steps}");
        if (extraStarts is not null && (extraStarts.DType != DType.Float64 || extraStarts.Rank != 2 || extraStarts.Shape[0] != d))
            throw new ArgumentException($"{op}: extra starts must be float64 [d, E] with d = {d}; got {extraStarts.DType} {Shape.Format(extraStarts.Shape.ToArray())}");
        using var _ = Autograd.NoGrad();
        var parts = new List<Tensor>();
        if (randomStarts > 0) parts.Add(Tensor.Randn([d, randomStarts], DType.Float64, new Generator(seed)));
        if (extraStarts is not null && extraStarts.Shape[1] > 0) parts.Add(extraStarts);
        if (parts.Count == 0) return new PatternCandidates(Tensor.Zeros([d, 0], DType.Float64), []);
        var starts = Normalise(parts.Count == 1 ? parts[0] : Tensor.Cat(parts, 1));
        var found = new List<(double Value, double[] Gate)>();
        foreach (var sign in (ReadOnlySpan<double>)[1.0, -1.0])
            Climb(x, theta * sign, starts, steps, found);
        found.Sort((a, b) => b.Value.CompareTo(a.Value));
        var k = found.Count;
        var gates = new double[d * k];
        for (var i = 0; i < k; i++)
            for (var j = 0; j < d; j++) gates[j * k + i] = found[i].Gate[j];
        return new PatternCandidates(Tensor.Wrap(gates, d, k), [.. found.Select(f => f.Value)]);
    }

    /// <summary>Pattern iteration from every column of <paramref name="u"/> on t^T (X u)_+, each column's best point
    /// (value and unit vector) appended to <paramref name="found"/>.</summary>
    private static void Climb(Tensor x, Tensor t, Tensor u, int steps, List<(double, double[])> found)
    {
        var (d, count) = (u.Shape[0], u.Shape[1]);
        var best = new double[count];
        Array.Fill(best, double.NegativeInfinity);
        var bestU = new double[d * count];
        var column = t.Unsqueeze(1);
        for (var step = 0; ; step++)
        {
            var h = x.Matmul(u);
            var values = (h.Maximum(0) * column).Sum(0).ToArray<double>();
            var current = u.ToArray<double>();
            for (var i = 0; i < count; i++)
            {
                if (!(values[i] > best[i])) continue;
                best[i] = values[i];
                for (var j = 0; j < d; j++) bestU[j * count + i] = current[j * count + i];
            }
            if (step == steps) break;
            u = Normalise(x.T.Matmul(h.Gt(0).To(DType.Float64) * column));
        }
        for (var i = 0; i < count; i++)
        {
            if (!(best[i] > 0)) continue;
            var gate = new double[d];
            for (var j = 0; j < d; j++) gate[j] = bestU[j * count + i];
            found.Add((best[i], gate));
        }
    }

    /// <summary>Columns scaled to unit norm (zero columns stay zero).</summary>
    private static Tensor Normalise(Tensor m) => m / m.Norm(2, [0], keepDim: true).Maximum(double.Epsilon);
}
