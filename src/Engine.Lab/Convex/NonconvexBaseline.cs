using System.Diagnostics;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Convex;

/// <summary>The first-order optimiser of the nonconvex baseline.</summary>
public enum BaselineOptimizer
{
    Adam,

    /// <summary>SGD with heavy-ball momentum <see cref="BaselineOptions.Momentum"/>.</summary>
    Sgd,
}

/// <summary>Settings of <see cref="NonconvexBaseline.Train"/>: <paramref name="Hidden"/> ReLU units, full-batch steps
/// of <paramref name="Optimizer"/> at a constant <paramref name="LearningRate"/>, at most
/// <paramref name="MaxIterations"/> steps or <paramref name="TimeBudget"/>; <paramref name="Seed"/> draws PyTorch's
/// default initialisation. With <paramref name="KeepBest"/> the result is the lowest-objective network met along the
/// way rather than the last one: at a constant learning rate the path is spiky, and a warm start should not begin on a
/// spike.</summary>
public sealed record BaselineOptions(
    int Hidden, BaselineOptimizer Optimizer = BaselineOptimizer.Adam, double LearningRate = 1e-2, int MaxIterations = 2000,
    TimeSpan? TimeBudget = null, ulong Seed = 0, double Momentum = 0.9, bool KeepBest = false);

/// <summary>A trained baseline: the network, one <see cref="SolverStep"/> per step (the objective before the step,
/// DualResidual = the gradient's norm, the residuals of constrained solvers 0), and the objective at the end.</summary>
public sealed record BaselineResult(Sequential Network, IReadOnlyList<SolverStep> History, int Iterations, double Seconds, double Objective);

/// <summary>The nonconvex problem the convex programs solve globally: Linear(d -> m, no bias) -> ReLU -> Linear(m -> 1,
/// no bias), float64, trained on loss(f(X), y) + beta/2 (||W1||_F^2 + ||w2||^2) with the loss normalised as in
/// <see cref="ConvexLosses"/>. X carries its own bias column when one is wanted, exactly as in the convex program, so
/// both have the same function class and the convex optimum bounds this objective from below for every m.</summary>
public static class NonconvexBaseline
{
    public static BaselineResult Train(
        Tensor x, Tensor y, double beta, ConvexLoss loss, BaselineOptions options, IProgress<SolverStep>? progress = null, CancellationToken ct = default)
    {
        const string op = "NonconvexBaseline.Train";
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        if (x.Rank != 2 || y.Rank != 1 || y.Shape[0] != x.Shape[0] || x.DType != DType.Float64 || y.DType != DType.Float64)
            throw new ArgumentException($"{op}: expected float64 X [n, d] and y [n]; got X {Shape.Format(x.Shape)} {x.DType} and y {Shape.Format(y.Shape)} {y.DType}");
        if (!(beta >= 0)) throw new ArgumentException($"{op}: beta must be non-negative; got {beta}");
        if (options.Hidden < 1 || options.MaxIterations < 1 || !(options.LearningRate > 0))
            throw new ArgumentException($"{op}: expected Hidden >= 1, MaxIterations >= 1, LearningRate > 0; got {options.Hidden}, {options.MaxIterations}, {options.LearningRate}");

        var clock = Stopwatch.StartNew();
        var generator = new Generator(options.Seed);
        var network = new Sequential(
            new Linear(x.Shape[1], options.Hidden, bias: false, DType.Float64, generator: generator),
            new Relu(),
            new Linear(options.Hidden, 1, bias: false, DType.Float64, generator: generator));
        var parameters = network.Parameters().ToArray();
        Optimizer optimizer = options.Optimizer switch
        {
            BaselineOptimizer.Adam => new Adam(parameters, options.LearningRate),
            BaselineOptimizer.Sgd => new Sgd(parameters, options.LearningRate, momentum: options.Momentum),
            _ => throw new ArgumentException($"{op}: unknown optimizer {options.Optimizer}"),
        };
        var history = new List<SolverStep>();
        var iterations = 0;
        var (best, bestValue) = ((Dictionary<string, Tensor>?)null, double.PositiveInfinity);
        while (iterations < options.MaxIterations && !(options.TimeBudget is { } budget && clock.Elapsed >= budget))
        {
            ct.ThrowIfCancellationRequested();
            using var scope = TensorScope.Enter();
            var objective = Objective(network, x, y, beta, loss);
            optimizer.ZeroGrad();
            objective.Backward();
            var gradientNorm = Math.Sqrt(parameters.Sum(p => p.Grad!.Square().Sum().Item()));
            var value = objective.Item();
            if (!double.IsFinite(value))
                throw new InvalidOperationException($"{op}: the objective diverged ({value}) at step {iterations}; lower the learning rate {options.LearningRate}");
            if (options.KeepBest && value < bestValue) (best, bestValue) = (Snapshot(network, best), value);
            optimizer.Step();
            iterations++;
            var step = new SolverStep(iterations, clock.Elapsed.TotalSeconds, value, 0, gradientNorm, 0);
            history.Add(step);
            progress?.Report(step);
        }
        double final;
        using (Autograd.NoGrad()) final = Objective(network, x, y, beta, loss).Item();
        if (best is not null && bestValue < final)
        {
            network.LoadStateDict(best);
            final = bestValue;
        }
        if (best is not null) foreach (var t in best.Values) t.Dispose();
        return new BaselineResult(network, history, iterations, clock.Elapsed.TotalSeconds, final);
    }

    /// <summary>The network's parameters copied outside any scope, the previous snapshot freed.</summary>
    private static Dictionary<string, Tensor> Snapshot(Sequential network, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null) foreach (var t in previous.Values) t.Dispose();
        using (Autograd.NoGrad())
            return network.StateDict().ToDictionary(e => e.Key, e => TensorScope.Exempt(e.Value.Clone()));
    }

    /// <summary><see cref="Train"/> from <paramref name="initialisations"/> random starts, seeds options.Seed + i.</summary>
    public static IReadOnlyList<BaselineResult> TrainRestarts(
        Tensor x, Tensor y, double beta, ConvexLoss loss, BaselineOptions options, int initialisations, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (initialisations < 1) throw new ArgumentException($"NonconvexBaseline.TrainRestarts: initialisations must be at least 1; got {initialisations}");
        return [.. Enumerable.Range(0, initialisations).Select(i => Train(x, y, beta, loss, options with { Seed = options.Seed + (ulong)i }, null, ct))];
    }

    /// <summary>loss(f(X), y) + beta/2 (sum of the squared weights), differentiable.</summary>
    private static Tensor Objective(Sequential network, Tensor x, Tensor y, double beta, ConvexLoss loss)
    {
        var decay = network.Parameters().Select(p => p.Square().Sum()).Aggregate((a, b) => a + b);
        return ConvexLosses.Scalar(network.Forward(x).Reshape(-1), y, loss) + decay * (beta / 2);
    }
}
