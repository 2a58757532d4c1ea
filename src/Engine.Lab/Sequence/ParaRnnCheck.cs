using System.Diagnostics;

namespace Engine.Lab.Sequence;

/// <summary>What <see cref="ParaRnnCheck.Run"/> evaluates: one cell on random inputs of one length.</summary>
public sealed record ParaRnnCheckOptions
{
    /// <summary>paragru, paralstm or gru-dense.</summary>
    public string Cell { get; init; } = "paragru";

    public int Length { get; init; } = 1024;

    public int Hidden { get; init; } = 16;

    /// <summary>Input features (default: the hidden size).</summary>
    public int? Input { get; init; }

    public int Batch { get; init; } = 2;

    /// <summary>Heads of ParaGRU/ParaLSTM's block-diagonal input weights.</summary>
    public int Heads { get; init; } = 2;

    public ParaRnnOptions Newton { get; init; } = new();

    public DType DType { get; init; } = DType.Float32;

    /// <summary>Also run the sequential loop: forward difference, BPTT gradient difference and sequential time.</summary>
    public bool Check { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Seconds of evaluations on a short sequence before timing. The JIT compiles hot methods again,
    /// optimised, after about 30 calls: the loop makes that many calls within its first steps, the Newton solver
    /// only after a few runs, so without a warm-up the parallel solver is timed in unoptimised code.</summary>
    public double WarmupSeconds { get; init; } = 1;

    public static readonly string[] Cells = ["paragru", "paralstm", "gru-dense"];

    public void Validate()
    {
        if (!Cells.Contains(Cell))
            throw new ArgumentException($"pararnn: unknown cell '{Cell}'; expected one of {string.Join(", ", Cells)}");
        if (Length < 1 || Hidden < 1 || Batch < 1 || Heads < 1 || Input is < 1)
            throw new ArgumentException($"pararnn: length, hidden, input, batch and heads must be positive; got length {Length}, hidden {Hidden}, input {Input}, batch {Batch}, heads {Heads}");
        if (!(WarmupSeconds >= 0))
            throw new ArgumentException($"pararnn: the warm-up must be a non-negative number of seconds; got {WarmupSeconds}");
        if (DType is not (DType.Float32 or DType.Float64))
            throw new ArgumentException($"pararnn: the dtype must be float32 or float64; got {DType}");
        Newton.Validate();
    }

    public ParaCell CreateCell()
    {
        var input = Input ?? Hidden;
        var generator = new Generator(Seed);
        return Cell switch
        {
            "paragru" => new ParaGru(input, Hidden, Heads, DType, generator: generator),
            "paralstm" => new ParaLstm(input, Hidden, Heads, DType, generator: generator),
            _ => new DenseGru(input, Hidden, DType, generator: generator),
        };
    }
}

/// <summary>The measurements of one check. Seconds are wall-clock of a forward evaluation without the graph, best of
/// <see cref="ParaRnnCheck.Repeats"/>; the differences are max |parallel - sequential| over states and over all
/// gradients (inputs and parameters) of a random linear loss, the relative one divided per gradient tensor by its
/// largest entry (parameter gradients are sums over all steps, so their absolute error grows with the length).</summary>
public sealed record ParaRnnCheckReport(
    string Cell,
    int Length,
    int Hidden,
    int Batch,
    string Dtype,
    int Threads,
    int NewtonIterations,
    double SecondsParallel,
    double? SecondsSequential,
    double? MaxAbsDiffForward,
    double? MaxAbsDiffGrad,
    double? MaxRelDiffGrad);

/// <summary>Parallel (Newton) against sequential evaluation of one cell: agreement and wall-clock.</summary>
public static class ParaRnnCheck
{
    public const int Repeats = 3;

    public static ParaRnnCheckReport Run(ParaRnnCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var cell = options.CreateCell();
        var x = Tensor.Randn([options.Batch, options.Length, cell.InputSize], options.DType, new Generator(options.Seed + 1));
        ParaRnnResult parallel;
        Tensor? sequential = null;
        double secondsParallel;
        double? secondsSequential = null;
        using (Autograd.NoGrad())
        {
            WarmUp(cell, x, options);
            (parallel, secondsParallel) = Best(() => ParaRnn.Parallel(cell, x, options: options.Newton));
            if (options.Check) (sequential, secondsSequential) = Best(() => ParaRnn.Sequential(cell, x));
        }
        if (sequential is null)
            return Report(options, parallel.Iterations, secondsParallel, null, null, (null, null));
        var forward = MaxAbsDiff(parallel.States, sequential);
        return Report(options, parallel.Iterations, secondsParallel, secondsSequential, forward, GradientDifference(cell, x, options));
    }

    /// <summary>Gradients of sum(w * states) for the input and every parameter, by the adjoint solve and by BPTT.</summary>
    private static (double? Absolute, double? Relative) GradientDifference(ParaCell cell, Tensor input, ParaRnnCheckOptions options)
    {
        var x = input.Detach().RequiresGrad_();
        var weights = Tensor.Randn([options.Batch, options.Length, cell.StateSize], options.DType, new Generator(options.Seed + 2));
        Tensor[] wrt = [x, .. cell.Parameters()];
        var parallel = Autograd.Grad([(ParaRnn.Parallel(cell, x, options: options.Newton).States * weights).Sum()], wrt);
        var sequential = Autograd.Grad([(ParaRnn.Sequential(cell, x) * weights).Sum()], wrt);
        var (absolute, relative) = (0.0, 0.0);
        for (var i = 0; i < wrt.Length; i++)
        {
            var diff = MaxAbsDiff(parallel[i]!, sequential[i]!);
            absolute = Math.Max(absolute, diff);
            relative = Math.Max(relative, diff / Math.Max(sequential[i]!.Abs().Max().Item(), double.Epsilon));
        }
        return (absolute, relative);
    }

    private static void WarmUp(ParaCell cell, Tensor x, ParaRnnCheckOptions options)
    {
        var shortInput = x.Narrow(1, 0, Math.Min(x.Size(1), 64));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < options.WarmupSeconds)
        {
            ParaRnn.Parallel(cell, shortInput, options: options.Newton);
            if (options.Check) ParaRnn.Sequential(cell, shortInput);
        }
    }

    private static ParaRnnCheckReport Report(ParaRnnCheckOptions o, int iterations, double parallel, double? sequential, double? forward, (double? Absolute, double? Relative) grad)
        => new(o.Cell, o.Length, o.Hidden, o.Batch, o.DType == DType.Float64 ? "float64" : "float32", Environment.ProcessorCount, iterations, parallel, sequential, forward, grad.Absolute, grad.Relative);

    private static (T Result, double Seconds) Best<T>(Func<T> run)
    {
        var best = double.PositiveInfinity;
        T result = default!;
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            result = run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return (result, best);
    }

    private static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).Abs().Max().Item();
}
