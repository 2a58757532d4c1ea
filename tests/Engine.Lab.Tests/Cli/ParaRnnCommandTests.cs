using System.Text.Json;
using static Engine.Lab.Tests.Cli.CliRunner;

namespace Engine.Lab.Tests.Cli;

[TestClass]
public sealed class ParaRnnCommandTests
{
    [TestMethod]
    [DataRow("paragru")]
    [DataRow("paralstm")]
    [DataRow("gru-dense")]
    public void CheckReportsAgreementWithTheSequentialLoop(string cell)
    {
        var run = Run("pararnn", "--cell", cell, "--length", "200", "--hidden", "8", "--batch", "2", "--iterations", "4", "--dtype", "float64", "--check", "--warmup", "0", "--json");
        Assert.AreEqual(0, run.ExitCode, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.AreEqual(4, root.GetProperty("newton_iterations").GetInt32());
        Assert.IsTrue(root.GetProperty("max_abs_diff_forward").GetDouble() <= 1e-10, run.Stdout);
        Assert.IsTrue(root.GetProperty("max_rel_diff_grad").GetDouble() <= 1e-10, run.Stdout);
        Assert.IsTrue(root.GetProperty("max_abs_diff_grad").GetDouble() <= 1e-8, run.Stdout);
        Assert.IsTrue(root.GetProperty("seconds_parallel").GetDouble() > 0);
        Assert.IsTrue(root.GetProperty("seconds_sequential").GetDouble() > 0);
    }

    [TestMethod]
    public void WithoutCheckOnlyTheParallelSolveRunsAndTheToleranceStopsIt()
    {
        var run = Run("pararnn", "--cell", "paragru", "--length", "100", "--hidden", "4", "--iterations", "40", "--tolerance", "1e-6", "--warmup", "0", "--json");
        Assert.AreEqual(0, run.ExitCode, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.IsTrue(root.GetProperty("newton_iterations").GetInt32() is > 0 and < 40, run.Stdout);
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("seconds_sequential").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("max_abs_diff_forward").ValueKind);
    }

    [TestMethod]
    [DataRow("--cell", "rnn", "--length", "10")]
    [DataRow("--cell", "paragru", "--length", "0")]
    [DataRow("--cell", "paragru", "--length", "10", "--dtype", "float16")]
    [DataRow("--cell", "paragru", "--length", "10", "--hidden", "6", "--heads", "4")]
    [DataRow("--cell", "gru-dense", "--length", "10", "--hidden", "100")]
    public void BadArgumentsGiveOneJsonError(params string[] args)
    {
        var run = Run(["pararnn", .. args, "--json"]);
        Assert.AreEqual(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.IsTrue(json.RootElement.GetProperty("error").GetString()!.Length > 10, run.Stdout);
    }
}
