using System.Numerics;
using Engine.Backends.Cpu;

namespace Engine.Lab.Analysis;

/// <summary>A K-Means clustering: each row's cluster, the centroids [k, bits], the Lloyd iterations run (assignment
/// steps) and the inertia (sum of squared Euclidean distances of the rows to their centroids).</summary>
public sealed record KMeansResult(int[] Assignments, double[,] Centroids, int Iterations, double Inertia);

/// <summary>How well the codes separate the classes (He et al. 2021, section 4): K-Means clusters mapped to labels,
/// K-NN with Hamming distance, and logistic regression, all on the packed codes.</summary>
public static partial class CodeCategorization
{
    /// <summary>Lloyd's K-Means on the codes as 0/1 vectors (Euclidean), k-means++ initialisation drawn from
    /// <paramref name="seed"/>; of <paramref name="restarts"/> runs the one with the lowest inertia is kept. A cluster
    /// left empty takes the row farthest from its centroid. Deterministic for a given seed.</summary>
    public static KMeansResult KMeans(CodeMatrix codes, int k, ulong seed, int maxIterations = 300, int restarts = 1)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (k < 1 || k > codes.Rows)
            throw new ArgumentException($"CodeCategorization.KMeans: k must lie in [1, rows = {codes.Rows}]; got {k}");
        if (maxIterations < 1 || restarts < 1)
            throw new ArgumentException($"CodeCategorization.KMeans: maxIterations and restarts must be positive; got {maxIterations} and {restarts}");
        var generator = new Generator(seed);
        KMeansResult? best = null;
        for (var r = 0; r < restarts; r++)
        {
            var result = Lloyd(codes, PlusPlusCenters(codes, k, generator), maxIterations);
            if (best is null || result.Inertia < best.Inertia) best = result;
        }
        return best!;
    }

    /// <summary>k-means++ (Arthur and Vassilvitskii 2007): the first center uniformly, each next one with probability
    /// proportional to the squared distance to the nearest chosen center, which for 0/1 rows is the Hamming
    /// distance (exact integers).</summary>
    private static int[] PlusPlusCenters(CodeMatrix codes, int k, Generator generator)
    {
        var centers = new int[k];
        centers[0] = generator.NextInt(codes.Rows);
        var nearest = new long[codes.Rows];
        for (var i = 0; i < codes.Rows; i++) nearest[i] = Hamming(codes.Row(i), codes.Row(centers[0]));
        for (var c = 1; c < k; c++)
        {
            var total = nearest.Sum();
            // All rows already coincide with a center: any row is as good as another.
            var next = total == 0 ? generator.NextInt(codes.Rows) : Sample(nearest, generator.NextDouble() * total);
            centers[c] = next;
            for (var i = 0; i < codes.Rows; i++) nearest[i] = Math.Min(nearest[i], Hamming(codes.Row(i), codes.Row(next)));
        }
        return centers;
    }

    /// <summary>The first index whose running sum of weights exceeds <paramref name="target"/>.</summary>
    private static int Sample(long[] weights, double target)
    {
        double sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            if (weights[i] > 0 && sum > target) return i;
        }
        return Array.FindLastIndex(weights, w => w > 0);
    }

    private static KMeansResult Lloyd(CodeMatrix codes, int[] centerRows, int maxIterations)
    {
        var (rows, bits, k) = (codes.Rows, codes.Bits, centerRows.Length);
        // Centroids stored bit-major ([bits, k]) so a row's dot products with all centroids add one contiguous
        // k-vector per set bit.
        var centroids = new double[bits * k];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < bits; j++)
                centroids[j * k + c] = codes[centerRows[c], j] ? 1 : 0;
        var assignments = new int[rows];
        var distances = new double[rows];
        var previous = new int[rows];
        var iterations = 1;
        for (; ; iterations++)
        {
            Array.Copy(assignments, previous, rows);
            Assign(codes, centroids, k, assignments, distances);
            if (iterations == maxIterations || (iterations > 1 && assignments.AsSpan().SequenceEqual(previous))) break;
            UpdateCentroids(codes, centroids, k, assignments, distances);
        }
        var result = new double[k, bits];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < bits; j++)
                result[c, j] = centroids[j * k + c];
        return new KMeansResult(assignments, result, iterations, distances.Sum());
    }

    /// <summary>Nearest centroid of each row (lowest index on ties), with ||x - c||^2 = |x| - 2 x.c + ||c||^2.</summary>
    private static void Assign(CodeMatrix codes, double[] centroids, int k, int[] assignments, double[] distances)
    {
        var norms = new double[k];
        for (var i = 0; i < centroids.Length; i++) norms[i % k] += centroids[i] * centroids[i];
        CpuParallel.For(codes.Rows, (long)codes.Bits * k, (start, end) =>
        {
            var dots = new double[k];
            for (var i = start; i < end; i++)
            {
                Array.Clear(dots);
                var row = codes.Row(i);
                for (var w = 0; w < row.Length; w++)
                    for (var word = row[w]; word != 0; word &= word - 1)
                    {
                        var offset = (w * 64 + BitOperations.TrailingZeroCount(word)) * k;
                        for (var c = 0; c < k; c++) dots[c] += centroids[offset + c];
                    }
                var ones = codes.PopCount(i);
                var (best, bestDistance) = (0, double.PositiveInfinity);
                for (var c = 0; c < k; c++)
                {
                    var d = Math.Max(0, ones - 2 * dots[c] + norms[c]);
                    if (d < bestDistance) (best, bestDistance) = (c, d);
                }
                assignments[i] = best;
                distances[i] = bestDistance;
            }
        });
    }

    /// <summary>Centroids become the means of their rows (integer bit counts, so exact and order-independent); an
    /// empty cluster takes the row farthest from its centroid that no other empty cluster took.</summary>
    private static void UpdateCentroids(CodeMatrix codes, double[] centroids, int k, int[] assignments, double[] distances)
    {
        var bits = codes.Bits;
        var ones = new long[bits * k];
        var sizes = new long[k];
        for (var i = 0; i < codes.Rows; i++)
        {
            var c = assignments[i];
            sizes[c]++;
            var row = codes.Row(i);
            for (var w = 0; w < row.Length; w++)
                for (var word = row[w]; word != 0; word &= word - 1)
                    ones[(w * 64 + BitOperations.TrailingZeroCount(word)) * k + c]++;
        }
        var taken = new HashSet<int>();
        for (var c = 0; c < k; c++)
        {
            if (sizes[c] > 0)
            {
                for (var j = 0; j < bits; j++) centroids[j * k + c] = ones[j * k + c] / (double)sizes[c];
                continue;
            }
            var far = -1;
            for (var i = 0; i < codes.Rows; i++)
                if (!taken.Contains(i) && (far < 0 || distances[i] > distances[far])) far = i;
            taken.Add(far);
            for (var j = 0; j < bits; j++) centroids[j * k + c] = codes[far, j] ? 1 : 0;
        }
    }

    /// <summary>Accuracy when each cluster is mapped to its majority label (the reference's mapping; several
    /// clusters may map to the same label).</summary>
    public static double ClusterAccuracyGreedy(int[] clusters, int[] labels, int k, int classes)
    {
        var counts = Contingency(clusters, labels, k, classes, "ClusterAccuracyGreedy");
        long correct = 0;
        for (var c = 0; c < k; c++)
        {
            long best = 0;
            for (var l = 0; l < classes; l++) best = Math.Max(best, counts[c, l]);
            correct += best;
        }
        return correct / (double)clusters.Length;
    }

    /// <summary>Accuracy under the best one-to-one mapping of clusters to labels (Hungarian algorithm; with k !=
    /// classes the surplus clusters or labels stay unmatched).</summary>
    public static double ClusterAccuracyHungarian(int[] clusters, int[] labels, int k, int classes)
    {
        var counts = Contingency(clusters, labels, k, classes, "ClusterAccuracyHungarian");
        var n = Math.Max(k, classes);
        var cost = new long[n, n];
        for (var c = 0; c < k; c++)
            for (var l = 0; l < classes; l++)
                cost[c, l] = -counts[c, l];
        var mapping = Hungarian.MinCostAssignment(cost);
        long correct = 0;
        for (var c = 0; c < k; c++) correct -= cost[c, mapping[c]];
        return correct / (double)clusters.Length;
    }

    private static long[,] Contingency(int[] clusters, int[] labels, int k, int classes, string op)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(labels);
        if (clusters.Length != labels.Length)
            throw new ArgumentException($"CodeCategorization.{op}: {clusters.Length} cluster ids but {labels.Length} labels; expected one per sample");
        if (clusters.Length == 0) throw new ArgumentException($"CodeCategorization.{op}: no samples");
        if (k < 1 || classes < 1) throw new ArgumentException($"CodeCategorization.{op}: k and classes must be positive; got {k} and {classes}");
        var counts = new long[k, classes];
        for (var i = 0; i < clusters.Length; i++)
        {
            if ((uint)clusters[i] >= (uint)k || (uint)labels[i] >= (uint)classes)
                throw new ArgumentException(
                    $"CodeCategorization.{op}: sample {i} has cluster {clusters[i]} and label {labels[i]}; expected cluster in [0, {k}) and label in [0, {classes})");
            counts[clusters[i], labels[i]]++;
        }
        return counts;
    }

    /// <summary>Fraction of predictions equal to the labels.</summary>
    public static double Accuracy(int[] predicted, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (predicted.Length != labels.Length)
            throw new ArgumentException($"CodeCategorization.Accuracy: {predicted.Length} predictions but {labels.Length} labels; expected the same number");
        if (predicted.Length == 0) throw new ArgumentException("CodeCategorization.Accuracy: no samples");
        var correct = 0;
        for (var i = 0; i < predicted.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return correct / (double)predicted.Length;
    }

    private static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        var d = 0;
        for (var w = 0; w < a.Length; w++) d += BitOperations.PopCount(a[w] ^ b[w]);
        return d;
    }
}
