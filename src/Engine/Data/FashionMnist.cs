namespace Engine.Data;

/// <summary>Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; MIT licence): 28x28 grey images of clothing, 60,000 for
/// training and 10,000 for testing, 10 classes, read from its four gzip'd IDX files.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package dataset-fashion-mnist installs the files.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The environment variable naming a directory that holds the files.</summary>
    public const string EnvironmentVariable = "ENGINE_DATA";

    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The four files, by their published names (each also accepted without .gz, uncompressed).</summary>
    public static readonly string[] FileNames = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private const int Side = 28;

    /// <summary>Loads both splits: Features Float32 [N, 1, 28, 28] with pixel values / 255 in [0, 1], Labels Int64.
    /// The directory is <paramref name="dataDir"/> if given, else $ENGINE_DATA, else <see cref="SystemDirectory"/>
    /// (in each, the files may also sit in a fashion-mnist subdirectory).</summary>
    /// <exception cref="DataSetNotFoundException">The files are missing; the message says how to get them.</exception>
    public static TrainTestSplit Load(string? dataDir = null)
    {
        var dir = ResolveDirectory(dataDir, Environment.GetEnvironmentVariable(EnvironmentVariable));
        // The four files decompress independently; the two image files dominate the time.
        var train = Task.Run(() => LoadSplit(dir, "train"));
        var test = LoadSplit(dir, "t10k");
        return new TrainTestSplit(train.GetAwaiter().GetResult(), test);
    }

    /// <summary>The directory the files are read from: the first of dataDir, the environment variable's value and
    /// <see cref="SystemDirectory"/> that is given (dataDir and ENGINE_DATA are not skipped when they lack the
    /// files: naming a directory means using it).</summary>
    internal static string ResolveDirectory(string? dataDir, string? environmentValue)
    {
        var (dir, source) = !string.IsNullOrEmpty(dataDir) ? (dataDir, "the data directory given")
            : !string.IsNullOrEmpty(environmentValue) ? (environmentValue, $"${EnvironmentVariable}")
            : (SystemDirectory, "the system data directory");
        foreach (var candidate in new[] { dir, Path.Combine(dir, "fashion-mnist") })
            if (FileNames.All(f => Find(candidate, f) is not null))
                return candidate;
        throw NotFound(dir, source);
    }

    private static LabeledTable LoadSplit(string dir, string prefix)
    {
        var labels = Task.Run(() => IdxReader.Read(Find(dir, $"{prefix}-labels-idx1-ubyte.gz")!));
        var images = IdxReader.Read(Find(dir, $"{prefix}-images-idx3-ubyte.gz")!);
        var labelArray = labels.GetAwaiter().GetResult();
        if (images.ElementType != IdxElementType.UnsignedByte || images.Shape is not [var n, Side, Side])
            throw new InvalidDataException($"Fashion-MNIST: {prefix} images in {dir} have shape {Shape.Format(images.Shape)} of {images.ElementType}; expected (N,28,28) of UnsignedByte");
        if (labelArray.ElementType != IdxElementType.UnsignedByte || labelArray.Shape is not [var m] || m != n)
            throw new InvalidDataException($"Fashion-MNIST: {prefix} labels in {dir} have shape {Shape.Format(labelArray.Shape)} of {labelArray.ElementType}; expected ({n}) of UnsignedByte, one per image");
        foreach (var label in labelArray.Data)
            if (label >= ClassNames.Length)
                throw new InvalidDataException($"Fashion-MNIST: {prefix} labels in {dir} contain class {label}; expected 0..{ClassNames.Length - 1}");
        var features = images.ToTensor(DType.Float32, divisor: 255).Reshape(n, 1, Side, Side);
        var name = prefix == "train" ? "fashion-mnist/train" : "fashion-mnist/test";
        return new LabeledTable(name, features, labelArray.ToTensor(DType.Int64), ClassNames);
    }

    /// <summary>The file's path in dir, gzip'd or not, or null.</summary>
    private static string? Find(string dir, string gzName)
    {
        var gz = Path.Combine(dir, gzName);
        if (File.Exists(gz)) return gz;
        var raw = Path.Combine(dir, Path.GetFileNameWithoutExtension(gzName));
        return File.Exists(raw) ? raw : null;
    }

    private static DataSetNotFoundException NotFound(string dir, string source)
    {
        var problem = Directory.Exists(dir)
            ? $"lacks {string.Join(", ", FileNames.Where(f => Find(dir, f) is null))}"
            : "does not exist";
        return new DataSetNotFoundException(
            $"Fashion-MNIST not found: {source}, {dir}, {problem}. "
            + "To get it, run `apt-get install dataset-fashion-mnist` (Debian; installs the files in " + SystemDirectory + "), "
            + $"or download the four files {string.Join(", ", FileNames)} (https://github.com/zalandoresearch/fashion-mnist) "
            + $"into a directory and pass --data-dir DIR or set {EnvironmentVariable}=DIR.");
    }
}
