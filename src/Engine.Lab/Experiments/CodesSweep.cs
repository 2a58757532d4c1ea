using System.Globalization;

namespace Engine.Lab.Experiments;

/// <summary>The variable a sweep varies (CLI names: width, depth, epochs, train-size, weight-decay, dropout,
/// label-noise).</summary>
public enum SweepVariable { Width, Depth, Epochs, TrainSize, WeightDecay, Dropout, LabelNoise }

/// <summary>A sweep of one variable over values x seeds, every other option from <see cref="Base"/>. An epochs sweep
/// trains once per seed for max(values) epochs and measures at each value (one cell per seed); the others run one
/// cell per (value, seed).</summary>
public sealed record CodesSweepOptions(CodesOptions Base, SweepVariable Vary, double[] Values, ulong[] Seeds)
{
    public static readonly string[] VariableNames = ["width", "depth", "epochs", "train-size", "weight-decay", "dropout", "label-noise"];

    public static SweepVariable ParseVariable(string name)
    {
        var i = Array.IndexOf(VariableNames, name);
        return i >= 0 ? (SweepVariable)i
            : throw new ArgumentException($"CodesSweep: unknown variable '{name}'; expected one of {string.Join(", ", VariableNames)}");
    }

    public static string Name(SweepVariable variable) => VariableNames[(int)variable];

    public IReadOnlyList<CodesCell> Cells()
    {
        ArgumentNullException.ThrowIfNull(Base);
        if (Values is not { Length: > 0 }) throw new ArgumentException("CodesSweep: give at least one value");
        if (Seeds is not { Length: > 0 }) throw new ArgumentException("CodesSweep: give at least one seed");
        if (Values.Distinct().Count() != Values.Length) throw new ArgumentException($"CodesSweep: the values {string.Join(", ", Values)} repeat");
        if (Seeds.Distinct().Count() != Seeds.Length) throw new ArgumentException($"CodesSweep: the seeds {string.Join(", ", Seeds)} repeat");
        var integral = Vary is SweepVariable.Width or SweepVariable.Depth or SweepVariable.Epochs or SweepVariable.TrainSize;
        foreach (var v in Values)
            if (integral && (v != Math.Floor(v) || v < 0 || v > int.MaxValue))
                throw new ArgumentException($"CodesSweep: {Name(Vary)} takes non-negative whole numbers; got {v.ToString(CultureInfo.InvariantCulture)}");
        var cells = new List<CodesCell>();
        if (Vary == SweepVariable.Epochs)
        {
            var epochs = Values.Select(v => (int)v).Order().ToArray();
            foreach (var seed in Seeds)
                cells.Add(Cell($"epochs_seed={seed}", Base with { Epochs = epochs[^1], Checkpoints = epochs, Seed = seed }));
            return cells;
        }
        foreach (var value in Values)
            foreach (var seed in Seeds)
                cells.Add(Cell($"{Name(Vary)}={Format(value)}_seed={seed}", With(value) with { Seed = seed }));
        return cells;
    }

    /// <summary>One row per (value, seed) of the finished cells: for an epochs sweep, each checkpoint is a row.</summary>
    public IReadOnlyList<SweepRow> Rows(IEnumerable<(CodesCell Cell, CodesResult Result)> finished)
        => finished.SelectMany(f => Vary == SweepVariable.Epochs
                ? f.Result.Checkpoints.Select(m => new SweepRow(m.Epoch, f.Result.Options.Seed, m))
                : [new SweepRow(ValueOf(f.Result.Options), f.Result.Options.Seed, f.Result.Final)])
            .OrderBy(r => r.Value).ThenBy(r => r.Seed).ToList();

    private CodesOptions With(double v) => Vary switch
    {
        SweepVariable.Width => Base with { Width = (int)v },
        SweepVariable.Depth => Base with { Depth = (int)v },
        SweepVariable.TrainSize => Base with { TrainSize = (int)v },
        SweepVariable.WeightDecay => Base with { WeightDecay = v },
        SweepVariable.Dropout => Base with { Dropout = v },
        SweepVariable.LabelNoise => Base with { LabelNoise = v },
        _ => throw new ArgumentException($"CodesSweep: {Name(Vary)} has no per-value cells"),
    };

    private double ValueOf(CodesOptions o) => Vary switch
    {
        SweepVariable.Width => o.Width,
        SweepVariable.Depth => o.Depth,
        SweepVariable.TrainSize => o.TrainSize ?? double.NaN,
        SweepVariable.WeightDecay => o.WeightDecay,
        SweepVariable.Dropout => o.Dropout,
        SweepVariable.LabelNoise => o.LabelNoise,
        _ => o.Epochs,
    };

    private static CodesCell Cell(string key, CodesOptions options)
    {
        options.Validate();
        return new CodesCell(key, options);
    }

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>One measured (value, seed) of a sweep.</summary>
public sealed record SweepRow(double Value, ulong Seed, CodesMeasurement Measurement);
