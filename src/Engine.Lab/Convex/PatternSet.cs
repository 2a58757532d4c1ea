namespace Engine.Lab.Convex;

/// <summary>Distinct ReLU activation patterns D_i = diag(1[X g_i &gt;= 0]) of a training matrix X [n, d], with one
/// gate g_i generating each. The all-zero pattern is never kept (its block of the convex program is identically
/// zero), and patterns are kept in the order their first gate produced them, so a set is reproducible from its
/// gates.</summary>
public sealed class PatternSet
{
    private PatternSet(Tensor masks, Tensor gates)
    {
        Masks = masks;
        Gates = gates;
    }

    /// <summary>P, the number of distinct patterns.</summary>
    public int Count => Masks.Shape[1];

    /// <summary>float64 [n, P] of 0/1: column i is the diagonal of D_i.</summary>
    public Tensor Masks { get; }

    /// <summary>float64 [d, P]: column i is a gate vector g with 1[X g &gt;= 0] equal to column i of
    /// <see cref="Masks"/>.</summary>
    public Tensor Gates { get; }

    /// <summary>Patterns of <paramref name="count"/> gates g ~ N(0, I) drawn with <paramref name="seed"/>,
    /// deduplicated (so <see cref="Count"/> can be smaller than <paramref name="count"/>).</summary>
    public static PatternSet Sample(Tensor x, int count, ulong seed)
    {
        var (_, d) = CheckData(x, "PatternSet.Sample");
        if (count < 1) throw new ArgumentException($"PatternSet.Sample: needs at least one gate; got count {count}");
        return FromGates(x, Tensor.Randn([d, count], DType.Float64, new Generator(seed)));
    }

    /// <summary>The distinct nonzero patterns of the given gates [d, G], in gate order, reading gates only until
    /// <paramref name="limit"/> patterns are kept.</summary>
    public static PatternSet FromGates(Tensor x, Tensor gates, int limit = int.MaxValue)
    {
        var (n, d) = CheckData(x, "PatternSet.FromGates");
        ArgumentNullException.ThrowIfNull(gates);
        if (gates.DType != DType.Float64 || gates.Rank != 2 || gates.Shape[0] != d)
            throw new ArgumentException(
                $"PatternSet.FromGates: gates must be float64 [d, G] with d = {d} for X of shape {Shape.Format(x.Shape.ToArray())}; got {gates.DType} {Shape.Format(gates.Shape.ToArray())}");
        var g = gates.ToArray<double>();
        var count = gates.Shape[1];
        var columns = new double[count][];
        for (var c = 0; c < count; c++)
        {
            columns[c] = new double[d];
            for (var j = 0; j < d; j++) columns[c][j] = g[j * count + c];
        }
        if (limit < 1) throw new ArgumentException($"PatternSet.FromGates: limit must be >= 1; got {limit}");
        return FromGates(x.ToArray<double>(), n, d, columns, limit);
    }

    /// <summary>All distinct nonzero patterns of X: every sign pattern that a hyperplane through the origin
    /// realises, found exactly (in exact arithmetic) for d &lt;= 3 by visiting every face of the arrangement of
    /// the hyperplanes {g : x_k . g = 0} (see <see cref="HyperplaneArrangement"/>). Throws for d &gt; 3 and for
    /// more rows than <see cref="HyperplaneArrangement.MaxRows"/> allows at that d.</summary>
    public static PatternSet Enumerate(Tensor x)
    {
        var (n, d) = CheckData(x, "PatternSet.Enumerate");
        var data = x.ToArray<double>();
        return FromGates(data, n, d, HyperplaneArrangement.FaceGates(data, n, d));
    }

    /// <summary>The distinct nonzero patterns of <paramref name="gates"/> (row-major X [n, d]), in gate order, reading
    /// gates only until <paramref name="limit"/> patterns are kept (so a sampler may offer an endless sequence).</summary>
    internal static PatternSet FromGates(double[] x, int n, int d, IEnumerable<double[]> gates, int limit = int.MaxValue)
    {
        var seen = new HashSet<ulong[]>(BitsComparer.Instance);
        var kept = new List<(ulong[] Bits, double[] Gate)>();
        var words = (n + 63) / 64;
        foreach (var gate in gates)
        {
            var bits = new ulong[words];
            var any = false;
            for (var k = 0; k < n; k++)
            {
                var s = 0.0;
                for (var j = 0; j < d; j++) s += x[k * d + j] * gate[j];
                if (s >= 0)
                {
                    bits[k >> 6] |= 1UL << (k & 63);
                    any = true;
                }
            }
            if (any && seen.Add(bits))
            {
                kept.Add((bits, gate));
                if (kept.Count >= limit) break;
            }
        }
        var p = kept.Count;
        var masks = new double[n * p];
        var gateMatrix = new double[d * p];
        for (var i = 0; i < p; i++)
        {
            for (var k = 0; k < n; k++)
                if ((kept[i].Bits[k >> 6] >> (k & 63) & 1) != 0) masks[k * p + i] = 1;
            for (var j = 0; j < d; j++) gateMatrix[j * p + i] = kept[i].Gate[j];
        }
        return new PatternSet(Tensor.Wrap(masks, n, p), Tensor.Wrap(gateMatrix, d, p));
    }

    internal static (int N, int D) CheckData(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType != DType.Float64 || x.Rank != 2 || x.Shape[0] < 1 || x.Shape[1] < 1)
            throw new ArgumentException($"{op}: X must be a non-empty float64 matrix [n, d]; got {x.DType} {Shape.Format(x.Shape.ToArray())}");
        return (x.Shape[0], x.Shape[1]);
    }

    /// <summary>Patterns as bit sets, compared by content.</summary>
    private sealed class BitsComparer : IEqualityComparer<ulong[]>
    {
        public static readonly BitsComparer Instance = new();

        public bool Equals(ulong[]? a, ulong[]? b) => a.AsSpan().SequenceEqual(b);

        public int GetHashCode(ulong[] bits)
        {
            var hash = new HashCode();
            foreach (var w in bits) hash.Add(w);
            return hash.ToHashCode();
        }
    }
}
