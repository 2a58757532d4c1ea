using System.Collections.Concurrent;
using Engine.Data;
using Engine.Training;

namespace Engine.Lab.Convex;

/// <summary>A binary classification set prepared for the convex programs: float64 inputs [samples, features + 1]
/// whose last column is the constant 1 (the bias column, which perturbations never touch), and float64 labels in
/// {-1, +1} (also the regression targets of the squared loss).</summary>
public sealed record ConvexDataSet(string Name, Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY)
{
    /// <summary>Columns of X including the bias column.</summary>
    public int Features => TrainX.Size(1);

    public int TrainSamples => TrainX.Size(0);

    public int TestSamples => TestX.Size(0);

    /// <summary>The inputs without the bias column, as the recovered network (which has its own bias) takes them.</summary>
    public static Tensor WithoutBias(Tensor x) => x.Narrow(1, 0, x.Size(1) - 1);
}

/// <summary>The data sets of <c>engine convex</c>: breast-cancer (embedded), xor (generated), fashion-mnist-binary
/// (shirt vs T-shirt, PCA to 50 dims) and any two-class CSV file, all standardised with training statistics.</summary>
public static class ConvexData
{
    public static readonly string[] Names = ["breast-cancer", "xor", "fashion-mnist-binary"];

    /// <summary>Fashion-MNIST's T-shirt/top class (label -1) and shirt class (label +1): the most confused pair.</summary>
    public const int TShirtClass = 0, ShirtClass = 6;

    public const int FashionTrainSize = 2000, FashionComponents = 50;

    public const int XorTrainSize = 200, XorTestSize = 200;

    // Decoding Fashion-MNIST and fitting its PCA takes seconds; tests and sweeps load the same set repeatedly.
    private static readonly ConcurrentDictionary<string, Lazy<ConvexDataSet>> Cache = new();

    /// <summary>Loads a set by name (also any two-class embedded set) or CSV path (numeric features, integer class
    /// label 0/1 last, as <c>engine train</c> reads it). <paramref name="seed"/> picks the split (and xor's samples).</summary>
    /// <exception cref="ArgumentException">An unknown name, or a CSV file with other than two classes.</exception>
    public static ConvexDataSet Load(string source, ulong seed = 0, string? dataDir = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        return source switch
        {
            "xor" => Xor(XorTrainSize, XorTestSize, seed),
            "fashion-mnist-binary" => Cache.GetOrAdd($"{source}|{seed}|{dataDir}", _ => new(() => FashionMnistBinary(dataDir, seed))).Value,
            _ when EmbeddedDataSets.Names.Contains(source) || File.Exists(source) => FromTrainingData(TrainingData.Load(source, dataDir, seed)),
            _ => throw new ArgumentException($"ConvexData: unknown data set '{source}'; expected {string.Join(", ", Names)}, or the path of a CSV file"),
        };
    }

    /// <summary>A two-class <see cref="TrainingData"/> (stratified 80/20 split, standardised on its training part):
    /// class 0 becomes -1, class 1 becomes +1.</summary>
    public static ConvexDataSet FromTrainingData(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Classes != 2 || data.IsImage)
            throw new ArgumentException($"ConvexData: the convex programs are binary classifiers on feature vectors; {data.Name} has {data.Classes} classes and sample shape {Shape.Format(data.InputShape)}");
        return new ConvexDataSet(data.Name,
            AppendBias(data.Train.Features), SignedLabels(data.Train.Labels, 1),
            AppendBias(data.Test.Features), SignedLabels(data.Test.Labels, 1));
    }

    /// <summary>Four Gaussian clusters (std 0.35) at (+-1, +-1); label +1 where both coordinates have one sign (the
    /// XOR of their signs is false), -1 elsewhere. Standardised with the training part's statistics.</summary>
    public static ConvexDataSet Xor(int trainSize, int testSize, ulong seed)
    {
        if (trainSize < 4 || testSize < 1)
            throw new ArgumentOutOfRangeException(nameof(trainSize), $"ConvexData.Xor: needs at least 4 training and 1 test samples; got {trainSize} and {testSize}");
        var generator = new Generator(seed);
        (Tensor X, Tensor Y) Sample(int n)
        {
            var x = new double[n * 2];
            var y = new double[n];
            var noise = Tensor.Randn([n, 2], DType.Float64, generator).ToArray<double>();
            for (var i = 0; i < n; i++)
            {
                // Cycling through the four corners keeps the classes balanced for every n.
                double cx = (i & 1) == 0 ? 1 : -1, cy = (i & 2) == 0 ? 1 : -1;
                x[2 * i] = cx + 0.35 * noise[2 * i];
                x[2 * i + 1] = cy + 0.35 * noise[2 * i + 1];
                y[i] = cx * cy;
            }
            return (Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n));
        }
        var (trainX, trainY) = Sample(trainSize);
        var (testX, testY) = Sample(testSize);
        var scaler = Standardizer.Fit(trainX);
        return new ConvexDataSet("xor", AppendBias(scaler.Transform(trainX)), trainY, AppendBias(scaler.Transform(testX)), testY);
    }

    /// <summary>Shirt (+1) vs T-shirt/top (-1): a seeded random <paramref name="trainSize"/> of the 12,000 training
    /// images of the two classes, and all 2,000 test images of them; pixels in [0, 1], reduced by a PCA fitted on the
    /// training sample to <paramref name="components"/> dims, each standardised with training statistics.</summary>
    /// <exception cref="DataSetNotFoundException">Fashion-MNIST is not installed.</exception>
    public static ConvexDataSet FashionMnistBinary(string? dataDir, ulong seed, int trainSize = FashionTrainSize, int components = FashionComponents)
    {
        var split = FashionMnist.Load(dataDir);
        var train = TwoClasses(split.Train.Flattened());
        var test = TwoClasses(split.Test.Flattened());
        if (trainSize < 2 || trainSize > train.Samples)
            throw new ArgumentOutOfRangeException(nameof(trainSize), $"ConvexData.FashionMnistBinary: train size must be in 2..{train.Samples}; got {trainSize}");
        train = train.Take(Tensor.RandPerm(train.Samples, new Generator(seed)).Narrow(0, 0, trainSize));
        var pca = Pca.Fit(train.Features, components);
        var trainZ = pca.Transform(train.Features);
        var scaler = Standardizer.Fit(trainZ);
        return new ConvexDataSet("fashion-mnist-binary",
            AppendBias(scaler.Transform(trainZ)), SignedLabels(train.Labels, ShirtClass),
            AppendBias(scaler.Transform(pca.Transform(test.Features))), SignedLabels(test.Labels, ShirtClass));
    }

    /// <summary>[x, 1]: float64 with a constant last column, so the programs' weights carry the bias.</summary>
    public static Tensor AppendBias(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
            throw new ArgumentException($"ConvexData.AppendBias: needs features [samples, features]; got {Shape.Format(x.Shape)}");
        using var _ = Autograd.NoGrad();
        return Tensor.Cat([x.To(DType.Float64), Tensor.Ones([x.Size(0), 1], DType.Float64)], 1);
    }

    private static LabeledTable TwoClasses(LabeledTable table)
    {
        var labels = table.Labels.ToArray<long>();
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] is TShirtClass or ShirtClass).Select(i => (long)i).ToArray();
        return table.Take(Tensor.FromArray(keep, keep.Length));
    }

    private static Tensor SignedLabels(Tensor labels, long positiveClass)
        => Tensor.FromArray(labels.ToArray<long>().Select(l => l == positiveClass ? 1.0 : -1.0).ToArray(), labels.Size(0));
}
