namespace Engine.Data;

/// <summary>Seeded synthetic classification data: Float32 features, Int64 labels, the same table for the same
/// arguments on every run. Classes get samples / classes samples each (the first classes one more when it does not
/// divide), and rows come in a random order, unless a generator says otherwise.</summary>
public static partial class SyntheticData
{
    /// <summary>Isotropic Gaussian blobs around <paramref name="classes"/> centers drawn uniformly in
    /// [-centerBox, centerBox]^features (scikit-learn's make_blobs).</summary>
    public static LabeledTable Blobs(int samples, int classes = 3, int features = 2, double std = 1.0, double centerBox = 10.0, ulong seed = 0)
    {
        CheckPositive(classes, nameof(classes), "Blobs");
        CheckPositive(features, nameof(features), "Blobs");
        var gen = new Generator(seed);
        var centers = Tensor.Rand([classes, features], DType.Float64, gen) * (2 * centerBox) - centerBox;
        return BlobsFrom(samples, centers, std, gen);
    }

    /// <summary>Isotropic Gaussian blobs (standard deviation <paramref name="std"/>) around given centers
    /// [classes, features]; class c is the blob around row c.</summary>
    public static LabeledTable Blobs(int samples, Tensor centers, double std = 1.0, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(centers);
        if (centers.Rank != 2 || centers.Size(0) == 0 || centers.Size(1) == 0)
            throw new ArgumentException($"Blobs: centers must be [classes, features]; got {Shape.Format(centers.Shape)}");
        return BlobsFrom(samples, centers, std, new Generator(seed));
    }

    /// <summary>Two interleaving half circles (scikit-learn's make_moons): class 0 on the upper arc (cos t, sin t),
    /// class 1 on the lower arc (1 - cos t, 1/2 - sin t), t evenly spaced on [0, pi], plus Gaussian noise of
    /// standard deviation <paramref name="noise"/> on both coordinates.</summary>
    public static LabeledTable Moons(int samples, double noise = 0.0, ulong seed = 0)
    {
        CheckSamples(samples, "Moons");
        CheckNonNegative(noise, nameof(noise), "Moons");
        var gen = new Generator(seed);
        var counts = ClassCounts(samples, 2, "Moons");
        var x = new float[samples * 2];
        var y = new long[samples];
        var eps = Tensor.Randn([samples, 2], DType.Float64, gen).ToArray<double>();
        var row = 0;
        for (var c = 0; c < 2; c++)
        {
            for (var i = 0; i < counts[c]; i++, row++)
            {
                var t = counts[c] == 1 ? 0 : Math.PI * i / (counts[c] - 1);
                var (px, py) = c == 0 ? (Math.Cos(t), Math.Sin(t)) : (1 - Math.Cos(t), 0.5 - Math.Sin(t));
                x[2 * row] = (float)(px + noise * eps[2 * row]);
                x[2 * row + 1] = (float)(py + noise * eps[2 * row + 1]);
                y[row] = c;
            }
        }
        return Shuffled("moons", x, [2], y, LabeledTable.NumberedClasses(2), gen).Table;
    }

    /// <summary>Interleaved spiral arms in the plane, one per class: the i-th of n points of class c sits at radius
    /// r = (i + 1) / n and angle 2 pi (turns * r + c / classes), plus Gaussian noise of standard deviation
    /// <paramref name="noise"/> on both coordinates.</summary>
    public static LabeledTable Spirals(int samples, int classes = 2, double turns = 1.0, double noise = 0.0, ulong seed = 0)
    {
        CheckSamples(samples, "Spirals");
        CheckPositive(classes, nameof(classes), "Spirals");
        CheckNonNegative(noise, nameof(noise), "Spirals");
        if (!(turns > 0)) throw new ArgumentOutOfRangeException(nameof(turns), $"Spirals: turns must be positive; got {turns}");
        var gen = new Generator(seed);
        var counts = ClassCounts(samples, classes, "Spirals");
        var x = new float[samples * 2];
        var y = new long[samples];
        var eps = Tensor.Randn([samples, 2], DType.Float64, gen).ToArray<double>();
        var row = 0;
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < counts[c]; i++, row++)
            {
                var r = (i + 1.0) / counts[c];
                var angle = 2 * Math.PI * (turns * r + (double)c / classes);
                x[2 * row] = (float)(r * Math.Cos(angle) + noise * eps[2 * row]);
                x[2 * row + 1] = (float)(r * Math.Sin(angle) + noise * eps[2 * row + 1]);
                y[row] = c;
            }
        }
        return Shuffled("spirals", x, [2], y, LabeledTable.NumberedClasses(classes), gen).Table;
    }

    /// <summary>The XOR problem in <paramref name="dims"/> dimensions: four equal Gaussian clusters (standard
    /// deviation <paramref name="std"/> in every coordinate) centred at (±scale, ±scale, 0, ..., 0). A sample's
    /// clean label is the XOR of the signs of its cluster centre's first two coordinates (1 when they differ);
    /// then exactly round(flipRate * samples) labels, chosen uniformly at random, are flipped.</summary>
    public static LabeledTable XorClusters(int samples, int dims = 2, double scale = 1.0, double std = 0.5, double flipRate = 0.0, ulong seed = 0)
        => XorClustersWithCleanLabels(samples, dims, scale, std, flipRate, seed).Table;

    /// <summary><see cref="XorClusters"/> together with the labels before flipping (Int64, in the table's row
    /// order), so a study of label noise can tell the flipped samples (CleanLabels != Table.Labels).</summary>
    public static (LabeledTable Table, Tensor CleanLabels) XorClustersWithCleanLabels(
        int samples, int dims = 2, double scale = 1.0, double std = 0.5, double flipRate = 0.0, ulong seed = 0)
    {
        CheckSamples(samples, "XorClusters");
        if (dims < 2) throw new ArgumentOutOfRangeException(nameof(dims), $"XorClusters: needs at least 2 dims; got {dims}");
        CheckNonNegative(std, nameof(std), "XorClusters");
        if (!(flipRate >= 0 && flipRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(flipRate), $"XorClusters: flipRate must be in [0, 1]; got {flipRate}");
        var gen = new Generator(seed);
        var counts = ClassCounts(samples, 4, "XorClusters");
        var x = Tensor.Randn([samples, dims], DType.Float64, gen).ToArray<double>();
        var features = new float[samples * dims];
        var clean = new long[samples];
        var row = 0;
        for (var cluster = 0; cluster < 4; cluster++)
        {
            var s0 = (cluster & 1) == 0 ? 1 : -1;
            var s1 = (cluster & 2) == 0 ? 1 : -1;
            for (var i = 0; i < counts[cluster]; i++, row++)
            {
                for (var j = 0; j < dims; j++)
                {
                    var center = j == 0 ? s0 * scale : j == 1 ? s1 * scale : 0;
                    features[row * dims + j] = (float)(center + std * x[row * dims + j]);
                }
                clean[row] = s0 != s1 ? 1 : 0;
            }
        }
        var labels = (long[])clean.Clone();
        var flips = (int)Math.Round(flipRate * samples);
        foreach (var i in Tensor.RandPerm(samples, gen).Narrow(0, 0, flips).ToArray<long>())
            labels[i] = 1 - labels[i];
        var (table, order) = Shuffled("xor-clusters", features, [dims], labels, LabeledTable.NumberedClasses(2), gen);
        return (table, Tensor.Wrap(clean).IndexSelect(0, order));
    }

    /// <summary>Sparse parity: uniformly random <paramref name="bits"/>-bit inputs with values in {-1, 1}
    /// (<paramref name="signed"/>) or {0, 1}, labelled by the parity of the first <paramref name="k"/> bits (1 when
    /// an odd number of them are set, +1 counting as set).</summary>
    public static LabeledTable Parity(int samples, int bits, int k, bool signed = true, ulong seed = 0)
    {
        if (k < 1 || k > bits) throw new ArgumentOutOfRangeException(nameof(k), $"Parity: k must be in [1, {bits}]; got {k}");
        return Parity(samples, bits, Enumerable.Range(0, k).ToArray(), signed, seed);
    }

    /// <summary>Sparse parity over the given bit positions (see the overload with k).</summary>
    public static LabeledTable Parity(int samples, int bits, int[] relevantBits, bool signed = true, ulong seed = 0)
    {
        CheckSamples(samples, "Parity");
        CheckPositive(bits, nameof(bits), "Parity");
        ArgumentNullException.ThrowIfNull(relevantBits);
        if (relevantBits.Length == 0 || relevantBits.Distinct().Count() != relevantBits.Length || relevantBits.Any(b => b < 0 || b >= bits))
            throw new ArgumentException($"Parity: relevantBits must be distinct positions in [0, {bits}); got [{string.Join(", ", relevantBits)}]");
        var values = Tensor.RandInt(0, 2, [samples, bits], DType.Int64, new Generator(seed)).ToArray<long>();
        var labels = new long[samples];
        var x = new float[samples * bits];
        for (var i = 0; i < samples; i++)
        {
            foreach (var b in relevantBits) labels[i] ^= values[i * bits + b];
            for (var j = 0; j < bits; j++) x[i * bits + j] = signed ? 2 * values[i * bits + j] - 1 : values[i * bits + j];
        }
        return new LabeledTable("parity", Tensor.Wrap(x, samples, bits), Tensor.Wrap(labels), LabeledTable.NumberedClasses(2));
    }

    private static LabeledTable BlobsFrom(int samples, Tensor centers, double std, Generator gen)
    {
        CheckSamples(samples, "Blobs");
        CheckNonNegative(std, nameof(std), "Blobs");
        var (classes, features) = (centers.Size(0), centers.Size(1));
        var c = centers.ToArray<double>();
        var counts = ClassCounts(samples, classes, "Blobs");
        var eps = Tensor.Randn([samples, features], DType.Float64, gen).ToArray<double>();
        var x = new float[samples * features];
        var y = new long[samples];
        var row = 0;
        for (var k = 0; k < classes; k++)
        {
            for (var i = 0; i < counts[k]; i++, row++)
            {
                for (var j = 0; j < features; j++)
                    x[row * features + j] = (float)(c[k * features + j] + std * eps[row * features + j]);
                y[row] = k;
            }
        }
        return Shuffled("blobs", x, [features], y, LabeledTable.NumberedClasses(classes), gen).Table;
    }

    /// <summary>A table of the rows in a random order, and that order (Int64: row i is generated row order[i]).</summary>
    private static (LabeledTable Table, Tensor Order) Shuffled(string name, float[] x, int[] featureShape, long[] y, string[] classNames, Generator gen)
    {
        var order = Tensor.RandPerm(y.Length, gen);
        var features = Tensor.Wrap(x, [y.Length, .. featureShape]).IndexSelect(0, order);
        return (new LabeledTable(name, features, Tensor.Wrap(y).IndexSelect(0, order), classNames), order);
    }

    /// <summary>samples / classes per class, the first samples % classes classes one more.</summary>
    private static int[] ClassCounts(int samples, int classes, string op)
    {
        if (samples < classes)
            throw new ArgumentOutOfRangeException(nameof(samples), $"{op}: needs at least one sample per class ({classes}); got {samples} samples");
        return Enumerable.Range(0, classes).Select(c => samples / classes + (c < samples % classes ? 1 : 0)).ToArray();
    }

    private static void CheckSamples(int samples, string op)
    {
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), $"{op}: samples must be positive; got {samples}");
    }

    private static void CheckPositive(int value, string name, string op)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, $"{op}: {name} must be positive; got {value}");
    }

    private static void CheckNonNegative(double value, string name, string op)
    {
        if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, $"{op}: {name} must be non-negative; got {value}");
    }
}
