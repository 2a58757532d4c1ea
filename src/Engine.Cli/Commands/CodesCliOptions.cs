using System.CommandLine;
using System.Globalization;
using Engine.Lab.Experiments;

namespace Engine.Cli.Commands;

/// <summary>The options shared by codes, codes-sweep and phase-chart: everything of a <see cref="CodesOptions"/>.</summary>
internal sealed class CodesCliOptions
{
    private static readonly CodesOptions Defaults = new();

    private readonly Option<string> data = new("--data") { Description = "fashion-mnist or digits", DefaultValueFactory = _ => Defaults.Data };
    private readonly Option<string?> dataDir = new("--data-dir") { Description = "Directory holding the Fashion-MNIST files (else $ENGINE_DATA, else the Debian package's)" };
    private readonly Option<int> width = new("--width") { Description = "Total hidden width, split across the hidden layers", DefaultValueFactory = _ => Defaults.Width };
    private readonly Option<int> depth = new("--depth") { Description = "Hidden layers", DefaultValueFactory = _ => Defaults.Depth };
    private readonly Option<int> epochs = new("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => Defaults.Epochs };
    private readonly Option<int?> trainSize = new("--train-size") { Description = "Train on the first N samples of the training part (default: all of it, the first 80% of the training split)" };
    private readonly Option<double> labelNoise = new("--label-noise") { Description = "Fraction of training labels flipped to another class", DefaultValueFactory = _ => 0 };
    private readonly Option<double> weightDecay = new("--weight-decay") { Description = "L2 weight decay of Adam", DefaultValueFactory = _ => Defaults.WeightDecay };
    private readonly Option<double> dropout = new("--dropout") { Description = "Dropout after each hidden ReLU", DefaultValueFactory = _ => 0 };
    private readonly Option<double> lr = new("--lr") { Description = "Adam learning rate (x0.1 every 20 epochs)", DefaultValueFactory = _ => Defaults.Lr };
    private readonly Option<int> batchSize = new("--batch-size") { Description = "Samples per step", DefaultValueFactory = _ => Defaults.BatchSize };
    private readonly Option<int?> testSize = new("--test-size") { Description = "Use the first N test samples (default: all)" };
    private readonly Option<int?> analysisSamples = new("--analysis-samples") { Description = "Training codes (seeded random subset) for logistic regression and K-Means on train; K-NN uses all", DefaultValueFactory = _ => Defaults.AnalysisSamples };
    private readonly Option<int> noiseSamples = new("--noise-samples") { Description = "Uniform-noise inputs for the control redundancy", DefaultValueFactory = _ => Defaults.NoiseSamples };
    private readonly Option<int> logregEpochs = new("--logreg-epochs") { Description = "Epochs of the logistic regression on the codes", DefaultValueFactory = _ => Defaults.LogregEpochs };
    private readonly Option<bool> logregOvo = new("--logreg-ovo") { Description = "Also fit the reference's one-vs-one logistic regression" };

    /// <summary>The options, minus those a command sets itself (a sweep's variable, the phase chart's grid).</summary>
    public IEnumerable<Option> All(params string[] except)
        => new Option[] { data, dataDir, width, depth, epochs, trainSize, labelNoise, weightDecay, dropout, lr, batchSize, testSize, analysisSamples, noiseSamples, logregEpochs, logregOvo }
            .Where(o => !except.Contains(o.Name));

    public CodesOptions Read(ParseResult parse, ulong seed) => new()
    {
        Data = parse.GetValue(data)!,
        DataDir = parse.GetValue(dataDir),
        Width = parse.GetValue(width),
        Depth = parse.GetValue(depth),
        Epochs = parse.GetValue(epochs),
        TrainSize = parse.GetValue(trainSize),
        LabelNoise = parse.GetValue(labelNoise),
        WeightDecay = parse.GetValue(weightDecay),
        Dropout = parse.GetValue(dropout),
        Lr = parse.GetValue(lr),
        BatchSize = parse.GetValue(batchSize),
        TestSize = parse.GetValue(testSize),
        AnalysisSamples = parse.GetValue(analysisSamples),
        NoiseSamples = parse.GetValue(noiseSamples),
        LogregEpochs = parse.GetValue(logregEpochs),
        LogregOneVsOne = parse.GetValue(logregOvo),
        Seed = seed,
    };

    /// <summary>A comma-separated list, e.g. "3,5,10" or "1e-6,1e-4".</summary>
    public static T[] ParseList<T>(string text, string option)
        where T : IParsable<T>
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0) throw new ArgumentException($"{option}: give a comma-separated list; got '{text}'");
        return items.Select(s => T.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"{option}: '{s}' is not a {typeof(T).Name}")).ToArray();
    }

    public static string DefaultRunDirectory(string name) => Path.Combine("runs", name + "-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
}

/// <summary>Ctrl+C requests cancellation instead of killing the process, so finished results are kept.</summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource source = new();

    public CtrlC() => Console.CancelKeyPress += OnCancel;

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        source.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        source.Cancel();
    }
}
