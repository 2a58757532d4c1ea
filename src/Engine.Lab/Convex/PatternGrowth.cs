using System.Diagnostics;
using Engine.Lab.Experiments;

namespace Engine.Lab.Convex;

/// <summary>Settings of <see cref="PatternGrowth.Solve"/>: at most <paramref name="Rounds"/> rounds of
/// <paramref name="IterationsPerRound"/> ADMM iterations each (fewer when ADMM converges), after each a
/// <see cref="PatternSearch"/> with <paramref name="SearchStarts"/> random starts (plus the current neurons) of
/// <paramref name="SearchSteps"/> steps, adding up to <paramref name="AddPerRound"/> new patterns whose value exceeds
/// beta (1 + <paramref name="Margin"/>); the whole run within <paramref name="TimeBudget"/>.</summary>
public sealed record PatternGrowthOptions(
    int Rounds = 10, int IterationsPerRound = 500, int AddPerRound = 20, int SearchStarts = 200, int SearchSteps = 20,
    double Margin = 1e-3, TimeSpan? TimeBudget = null, ulong Seed = 1)
{
    internal void Validate(string op)
    {
        if (Rounds < 1 || IterationsPerRound < 1 || AddPerRound < 1 || SearchStarts < 0 || SearchSteps < 0)
            throw new ArgumentException($"{op}: rounds, iterations per round and patterns per round must be >= 1, search starts and steps >= 0; got {Rounds}, {IterationsPerRound}, {AddPerRound}, {SearchStarts}, {SearchSteps}");
        if (!(Margin >= 0) || !double.IsFinite(Margin)) throw new ArgumentException($"{op}: Margin must be finite and >= 0; got {Margin}");
        if (TimeBudget is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"{op}: TimeBudget must be positive; got {t}");
    }
}

/// <summary>One round of <see cref="PatternGrowth.Solve"/>: the patterns solved over, the objective reached, the
/// largest dual value the search found relative to beta (at most 1 + margin: no pattern improves the program) and
/// the number of patterns added after the round.</summary>
public sealed record GrowthRound(int Round, double Seconds, int Patterns, double Objective, double DualRatio, int Added);

/// <summary>The result of <see cref="PatternGrowth.Solve"/>: the problem of the last ADMM round (its pattern set is the
/// grown one) and the solution on it, with every round's ADMM history concatenated (iterations and times counted from
/// the start of the run); the rounds; and whether the run ended because ADMM had converged and the search found no
/// improving pattern.</summary>
public sealed record PatternGrowthResult(ConvexProblem Problem, SolverResult Run, IReadOnlyList<GrowthRound> Rounds, bool Certified);

/// <summary>ADMM on a pattern set grown by column generation. A sampled program's optimum bounds the full program's
/// only from above, and random gates in tens of dimensions rarely give the patterns a trained network uses; so after
/// each round of ADMM the dual certificate of the full program is searched (<see cref="PatternSearch"/>) at the
/// round's point and the patterns of the most violating neurons are added. ADMM then continues from its state,
/// duals included (<see cref="AdmmState.Extend"/>; new blocks start at zero). The objective can only improve by
/// adding patterns (the old point stays feasible), and when ADMM has converged and the search finds nothing above
/// beta the point satisfies the full program's optimality conditions as far as the search can tell.</summary>
public static class PatternGrowth
{
    public static PatternGrowthResult Solve(
        Tensor x, Tensor y, double beta, ConvexLoss loss, PatternSet initial, SolverOptions admm, PatternGrowthOptions o,
        IProgress<SolverStep>? progress = null, IProgress<GrowthRound>? rounds = null, CancellationToken ct = default, AdmmState? start = null)
    {
        const string op = "PatternGrowth.Solve";
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(admm);
        ArgumentNullException.ThrowIfNull(o);
        admm.Validate(op);
        o.Validate(op);
        using var _ = Autograd.NoGrad();
        var clock = Stopwatch.StartNew();
        var problem = new ConvexProblem(x, y, initial, beta, loss);
        var state = start;
        var history = new List<SolverStep>();
        var log = new List<GrowthRound>();
        (ConvexProblem Problem, SolverResult Run)? last = null;
        var certified = false;
        for (var round = 1; round <= o.Rounds; round++)
        {
            var left = o.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
            if (ct.IsCancellationRequested || left is { } l && l <= TimeSpan.Zero) break;
            var (offset, before) = (clock.Elapsed.TotalSeconds, history.Count);
            var (run, next) = Admm.SolveFrom(problem, admm with { MaxIterations = o.IterationsPerRound, TimeBudget = left }, state,
                new InlineProgress<SolverStep>(s =>
                {
                    var shifted = s with { Iteration = before + s.Iteration, Seconds = offset + s.Seconds };
                    history.Add(shifted);
                    progress?.Report(shifted);
                }), ct);
            state = next;
            last = (problem, run);
            // theta = -l'(r) at the round's (projected, group-sparse) point; the current neurons are starts too.
            var theta = -ConvexLosses.Derivative(run.Solution.Predict(problem), y, loss);
            var found = PatternSearch.Search(x, theta, o.SearchStarts, o.SearchSteps, o.Seed + (ulong)round,
                Tensor.Cat([run.Solution.U, run.Solution.Z], 1));
            var improving = beta > 0 ? found.Values.TakeWhile(v => v > beta * (1 + o.Margin)).Count() : found.Values.Length;
            // FromGates keeps the old patterns first and in order, so the state's columns carry over.
            var grown = PatternSet.FromGates(x, Tensor.Cat([problem.Patterns.Gates, found.Gates.Narrow(1, 0, improving)], 1),
                problem.Patterns.Count + o.AddPerRound);
            var added = grown.Count - problem.Patterns.Count;
            var record = new GrowthRound(round, clock.Elapsed.TotalSeconds, problem.Patterns.Count, run.Solution.Objective(problem),
                beta > 0 ? found.Largest / beta : double.PositiveInfinity, round < o.Rounds ? added : 0);
            log.Add(record);
            rounds?.Report(record);
            if (added == 0 && run.Converged)
            {
                certified = true;
                break;
            }
            if (added == 0 || round == o.Rounds) continue;
            problem = new ConvexProblem(x, y, grown, beta, loss);
            state = state.Extend(added);
        }
        if (last is not { } final)
            throw new OperationCanceledException($"{op}: cancelled or out of time before the first round");
        return new PatternGrowthResult(final.Problem,
            final.Run with { History = history, Iterations = history.Count, Seconds = clock.Elapsed.TotalSeconds }, log, certified);
    }
}
