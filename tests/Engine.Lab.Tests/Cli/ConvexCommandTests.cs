using System.Text.Json;
using static Engine.Lab.Tests.Cli.CliRunner;
using Engine.IO;

namespace Engine.Lab.Tests.Cli;

[TestClass]
public sealed class ConvexCommandTests
{
    private static readonly string[] Keys =
        ["convex_objective", "nonconvex_objective_adam", "recovered_objective", "train_accuracy", "test_accuracy", "seconds", "iterations", "active_neurons"];

    private static void InTemporaryFolder(Action<string> test)
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-convex-" + Guid.NewGuid().ToString("N"));
        try
        {
            test(dir);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void ConvexWritesTheRecoveredNetworkPlotAndTheJsonKeys() => InTemporaryFolder(dir =>
    {
        var run = Run("convex", "--data", "breast-cancer", "--patterns", "6", "--beta", "1", "--iterations", "40", "--out", dir, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        foreach (var key in Keys) Assert.IsTrue(root.TryGetProperty(key, out _), $"missing {key} in {run.Stdout}");
        Assert.AreEqual(40, root.GetProperty("iterations").GetInt32());
        Assert.AreEqual("admm", root.GetProperty("solver").GetString());
        // Adam's lowest objective is taken over every step and its final network: never above the final one.
        Assert.IsLessThanOrEqualTo(root.GetProperty("nonconvex_objective_adam").GetDouble(), root.GetProperty("adam_best_objective").GetDouble());
        foreach (var file in new[] { "model.safetensors", "result.json", "history.csv", "objective.png", "summary.md" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, file)), file);
        var tensors = Safetensors.Load(Path.Combine(dir, "model.safetensors")).Tensors;
        CollectionAssert.AreEquivalent(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, tensors.Keys.ToArray());
        Assert.AreEqual(30, tensors["0.weight"].Size(1), "the network takes the 30 features; the bias column became 0.bias");
        Assert.AreEqual(root.GetProperty("active_neurons").GetInt32(), tensors["0.weight"].Size(0));
        var methods = File.ReadLines(Path.Combine(dir, "history.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct().ToArray();
        CollectionAssert.AreEquivalent(new[] { "admm", "adam" }, methods, "the convex solver and Adam share the plot's data");
        // The recovered network's objective is the convex one (the program's solution lies in its cones up to ADMM's
        // accuracy after 40 iterations).
        Assert.AreEqual(root.GetProperty("convex_objective").GetDouble(), root.GetProperty("recovered_objective").GetDouble(), 0.05 * root.GetProperty("convex_objective").GetDouble());
    });

    [TestMethod]
    public void RobustConvexComparesWithAdversarialTraining() => InTemporaryFolder(dir =>
    {
        var run = Run("convex", "--data", "xor", "--patterns", "8", "--beta", "0.5", "--loss", "logistic", "--eps", "0.05", "--solver", "fista",
            "--iterations", "200", "--adversarial-steps", "5", "--out", dir, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var robust = json.RootElement.GetProperty("robust");
        Assert.AreEqual(0.05, robust.GetProperty("epsilon").GetDouble());
        Assert.AreEqual("margin", robust.GetProperty("pattern_source").GetString(), "the exact robust program takes margin patterns by default");
        Assert.IsGreaterThanOrEqualTo(robust.GetProperty("pgd_train_loss").GetDouble() - 1e-9, robust.GetProperty("certified_loss").GetDouble(), "the certificate bounds PGD");
        Assert.IsGreaterThanOrEqualTo(robust.GetProperty("relaxed_pgd_train_loss").GetDouble() - 1e-9, robust.GetProperty("relaxed_certified_loss").GetDouble(), "also for the relaxed program");
        var models = robust.GetProperty("test_accuracies").EnumerateArray().Select(a => a.GetProperty("model").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "robust-convex", "robust-convex-relaxed", "convex", "fgsm-training", "pgd-training" }, models);
        foreach (var a in robust.GetProperty("test_accuracies").EnumerateArray())
        {
            // Certified-correct samples survive every attack, and PGD keeps the worst point it saw (x included), whose
            // logistic loss is highest, so its margin is lowest: certified <= PGD <= clean.
            double clean = a.GetProperty("clean").GetDouble(), pgd = a.GetProperty("pgd").GetDouble(), certified = a.GetProperty("certified").GetDouble();
            Assert.IsTrue(certified <= pgd && pgd <= clean, $"{a}: certified {certified}, PGD {pgd}, clean {clean}");
        }
        var methods = File.ReadLines(Path.Combine(dir, "history.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct().ToArray();
        CollectionAssert.AreEquivalent(new[] { "fista", "robust-convex", "robust-convex-relaxed", "fgsm-training", "pgd-training" }, methods);
    });

    [TestMethod]
    public void AnAdamWarmStartCountsInTheSolversTime() => InTemporaryFolder(dir =>
    {
        var run = Run("convex", "--data", "breast-cancer", "--patterns", "6", "--beta", "1", "--iterations", "30", "--warm-start", "0.5", "--out", dir, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        var (seconds, adam) = (root.GetProperty("seconds").GetDouble(), root.GetProperty("adam_seconds").GetDouble());
        Assert.IsGreaterThanOrEqualTo(0.5, seconds, "the warm start's half second is part of the solver's time");
        Assert.AreEqual(seconds, adam, 0.25 * seconds, "Adam gets the same total budget");
        Assert.IsGreaterThan(6, root.GetProperty("patterns").GetInt32(), "the warm network's patterns come on top of the sampled ones");
        var rows = File.ReadLines(Path.Combine(dir, "history.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        CollectionAssert.AreEquivalent(new[] { "warm-start", "admm", "adam" }, rows.Select(r => r[0]).Distinct().ToArray());
        var firstAdmm = rows.First(r => r[0] == "admm");
        Assert.IsGreaterThanOrEqualTo(0.5, double.Parse(firstAdmm[2], System.Globalization.CultureInfo.InvariantCulture), "ADMM's curve starts after the warm start");
        Assert.AreEqual(1, Run("convex", "--data", "xor", "--solver", "fista", "--warm-start", "1", "--json").ExitCode, "the warm start is for ADMM");
    });

    [TestMethod]
    public void BadOptionsAreOneLineErrors()
    {
        var solver = Run("convex", "--data", "xor", "--solver", "newton", "--json");
        Assert.AreEqual(1, solver.ExitCode);
        StringAssert.Contains(solver.Stdout, "admm, fista, al, scp");
        var data = Run("convex", "--data", "iris", "--json");
        Assert.AreEqual(1, data.ExitCode);
        StringAssert.Contains(data.Stdout, "3 classes");
        var patterns = Run("convex", "--data", "xor", "--eps", "0.05", "--robust-patterns", "all", "--json");
        Assert.AreEqual(1, patterns.ExitCode);
        StringAssert.Contains(patterns.Stdout, "margin, sampled");
    }
}
