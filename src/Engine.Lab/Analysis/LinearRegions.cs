using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>The linear regions crossed along the segment from input a (t = 0) to input b (t = 1).</summary>
/// <param name="Regions">Pattern changes along the segment + 1.</param>
/// <param name="DistinctPatterns">Distinct activation patterns among all points evaluated; equal to
/// <paramref name="Regions"/> in exact arithmetic, since a pattern's region is convex and meets a line in one
/// interval (a difference means floating-point noise at a boundary).</param>
/// <param name="Transitions">Where the pattern changes, as t in (0, 1), increasing, each located to within the
/// tolerance.</param>
/// <param name="Evaluations">Points run through the model (grid and bisection).</param>
public sealed record SegmentRegions(int Regions, int DistinctPatterns, double[] Transitions, int Evaluations);

/// <summary>The linear regions on the plane through inputs a, b and c, sampled on a grid: point (u, v) is
/// a + u (b - a) + v (c - a), so a is at (0, 0), b at (1, 0) and c at (0, 1).</summary>
/// <param name="Coordinates">The grid's coordinates along u and along v (the same values for both).</param>
/// <param name="RegionIds">[v index, u index]: the index of the point's activation pattern among the distinct
/// patterns of the grid, numbered in row-major order of first appearance.</param>
/// <param name="Regions">Distinct patterns on the grid: a pattern's region meets the plane in one convex piece, so
/// this counts the regions the grid resolves.</param>
public sealed record PlaneRegions(double[] Coordinates, int[,] RegionIds, int Regions)
{
    public int Resolution => Coordinates.Length;
}

/// <summary>Linear regions of a piecewise-linear network (ReLU-like activations): inputs with the same activation
/// pattern (1 where a unit is &gt; 0, over every activation layer, as <see cref="ActivationCodes.Collect"/>) lie in
/// the same region, where the network is one affine map. The model runs in eval mode (batch norm with running
/// statistics keeps it piecewise linear).</summary>
public static class LinearRegions
{
    /// <summary>Counts the regions along the segment from <paramref name="a"/> to <paramref name="b"/> (single
    /// samples, without the batch dim).</summary>
    /// <remarks>The segment is sampled at <paramref name="points"/> evenly spaced t; each interval whose ends
    /// differ in pattern is bisected, all intervals of a round in one batch, until it is shorter than
    /// <paramref name="tolerance"/>, keeping the halves whose ends differ. This is exact, not just dense: the
    /// inputs with one pattern form a convex set (each unit's pre-activation is affine on the set of inputs that
    /// share the earlier layers' pattern), so an interval whose ends share a pattern lies in one region and
    /// dropping it loses nothing, while every boundary is bracketed down to the tolerance. Regions shorter than
    /// the tolerance can merge into one transition; <paramref name="points"/> only sets the first round's
    /// parallelism.</remarks>
    public static SegmentRegions AlongSegment(
        Module model, Tensor a, Tensor b, int points = 256, double tolerance = 1e-6, int batchSize = 1000, Func<Module, bool>? isCodeLayer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSamples("LinearRegions.AlongSegment", a, b);
        if (points < 2) throw new ArgumentException($"LinearRegions.AlongSegment: needs at least 2 points; got {points}");
        if (!(tolerance > 0 && tolerance < 1)) throw new ArgumentException($"LinearRegions.AlongSegment: the tolerance must be in (0, 1); got {tolerance}");
        if (batchSize < 1) throw new ArgumentException($"LinearRegions.AlongSegment: batch size must be positive; got {batchSize}");
        var patterns = new PatternIds();
        var evaluations = 0;
        int[] Evaluate(double[] t)
        {
            evaluations += t.Length;
            var coefficients = new double[t.Length, 1];
            for (var i = 0; i < t.Length; i++) coefficients[i, 0] = t[i];
            return patterns.Of(model, AffinePoints(a, [b], coefficients), batchSize, isCodeLayer);
        }

        var grid = Enumerable.Range(0, points).Select(i => (double)i / (points - 1)).ToArray();
        var gridIds = Evaluate(grid);
        var pending = new List<Bracket>();
        for (var i = 0; i + 1 < points; i++)
            if (gridIds[i] != gridIds[i + 1]) pending.Add(new Bracket(grid[i], gridIds[i], grid[i + 1], gridIds[i + 1]));
        var transitions = new List<double>();
        while (pending.Count > 0)
        {
            var open = new List<Bracket>();
            foreach (var bracket in pending)
            {
                if (bracket.T1 - bracket.T0 <= tolerance) transitions.Add((bracket.T0 + bracket.T1) / 2);
                else open.Add(bracket);
            }
            if (open.Count == 0) break;
            var mids = open.Select(o => (o.T0 + o.T1) / 2).ToArray();
            var midIds = Evaluate(mids);
            pending.Clear();
            for (var i = 0; i < open.Count; i++)
            {
                var (o, tm, idm) = (open[i], mids[i], midIds[i]);
                if (idm != o.Id0) pending.Add(o with { T1 = tm, Id1 = idm });
                if (idm != o.Id1) pending.Add(o with { T0 = tm, Id0 = idm });
            }
        }
        transitions.Sort();
        return new SegmentRegions(transitions.Count + 1, patterns.Count, [.. transitions], evaluations);
    }

    /// <summary>Region ids on a <paramref name="resolution"/> x <paramref name="resolution"/> grid over
    /// [<paramref name="min"/>, <paramref name="max"/>]² of the plane through <paramref name="a"/>,
    /// <paramref name="b"/> and <paramref name="c"/> (single samples, without the batch dim).</summary>
    public static PlaneRegions OnPlane(
        Module model, Tensor a, Tensor b, Tensor c, int resolution = 200, double min = -0.25, double max = 1.25, int batchSize = 1000,
        Func<Module, bool>? isCodeLayer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSamples("LinearRegions.OnPlane", a, b, c);
        if (resolution < 2) throw new ArgumentException($"LinearRegions.OnPlane: the resolution must be at least 2; got {resolution}");
        if (!(min < max) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"LinearRegions.OnPlane: needs finite min < max; got [{min}, {max}]");
        if (batchSize < 1) throw new ArgumentException($"LinearRegions.OnPlane: batch size must be positive; got {batchSize}");
        var coordinates = Enumerable.Range(0, resolution).Select(i => min + (max - min) * i / (resolution - 1)).ToArray();
        var patterns = new PatternIds();
        var ids = new int[resolution, resolution];
        var total = resolution * resolution;
        // A chunk of grid points at a time, so the inputs of a fine grid of large samples never exist all at once.
        for (var start = 0; start < total; start += batchSize)
        {
            var count = Math.Min(batchSize, total - start);
            var coefficients = new double[count, 2];
            for (var k = 0; k < count; k++)
            {
                var (v, u) = Math.DivRem(start + k, resolution);
                coefficients[k, 0] = coordinates[u];
                coefficients[k, 1] = coordinates[v];
            }
            var chunk = patterns.Of(model, AffinePoints(a, [b, c], coefficients), batchSize, isCodeLayer);
            for (var k = 0; k < count; k++)
            {
                var (v, u) = Math.DivRem(start + k, resolution);
                ids[v, u] = chunk[k];
            }
        }
        return new PlaneRegions(coordinates, ids, patterns.Count);
    }

    private readonly record struct Bracket(double T0, int Id0, double T1, int Id1);

    private static void CheckSamples(string op, Tensor a, params Tensor[] others)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.DType.IsFloatingPoint()) throw new ArgumentException($"{op}: inputs must be floating-point; got {a.DType}");
        if (a.Numel == 0) throw new ArgumentException($"{op}: inputs must not be empty; got shape {Shape.Format(a.Shape)}");
        foreach (var o in others)
        {
            ArgumentNullException.ThrowIfNull(o);
            if (!o.Shape.SequenceEqual(a.Shape) || o.DType != a.DType || o.Device != a.Device)
                throw new ArgumentException(
                    $"{op}: the inputs must have one shape, dtype and device (single samples, no batch dim); got {Shape.Format(a.Shape)} {a.DType} {a.Device} and {Shape.Format(o.Shape)} {o.DType} {o.Device}");
        }
    }

    /// <summary>The batch [n, ...sample shape] of origin + Σ_k coefficients[i, k] (ends[k] - origin), computed in
    /// float64 so that close bisection points stay distinct before the cast to the inputs' dtype.</summary>
    private static Tensor AffinePoints(Tensor origin, Tensor[] ends, double[,] coefficients)
    {
        using var noGrad = Autograd.NoGrad();
        var n = coefficients.GetLength(0);
        var o = origin.Detach().To(DType.Float64).Reshape(1, origin.Numel);
        var directions = Tensor.Cat([.. ends.Select(e => e.Detach().To(DType.Float64).Reshape(1, origin.Numel) - o)]);
        var c = Tensor.FromArray(coefficients.Cast<double>().ToArray(), n, ends.Length).To(origin.Device);
        var points = o + c.Matmul(directions);
        return points.To(origin.DType).Reshape([n, .. origin.Shape]);
    }

    /// <summary>Dense ids for activation patterns, in order of first appearance.</summary>
    private sealed class PatternIds
    {
        private readonly Dictionary<ulong[], int> ids = new(new WordsComparer());

        public int Count => ids.Count;

        public int[] Of(Module model, Tensor inputs, int batchSize, Func<Module, bool>? isCodeLayer)
        {
            var codes = ActivationCodes.Collect(model, inputs, batchSize, isCodeLayer).Codes;
            var result = new int[codes.Rows];
            for (var i = 0; i < codes.Rows; i++)
            {
                var key = codes.Row(i).ToArray();
                if (!ids.TryGetValue(key, out var id)) ids.Add(key, id = ids.Count);
                result[i] = id;
            }
            return result;
        }

        private sealed class WordsComparer : IEqualityComparer<ulong[]>
        {
            public bool Equals(ulong[]? x, ulong[]? y) => x.AsSpan().SequenceEqual(y);

            public int GetHashCode(ulong[] words)
            {
                var hash = new HashCode();
                hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words.AsSpan()));
                return hash.ToHashCode();
            }
        }
    }
}
