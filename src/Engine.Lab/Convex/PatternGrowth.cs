using System.Diagnostics;
using Engine.Lab.Experiments;

namespace Engine.Lab.Convex;

/// <summary>Settings of <see cref="PatternGrowth.Solve"/>: at most <paramref name="Rounds"/> rounds of
/// <paramref name="IterationsPerRound"/> ADMM iterations each, after each a <see cref="PatternSearch"/> with
/// <paramref name="SearchStarts"/> random starts (plus the current neurons) of <paramref name="SearchSteps"/> steps,
/// adding up to <paramref name="AddPerRound"/> new patterns whose value exceeds beta (1 + <paramref name="Margin"/>);
/// the whole run within <paramref name="TimeBudget"/>.</summary>
public sealed record PatternGrowthOptions(
    int Rounds = 100, int IterationsPerRound = 100, int AddPerRound = 20, int SearchStarts = 200, int SearchSteps = 20,
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

/// <summary>One round of <see cref="PatternGrowth.Solve"/>: patterns solved over, the objective reached, the largest
/// dual value the search found (relative to beta; at most 1 + margin means no pattern improves the program) and
/// the patterns added.</summary>
public sealed record GrowthRound(int Round, double Seconds, int Patterns, double Objective, double DualRatio, int Added);

/// <summary>The result of <see cref="PatternGrowth.Solve"/>: the final problem (its pattern set is the grown one), the
/// solution on it with the concatenated ADMM history (times from the start of the whole run), the rounds, and
/// whether the run ended because the search found no improving pattern while ADMM had converged.</summary>
public sealed record PatternGrowthResult(ConvexProblem Problem, SolverResult Run, IReadOnlyList<GrowthRound> Rounds, bool Certified);

/// <summary>ADMM on a pattern set grown by column generation: the sampled program's optimum only bounds the full
/// program's from above (random gates in tens of dimensions rarely give the patterns a trained network uses), so
/// after each round of ADMM the dual certificate of the full program is searched (<see cref="PatternSearch"/>) and the
/// patterns of the most violating neurons are added; ADMM then continues from its state (<see cref="AdmmState.Remap"/>),
/// new blocks at zero. Patterns whose blocks have been zero for two consecutive rounds are dropped, so the program
/// stays the size of the model plus the newcomers. When ADMM has converged and the search finds nothing above beta
/// the point is optimal for the full program as far as the search can tell.</summary>
public static class PatternGrowth
{
    public static PatternGrowthResult Solve(
        Tensor x, Tensor y, double beta, ConvexLoss loss, PatternSet initial, SolverOptions admm, PatternGrowthOptions o,
        IProgress<SolverStep>? progress = null, IProgress<GrowthRound>? rounds = null, CancellationToken ct = default)
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
        AdmmState? state = null;
        var history = new List<SolverStep>();
        var log = new List<GrowthRound>();
        var zeroRounds = new int[initial.Count];
        SolverResult? last = null;
        var certified = false;
        for (var round = 1; round <= o.Rounds; round++)
        {
            var left = o.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
            if (ct.IsCancellationRequested || left is { } l && l <= TimeSpan.Zero) break;
            var offset = clock.Elapsed.TotalSeconds;
            var iterationsBefore = history.Count;
            var (run, next) = Admm.SolveFrom(problem, admm with { MaxIterations = o.IterationsPerRound, TimeBudget = left }, state,
                new InlineProgress<SolverStep>(s =>
                {
                    var shifted = s with { Iteration = iterationsBefore + s.Iteration, Seconds = offset + s.Seconds };
                    history.Add(shifted);
                    progress?.Report(shifted);
                }), ct);
            state = next;
            last = run;
            // theta = -l'(r) at the returned (projected, sparse) point.
            var prediction = run.Solution.Predict(problem);
            var theta = -ConvexLosses.Derivative(prediction, y, loss);
            var neurons = Tensor.Cat([run.Solution.U, run.Solution.Z], 1);
            var found = PatternSearch.Search(x, theta, o.SearchStarts, o.SearchSteps, o.Seed + (ulong)round, neurons);
            var ratio = beta > 0 ? found.Largest / beta : double.PositiveInfinity;
            var objective = run.Solution.Objective(problem);
            // Drop blocks that stayed zero for two rounds; add the best new patterns above the threshold.
            var norms = ColumnNormsOf(run.Solution);
            var keep = new List<int>();
            for (var i = 0; i < problem.Patterns.Count; i++)
            {
                zeroRounds[i] = norms[i] == 0 ? zeroRounds[i] + 1 : 0;
                if (zeroRounds[i] < 2) keep.Add(i);
            }
            var threshold = beta * (1 + o.Margin);
            var improving = found.Values.TakeWhile(v => v > threshold).Count();
            var (grown, added) = Grow(x, problem.Patterns, keep, found.Gates.Narrow(1, 0, improving), o.AddPerRound);
            var record = new GrowthRound(round, clock.Elapsed.TotalSeconds, problem.Patterns.Count, objective, ratio, added);
            log.Add(record);
            rounds?.Report(record);
            if (added == 0 && run.Converged)
            {
                certified = true;
                break;
            }
            if (added == 0 && keep.Count == problem.Patterns.Count) continue;
            state = state.Remap(keep, added);
            zeroRounds = [.. keep.Select(i => zeroRounds[i]), .. new int[added]];
            problem = new ConvexProblem(x, y, grown, beta, loss);
        }
        if (last is null || last.Solution.U.Shape[1] != problem.Patterns.Count)
        {
            // The budget ended the run right after the pattern set changed: one iteration on the current set gives
            // a solution of the returned problem.
            var (run, next) = Admm.SolveFrom(problem, admm with { MaxIterations = 1, TimeBudget = null }, state, null, ct);
            last = run;
        }
        return new PatternGrowthResult(problem, last with { History = history, Iterations = history.Count, Seconds = clock.Elapsed.TotalSeconds }, log, certified);
    }

    /// <summary>The kept patterns (in order) followed by the distinct new patterns of <paramref name="gates"/> (at
    /// most <paramref name="limit"/>), and how many were added.</summary>
    private static (PatternSet Set, int Added) Grow(Tensor x, PatternSet current, List<int> keep, Tensor gates, int limit)
    {
        var kept = current.Gates.IndexSelect(1, Tensor.Wrap(keep.Select(i => (long)i).ToArray(), keep.Count));
        var all = gates.Shape[1] == 0 ? kept : Tensor.Cat([kept, gates], 1);
        var merged = PatternSet.FromGates(x, all);
        var added = Math.Min(limit, merged.Count - keep.Count);
        if (merged.Count - keep.Count > added)
            merged = PatternSet.FromGates(x, merged.Gates.Narrow(1, 0, keep.Count + added).Contiguous());
        return (merged, added);
    }

    private static double[] ColumnNormsOf(ConvexSolution s)
    {
        var u = ConvexSolution.ColumnNorms(s.U);
        var z = ConvexSolution.ColumnNorms(s.Z);
        return [.. u.Select((v, i) => Math.Max(v, z[i]))];
    }
}
