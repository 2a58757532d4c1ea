using Engine.Lab.Experiments;
using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>The convex solver of an <see cref="ConvexExperiment"/>.</summary>
public enum ConvexSolverKind
{
    /// <summary>The paper's ADMM on the ReLU program.</summary>
    Admm,

    /// <summary>R-FISTA on the gated program, mapped to a ReLU network by the cone decomposition.</summary>
    Fista,

    /// <summary>The augmented Lagrangian on the ReLU program.</summary>
    Al,

    /// <summary>The sampled convex program: the gated program on the sampled patterns, then a ReLU network.</summary>
    Scp,
}

/// <summary>What <c>engine convex</c> runs: a data set (<see cref="ConvexData.Load"/>), P sampled (or, with
/// <see cref="Exact"/>, all) patterns, the program with weight beta and a loss, a solver, and with
/// <see cref="Epsilon"/> the robust program for that l_inf radius. The Adam baseline gets the solver's wall-clock
/// time; adversarial training runs <see cref="AdversarialSteps"/> full-batch steps.</summary>
public sealed record ConvexOptions
{
    public string Data { get; init; } = "breast-cancer";
    public string? DataDir { get; init; }
    public int Patterns { get; init; } = 50;
    public double Beta { get; init; } = 0.1;
    public ConvexSolverKind Solver { get; init; } = ConvexSolverKind.Admm;
    public ConvexLoss Loss { get; init; } = ConvexLoss.Squared;
    public double? Epsilon { get; init; }
    public RobustPatternKind RobustPatterns { get; init; } = RobustPatternKind.Margin;
    public bool Exact { get; init; }
    public ulong Seed { get; init; } = 1;
    public int MaxIterations { get; init; } = 1000;
    public double Tolerance { get; init; } = 1e-8;
    public double AdamLr { get; init; } = 1e-2;
    public int AdversarialSteps { get; init; } = 300;
    public int PgdSteps { get; init; } = 50;
    public int PgdRestarts { get; init; } = 5;

    /// <summary>With the ADMM solver: rounds of pattern growth by column generation (<see cref="PatternGrowth"/>),
    /// each of <see cref="MaxIterations"/> ADMM iterations; 0 solves the sampled program as it is.</summary>
    public int GrowRounds { get; init; }

    /// <summary>With the ADMM solver: seconds of Adam (<see cref="Patterns"/> hidden units) before ADMM, whose network
    /// is lifted onto the program (<see cref="NetworkLift"/>): its neurons' patterns, then <see cref="Patterns"/>
    /// sampled ones, and ADMM starts at the lifted point. The time counts in the solver's seconds, so the Adam
    /// baseline gets the same total; 0 starts ADMM from zero on the sampled patterns.</summary>
    public double WarmStartSeconds { get; init; }

    public void Validate()
    {
        if (Patterns < 1) throw new ArgumentOutOfRangeException(nameof(Patterns), $"ConvexOptions: patterns must be >= 1; got {Patterns}");
        if (!(Beta >= 0) || double.IsInfinity(Beta)) throw new ArgumentOutOfRangeException(nameof(Beta), $"ConvexOptions: beta must be finite and >= 0; got {Beta}");
        if (Epsilon is { } e && (!(e >= 0) || double.IsInfinity(e))) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"ConvexOptions: eps must be finite and >= 0; got {e}");
        if (!Enum.IsDefined(RobustPatterns)) throw new ArgumentOutOfRangeException(nameof(RobustPatterns), $"ConvexOptions: unknown robust pattern source {RobustPatterns}");
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), $"ConvexOptions: iterations must be >= 1; got {MaxIterations}");
        if (!(AdamLr > 0)) throw new ArgumentOutOfRangeException(nameof(AdamLr), $"ConvexOptions: the Adam learning rate must be > 0; got {AdamLr}");
        if (AdversarialSteps < 1 || PgdSteps < 1 || PgdRestarts < 1)
            throw new ArgumentOutOfRangeException(nameof(AdversarialSteps), $"ConvexOptions: adversarial steps, PGD steps and restarts must be >= 1; got {AdversarialSteps}, {PgdSteps}, {PgdRestarts}");
        if (GrowRounds < 0) throw new ArgumentOutOfRangeException(nameof(GrowRounds), $"ConvexOptions: grow rounds must be >= 0; got {GrowRounds}");
        if (GrowRounds > 0 && (Solver != ConvexSolverKind.Admm || Exact))
            throw new ArgumentException($"ConvexOptions: pattern growth (--grow) runs ADMM on sampled patterns; got solver {Solver}{(Exact ? " with --exact" : "")}");
        if (!(WarmStartSeconds >= 0) || double.IsInfinity(WarmStartSeconds))
            throw new ArgumentOutOfRangeException(nameof(WarmStartSeconds), $"ConvexOptions: warm-start seconds must be finite and >= 0; got {WarmStartSeconds}");
        if (WarmStartSeconds > 0 && (Solver != ConvexSolverKind.Admm || Exact || Epsilon is not null))
            throw new ArgumentException($"ConvexOptions: the Adam warm start (--warm-start) starts ADMM on the standard program with sampled patterns; got solver {Solver}{(Exact ? " with --exact" : "")}{(Epsilon is not null ? " with --eps" : "")}");
        if (Exact && Solver == ConvexSolverKind.Scp) throw new ArgumentException("ConvexOptions: --exact enumerates all patterns, which the sampled convex program (scp) by definition does not use");
    }
}

/// <summary>A progress event: the stage ("solver", "robust", "robust-relaxed", "adam", "fgsm-training",
/// "pgd-training") and its step.</summary>
public sealed record ConvexProgress(string Stage, SolverStep Step);

/// <summary>Accuracies of one model on the test set: clean, under FGSM and under PGD at the robust radius, and
/// certified (no perturbation of the radius flips the sign, <see cref="RobustConvex.CertifiedAccuracy"/>).</summary>
public sealed record RobustAccuracy(string Model, double Clean, double Fgsm, double Pgd, double Certified);

/// <summary>The robust part of a report: where the robust program's patterns came from (<c>margin</c> or
/// <c>sampled</c>; the report's pattern count is the robust program's, <see cref="StandardPatterns"/> that of the
/// standard and relaxed programs), the robust program's objective and constraint violation, the certified
/// robust training loss of the recovered network and the training loss PGD reaches on it (at most the certificate);
/// the same for the relaxed program (robust losses, clean cones: <c>robustCones: false</c>); and the test
/// accuracies of both robust models, the standard convex model and FGSM/PGD adversarial training.</summary>
public sealed record RobustReport(
    double Epsilon, string PatternSource, int StandardPatterns, double RobustObjective, double RobustConstraintViolation, double CertifiedLoss, double PgdTrainLoss,
    double Seconds, double RelaxedObjective, double RelaxedCertifiedLoss, double RelaxedPgdTrainLoss, double RelaxedSeconds,
    IReadOnlyList<RobustAccuracy> TestAccuracies);

/// <summary>The result of <see cref="ConvexExperiment.Run"/> (snake_case JSON of <c>engine convex</c>). Without eps the
/// program is the standard one; with eps, <see cref="ConvexObjective"/> is the robust program's objective,
/// <see cref="RecoveredObjective"/> the recovered network's certified robust objective (certified loss + beta/2 times
/// the squared weights) and <see cref="NonconvexObjectiveAdam"/> the final objective of PGD adversarial training
/// (its loss at the PGD inputs it trained on). <see cref="AdamBestObjective"/> is the lowest objective the nonconvex
/// baseline reached at any step (its path is not monotone at a constant learning rate), its final one included.</summary>
public sealed record ConvexReport(
    string Data, string Solver, string Loss, int Samples, int Features, int Patterns, double Beta, ulong Seed,
    double ConvexObjective, double NonconvexObjectiveAdam, double RecoveredObjective, double TrainAccuracy, double TestAccuracy,
    double Seconds, int Iterations, int ActiveNeurons, bool Converged, double ConstraintViolation,
    double AdamSeconds, int AdamIterations, double AdamTrainAccuracy, double AdamTestAccuracy, double AdamBestObjective, RobustReport? Robust);

/// <summary>A report and what the CLI writes besides it: the recovered network and the objective histories.</summary>
public sealed record ConvexRun(ConvexReport Report, Sequential Network, IReadOnlyDictionary<string, IReadOnlyList<SolverStep>> Histories);

/// <summary>One <c>engine convex</c> run as a library call.</summary>
public static class ConvexExperiment
{
    public static ConvexRun Run(ConvexOptions o, IProgress<ConvexProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var data = ConvexData.Load(o.Data, o.Seed, o.DataDir);
        var patterns = o.Exact ? PatternSet.Enumerate(data.TrainX) : PatternSet.Sample(data.TrainX, o.Patterns, o.Seed);
        var sampled = new ConvexProblem(data.TrainX, data.TrainY, patterns, o.Beta, o.Loss);
        var solverOptions = new SolverOptions(MaxIterations: o.MaxIterations, Tolerance: o.Tolerance);
        var histories = new Dictionary<string, IReadOnlyList<SolverStep>>();
        IProgress<SolverStep> Stage(string name) => new InlineProgress<SolverStep>(s => progress?.Report(new ConvexProgress(name, s)));

        var (warm, warmSeconds) = ((AdmmState?)null, 0.0);
        if (o.WarmStartSeconds > 0)
        {
            var adamStart = NonconvexBaseline.Train(data.TrainX, data.TrainY, o.Beta, o.Loss,
                new BaselineOptions(o.Patterns, LearningRate: o.AdamLr, MaxIterations: int.MaxValue,
                    TimeBudget: TimeSpan.FromSeconds(o.WarmStartSeconds), Seed: o.Seed, KeepBest: true), Stage("warm-start"), ct);
            histories["warm-start"] = adamStart.History;
            var lifted = NetworkLift.Lift(data.TrainX, adamStart.Network, patterns.Gates);
            sampled = new ConvexProblem(data.TrainX, data.TrainY, lifted.Patterns, o.Beta, o.Loss);
            (warm, warmSeconds) = (Admm.StartAt(sampled, lifted.Point, solverOptions), adamStart.Seconds);
        }
        var standard = Solve(sampled, o, solverOptions, Stage("solver"), ct, warm);
        if (warmSeconds > 0)
            standard = standard with
            {
                Run = standard.Run with
                {
                    Seconds = warmSeconds + standard.Run.Seconds,
                    History = [.. standard.Run.History.Select(s => s with { Seconds = warmSeconds + s.Seconds })],
                },
            };
        // Pattern growth solves on a larger pattern set than the one sampled.
        var problem = standard.Problem;
        var standardNet = Recovery.ToNetwork(standard.Solution, biasColumnLast: true);
        histories[SolverName(o.Solver)] = standard.Run.History;
        var trainInputs = ConvexDataSet.WithoutBias(data.TrainX);
        var testInputs = ConvexDataSet.WithoutBias(data.TestX);
        if (o.Epsilon is not { } eps)
        {
            var adam = NonconvexBaseline.Train(data.TrainX, data.TrainY, o.Beta, o.Loss,
                new BaselineOptions(Math.Max(1, Width(standardNet)), LearningRate: o.AdamLr, MaxIterations: int.MaxValue,
                    TimeBudget: TimeSpan.FromSeconds(standard.Run.Seconds), Seed: o.Seed), Stage("adam"), ct);
            histories["adam"] = adam.History;
            return new ConvexRun(Report(o, data, problem, standard.Run, standard.Solution, standardNet,
                standard.Objective, adam.Objective, Recovery.NonconvexObjective(standardNet, trainInputs, data.TrainY, o.Beta, o.Loss),
                adam.Seconds, adam.Iterations, Attacks.Accuracy(adam.Network, data.TrainX, data.TrainY), Attacks.Accuracy(adam.Network, data.TestX, data.TestY),
                Lowest(adam.History, adam.Objective), null),
                standardNet, histories);
        }

        // The relaxed program keeps the standard patterns (its cones are the clean ones); the exact one needs patterns
        // whose robust cones are not empty at eps.
        var robustProblem = o.RobustPatterns == RobustPatternKind.Sampled ? problem
            : new ConvexProblem(data.TrainX, data.TrainY, MarginPatterns.Sample(data.TrainX, o.Patterns, eps, o.Seed), o.Beta, o.Loss);
        var robust = RobustConvex.Solve(robustProblem, eps, solverOptions, biasColumnLast: true, Stage("robust"), ct);
        histories["robust-convex"] = robust.Run.History;
        var robustNet = Recovery.ToNetwork(robust.Run.Solution, biasColumnLast: true);
        var relaxed = RobustConvex.Solve(problem, eps, solverOptions, biasColumnLast: true, Stage("robust-relaxed"), ct, robustCones: false);
        histories["robust-convex-relaxed"] = relaxed.Run.History;
        var relaxedNet = Recovery.ToNetwork(relaxed.Run.Solution, biasColumnLast: true);
        var width = Math.Max(1, Width(robustNet));
        AdversarialTrainingResult Adversarial(AdversarialAttack attack, string name)
        {
            var trained = AdversarialTraining.Train(trainInputs, data.TrainY,
                new AdversarialTrainingOptions(width, o.Beta, o.Loss, attack, eps, o.AdversarialSteps, o.AdamLr, Seed: o.Seed),
                new InlineProgress<AdversarialStep>(s => progress?.Report(new ConvexProgress(name, new SolverStep(s.Step, s.Seconds, s.Objective, 0, 0, 0)))), ct);
            histories[name] = trained.History.Select(s => new SolverStep(s.Step, s.Seconds, s.Objective, 0, 0, 0)).ToList();
            return trained;
        }
        var fgsm = Adversarial(AdversarialAttack.Fgsm, "fgsm-training");
        var pgd = Adversarial(AdversarialAttack.Pgd, "pgd-training");
        var attack = new PgdOptions(eps, o.PgdSteps, o.PgdRestarts, Seed: o.Seed);
        RobustAccuracy Score(string name, Sequential net) => new(name,
            Attacks.Accuracy(net, testInputs, data.TestY),
            Attacks.Accuracy(net, Attacks.Fgsm(net, testInputs, data.TestY, eps, o.Loss), data.TestY),
            Attacks.Accuracy(net, Attacks.Pgd(net, testInputs, data.TestY, attack, o.Loss), data.TestY),
            RobustConvex.CertifiedAccuracy(net, testInputs, data.TestY, eps));
        double PgdTrainLoss(Sequential net) => Attacks.Losses(net, Attacks.Pgd(net, trainInputs, data.TrainY, attack, o.Loss), data.TrainY, o.Loss).Sum().Item();
        var robustReport = new RobustReport(eps, o.RobustPatterns.ToString().ToLowerInvariant(), problem.Patterns.Count, robust.RobustObjective, robust.RobustConstraintViolation, robust.CertifiedLoss, PgdTrainLoss(robustNet),
            robust.Run.Seconds, relaxed.RobustObjective, relaxed.CertifiedLoss, PgdTrainLoss(relaxedNet), relaxed.Run.Seconds,
            [Score("robust-convex", robustNet), Score("robust-convex-relaxed", relaxedNet), Score("convex", standardNet), Score("fgsm-training", fgsm.Network), Score("pgd-training", pgd.Network)]);
        var pgdObjective = pgd.History.Count > 0 ? pgd.History[^1].Objective : double.NaN;
        return new ConvexRun(Report(o, data, robustProblem, robust.Run, robust.Run.Solution, robustNet,
            robust.RobustObjective, pgdObjective, robust.CertifiedLoss + o.Beta / 2 * SquaredWeights(robustNet),
            pgd.Seconds, pgd.History.Count, Attacks.Accuracy(pgd.Network, trainInputs, data.TrainY), Attacks.Accuracy(pgd.Network, testInputs, data.TestY),
            Lowest(histories["pgd-training"], pgdObjective), robustReport),
            robustNet, histories);
    }

    public static string SolverName(ConvexSolverKind solver) => solver.ToString().ToLowerInvariant();

    /// <summary>The standard program solved by the chosen solver, with the objective it solved (the gated program's
    /// for fista and scp) and a ReLU-program solution whose network reproduces its training predictions.</summary>
    private static (ConvexProblem Problem, SolverResult Run, ConvexSolution Solution, double Objective) Solve(
        ConvexProblem problem, ConvexOptions o, SolverOptions options, IProgress<SolverStep> progress, CancellationToken ct, AdmmState? start)
    {
        switch (o.Solver)
        {
            case ConvexSolverKind.Admm when o.GrowRounds > 0:
            {
                var grown = PatternGrowth.Solve(problem.X, problem.Y, problem.Beta, problem.Loss, problem.Patterns, options,
                    new PatternGrowthOptions(o.GrowRounds, o.MaxIterations, Seed: o.Seed), progress, null, ct, start);
                return (grown.Problem, grown.Run, grown.Run.Solution, grown.Run.Solution.Objective(grown.Problem));
            }
            case ConvexSolverKind.Admm:
            {
                var run = Admm.SolveFrom(problem, options, start, progress, ct).Result;
                return (problem, run, run.Solution, run.Solution.Objective(problem));
            }
            case ConvexSolverKind.Al:
            {
                var run = AugmentedLagrangian.Solve(problem, options, progress, ct);
                return (problem, run, run.Solution, run.Solution.Objective(problem));
            }
            case ConvexSolverKind.Fista:
            case ConvexSolverKind.Scp:
            {
                // scp and fista differ in what they report, not in the computation: both solve the gated program on the
                // sampled patterns and decompose it into cones (SampledConvexProgram.ConeDecomposition).
                var run = Fista.SolveGated(problem, options, progress, ct);
                var relu = SampledConvexProgram.ConeDecomposition(problem, run.Solution.U - run.Solution.Z);
                return (problem, run, relu, run.Solution.Objective(problem));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(o), $"ConvexExperiment: unknown solver {o.Solver}");
        }
    }

    /// <summary>The report of the model the run writes: <paramref name="solution"/> (a ReLU-program point) and its
    /// network, produced by <paramref name="run"/>.</summary>
    private static ConvexReport Report(
        ConvexOptions o, ConvexDataSet data, ConvexProblem problem, SolverResult run, ConvexSolution solution, Sequential net,
        double convexObjective, double adamObjective, double recoveredObjective,
        double adamSeconds, int adamIterations, double adamTrain, double adamTest, double adamBest, RobustReport? robust)
        => new(data.Name, robust is null ? SolverName(o.Solver) : "robust-al", o.Loss.ToString().ToLowerInvariant(),
            data.TrainSamples, data.Features, problem.Patterns.Count, o.Beta, o.Seed,
            convexObjective, adamObjective, recoveredObjective,
            Attacks.Accuracy(net, ConvexDataSet.WithoutBias(data.TrainX), data.TrainY), Attacks.Accuracy(net, ConvexDataSet.WithoutBias(data.TestX), data.TestY),
            run.Seconds, run.Iterations, solution.ActiveNeurons(), run.Converged, solution.ConstraintViolation(problem),
            adamSeconds, adamIterations, adamTrain, adamTest, adamBest, robust);

    /// <summary>The lowest objective along a history, or <paramref name="final"/> if that is lower.</summary>
    private static double Lowest(IReadOnlyList<SolverStep> history, double final)
        => history.Select(s => s.Objective).Where(double.IsFinite).Append(final).Min();

    private static int Width(Sequential net) => ((Linear)net[0]).OutFeatures;

    private static double SquaredWeights(Sequential net) => net.Parameters().Sum(p => p.Square().Sum().Item());
}
