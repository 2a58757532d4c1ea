using System.CommandLine;
using System.Globalization;
using System.Text;
using Engine.IO;
using Engine.Lab.Convex;
using Engine.Lab.Experiments;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine convex</c>: trains a two-layer ReLU network globally by a convex program (ADMM, R-FISTA, the
/// augmented Lagrangian or the sampled program), or its robust counterpart with --eps, next to the nonconvex Adam
/// baseline (and FGSM/PGD adversarial training); writes model.safetensors (the recovered Linear-ReLU-Linear
/// network), result.json, history.csv, objective.png (objective against time, all methods) and summary.md.</summary>
internal static class ConvexCommand
{
    public static Command Create()
    {
        var defaults = new ConvexOptions();
        var data = new Option<string>("--data") { Description = "breast-cancer, xor, fashion-mnist-binary, or the path of a two-class CSV file", Required = true };
        var patterns = new Option<int>("--patterns") { Description = "Gate vectors to sample (distinct patterns are kept)", DefaultValueFactory = _ => defaults.Patterns };
        var beta = new Option<double>("--beta") { Description = "Weight of the group norms (weight decay beta/2 of the network)", DefaultValueFactory = _ => defaults.Beta };
        var solver = new Option<string>("--solver") { Description = "admm, fista (gated), al (augmented Lagrangian) or scp (sampled program)", DefaultValueFactory = _ => "admm" };
        var loss = new Option<string>("--loss") { Description = "squared or logistic", DefaultValueFactory = _ => "squared" };
        var eps = new Option<double?>("--eps") { Description = "Train robustly to l_inf perturbations of this radius (and compare with FGSM/PGD adversarial training)" };
        var robustPatterns = new Option<string>("--robust-patterns") { Description = "Patterns of the exact robust program (with --eps): margin (gates with an empty eps-slab around every training input) or sampled (the standard program's)", DefaultValueFactory = _ => "margin" };
        var exact = new Option<bool>("--exact") { Description = "Enumerate all activation patterns (small dims only) instead of sampling" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split, the patterns and the baselines", DefaultValueFactory = _ => defaults.Seed };
        var iterations = new Option<int>("--iterations") { Description = "Most solver iterations", DefaultValueFactory = _ => defaults.MaxIterations };
        var tolerance = new Option<double>("--tolerance") { Description = "Solver stopping tolerance", DefaultValueFactory = _ => defaults.Tolerance };
        var adamLr = new Option<double>("--adam-lr") { Description = "Learning rate of Adam (baseline and adversarial training)", DefaultValueFactory = _ => defaults.AdamLr };
        var adversarialSteps = new Option<int>("--adversarial-steps") { Description = "Full-batch steps of FGSM/PGD adversarial training (with --eps)", DefaultValueFactory = _ => defaults.AdversarialSteps };
        var grow = new Option<int>("--grow") { Description = "With --solver admm: rounds of pattern growth by column generation (each --iterations ADMM iterations, then the patterns of the neurons that most violate the full program's dual certificate are added); 0: none", DefaultValueFactory = _ => defaults.GrowRounds };
        var warmStart = new Option<double>("--warm-start") { Description = "With --solver admm: seconds of Adam first; ADMM starts at its network lifted onto the program (its neurons' patterns plus the sampled ones); the time counts in the solver's", DefaultValueFactory = _ => defaults.WarmStartSeconds };
        var outDir = new Option<string?>("--out") { Description = "Run folder (default runs/convex-<timestamp>)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory holding the Fashion-MNIST files (else $ENGINE_DATA, else the Debian package's)" };
        var command = new Command("convex", "Train a two-layer ReLU network to global optimality by a convex program (optionally robust to l_inf attacks)")
        {
            data, patterns, beta, solver, loss, eps, robustPatterns, exact, seed, iterations, tolerance, adamLr, adversarialSteps, grow, warmStart, outDir, dataDir,
        };
        return command.WithAction((parse, output) =>
        {
            var options = new ConvexOptions
            {
                Data = parse.GetValue(data)!,
                DataDir = parse.GetValue(dataDir),
                Patterns = parse.GetValue(patterns),
                Beta = parse.GetValue(beta),
                Solver = ParseEnum<ConvexSolverKind>(parse.GetValue(solver)!, "--solver", "admm, fista, al, scp"),
                Loss = ParseEnum<ConvexLoss>(parse.GetValue(loss)!, "--loss", "squared, logistic"),
                Epsilon = parse.GetValue(eps),
                RobustPatterns = ParseEnum<RobustPatternKind>(parse.GetValue(robustPatterns)!, "--robust-patterns", "margin, sampled"),
                Exact = parse.GetValue(exact),
                Seed = parse.GetValue(seed),
                MaxIterations = parse.GetValue(iterations),
                Tolerance = parse.GetValue(tolerance),
                AdamLr = parse.GetValue(adamLr),
                AdversarialSteps = parse.GetValue(adversarialSteps),
                GrowRounds = parse.GetValue(grow),
                WarmStartSeconds = parse.GetValue(warmStart),
            };
            options.Validate();
            var dir = parse.GetValue(outDir) ?? CodesCliOptions.DefaultRunDirectory("convex");
            output.Progress.MarkupLineInterpolated(
                $"[bold]engine convex[/] {options.Data}, {(options.Exact ? "all" : options.Patterns.ToString(CultureInfo.InvariantCulture))} patterns, beta {options.Beta}, {ConvexExperiment.SolverName(options.Solver)}, {options.Loss} loss{(options.Epsilon is { } e ? $", robust eps {e} ({options.RobustPatterns.ToString().ToLowerInvariant()} patterns)" : "")}, seed {options.Seed} -> {dir}");
            using var ctrlC = new CtrlC();
            ConvexRun run;
            try
            {
                run = ConvexExperiment.Run(options, new InlineProgress<ConvexProgress>(p => ProgressLine(output, p)), ctrlC.Token);
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                output.WriteError("stopped before the run finished; nothing was written");
                return 130;
            }
            Write(dir, run);
            var r = run.Report;
            if (output.Json) output.WriteJson(r);
            else
                output.Human.MarkupLineInterpolated(
                    $"convex objective [bold]{r.ConvexObjective:G8}[/] ({r.Iterations} iterations, {r.Seconds:F2} s), recovered {r.RecoveredObjective:G8}, Adam {r.NonconvexObjectiveAdam:G8} (lowest {r.AdamBestObjective:G8}); accuracy train {r.TrainAccuracy:P2} test {r.TestAccuracy:P2} (Adam {r.AdamTestAccuracy:P2}); {r.ActiveNeurons} active neurons; files in {Path.GetFullPath(dir)}");
            return 0;
        });
    }

    private static T ParseEnum<T>(string text, string option, string expected)
        where T : struct, Enum
        => Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _) ? value
            : throw new ArgumentException($"{option}: expected {expected}; got '{text}'");

    /// <summary>Every 50th solver step (and adversarial-training step) on stderr.</summary>
    private static void ProgressLine(CliOutput output, ConvexProgress p)
    {
        var s = p.Step;
        if (s.Iteration % 50 != 0 && s.Iteration != 1) return;
        output.Progress.MarkupLineInterpolated(
            $"{p.Stage} {s.Iteration}: objective {s.Objective:G8}, residuals {s.PrimalResidual:G3}/{s.DualResidual:G3}, violation {s.ConstraintViolation:G3} ({s.Seconds:F2} s)");
    }

    private static void Write(string dir, ConvexRun run)
    {
        Directory.CreateDirectory(dir);
        run.Network.Save(Path.Combine(dir, "model.safetensors"));
        AtomicFile.WriteAllText(Path.Combine(dir, "result.json"), LabJson.Serialize(run.Report));
        var csv = new StringBuilder("method,iteration,seconds,objective,primal_residual,dual_residual,constraint_violation\n");
        foreach (var (method, steps) in run.Histories)
            foreach (var s in ConvexPlots.Thin(steps))
                csv.Append(CultureInfo.InvariantCulture, $"{method},{s.Iteration},{s.Seconds:R},{s.Objective:R},{s.PrimalResidual:R},{s.DualResidual:R},{s.ConstraintViolation:R}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "history.csv"), csv.ToString());
        ConvexPlots.SaveObjective(Path.Combine(dir, "objective.png"), run);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.md"), Summary(run.Report));
    }

    private static string Summary(ConvexReport r)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# engine convex\n\n{r.Data} ({r.Samples} training samples, {r.Features} features with the bias), {r.Patterns} patterns, beta {r.Beta}, {r.Loss} loss, seed {r.Seed}\n\n");
        text.Append("| method | objective | seconds | iterations | train accuracy | test accuracy |\n|---|---|---|---|---|---|\n");
        text.Append(CultureInfo.InvariantCulture, $"| {r.Solver} (convex) | {r.ConvexObjective:G8} | {r.Seconds:F2} | {r.Iterations} | {r.TrainAccuracy:P2} | {r.TestAccuracy:P2} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| recovered network | {r.RecoveredObjective:G8} | | | | |\n");
        text.Append(CultureInfo.InvariantCulture, $"| {(r.Robust is null ? "Adam" : "PGD adversarial training")} | {r.NonconvexObjectiveAdam:G8} | {r.AdamSeconds:F2} | {r.AdamIterations} | {r.AdamTrainAccuracy:P2} | {r.AdamTestAccuracy:P2} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| {(r.Robust is null ? "Adam" : "PGD adversarial training")}, lowest along its path | {r.AdamBestObjective:G8} | | | | |\n");
        if (r.Robust is { } robust)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nRobust program at eps {robust.Epsilon} on {r.Patterns} {robust.PatternSource} patterns (the standard and relaxed programs: {robust.StandardPatterns}): objective {robust.RobustObjective:G8}, constraint violation {robust.RobustConstraintViolation:G3}, certified training loss {robust.CertifiedLoss:G8} (PGD reaches {robust.PgdTrainLoss:G8})\n");
            text.Append(CultureInfo.InvariantCulture, $"Relaxed program (clean cones): objective {robust.RelaxedObjective:G8}, certified training loss {robust.RelaxedCertifiedLoss:G8} (PGD reaches {robust.RelaxedPgdTrainLoss:G8})\n\n");
            text.Append("| model | clean test accuracy | FGSM | PGD | certified |\n|---|---|---|---|---|\n");
            foreach (var a in robust.TestAccuracies)
                text.Append(CultureInfo.InvariantCulture, $"| {a.Model} | {a.Clean:P2} | {a.Fgsm:P2} | {a.Pgd:P2} | {a.Certified:P2} |\n");
        }
        return text.ToString();
    }
}
