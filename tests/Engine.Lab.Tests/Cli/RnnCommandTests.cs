using System.Text.Json;
using static Engine.Lab.Tests.Cli.CliRunner;

namespace Engine.Lab.Tests.Cli;

[TestClass]
public sealed class RnnCommandTests
{
    private static string TempDir(string name) => Path.Combine(Path.GetTempPath(), $"engine-{name}-{Guid.NewGuid():N}");

    [TestMethod]
    public void CopyTaskRunWritesItsFilesAndReportsAgainstTheBaseline()
    {
        var dir = TempDir("rnn-copy");
        try
        {
            var r = Run("rnn", "--cell", "lstm", "--task", "copy", "--samples", "64", "--length", "3", "--epochs", "2", "--hidden", "8", "--out", dir, "--json");
            Assert.AreEqual(0, r.ExitCode, r.Stderr);
            foreach (var file in new[] { "result.json", "history.csv", "summary.md", "model.safetensors" })
                Assert.IsTrue(File.Exists(Path.Combine(dir, file)), file);
            using var j = JsonDocument.Parse(r.Stdout);
            var root = j.RootElement;
            Assert.AreEqual("copy", root.GetProperty("task").GetString());
            Assert.AreEqual("lstm", root.GetProperty("cell").GetString());
            Assert.AreEqual(2, root.GetProperty("epochs").GetInt32());
            Assert.AreEqual(64, root.GetProperty("train_samples").GetInt32());
            Assert.AreEqual(12, root.GetProperty("test_samples").GetInt32());
            Assert.IsGreaterThan(0.0, root.GetProperty("seconds").GetDouble());
            Assert.AreEqual(10 * Math.Log(8) / 23, root.GetProperty("baseline_loss").GetDouble(), 1e-12);
            var accuracy = root.GetProperty("test_accuracy").GetDouble();
            Assert.IsTrue(accuracy is >= 0 and <= 1, $"{accuracy}");
            Assert.AreEqual(2, root.GetProperty("history").GetArrayLength());
            Assert.AreEqual(JsonValueKind.Null, root.GetProperty("validation_loss_nats_per_char").ValueKind);
            using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
            Assert.AreEqual(root.GetProperty("test_loss").GetDouble(), saved.RootElement.GetProperty("test_loss").GetDouble());
            Assert.AreEqual(3, File.ReadAllLines(Path.Combine(dir, "history.csv")).Length, "header and two epochs");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void StackedBidirectionalRunHasBothDirectionsWeights()
    {
        var dir = TempDir("rnn-digits");
        try
        {
            var r = Run("rnn", "--cell", "gru", "--bidirectional", "--layers", "2", "--dropout", "0.2", "--task", "digits-rows", "--epochs", "1",
                "--hidden", "8", "--out", dir, "--json");
            Assert.AreEqual(0, r.ExitCode, r.Stderr);
            using var j = JsonDocument.Parse(r.Stdout);
            // Per direction of layer 0, 3H (8 + H) weights and 2 x 3H biases; layer 1 reads both directions of layer 0
            // (2H inputs); the head reads both directions' final states of layer 1.
            const int h = 8;
            Assert.AreEqual(2 * (3 * h * (8 + h) + 6 * h) + 2 * (3 * h * (2 * h + h) + 6 * h) + (2 * h * 10 + 10), j.RootElement.GetProperty("parameters").GetInt64());
            Assert.AreEqual(2, j.RootElement.GetProperty("layers").GetInt32());
            Assert.IsTrue(j.RootElement.GetProperty("bidirectional").GetBoolean());
            var train = j.RootElement.GetProperty("train_samples").GetInt32();
            Assert.AreEqual(1797, train + j.RootElement.GetProperty("test_samples").GetInt32());
            Assert.AreEqual(0.75 * 1797, train, 6, "75/25, stratified by class");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void CharacterModelReportsValidationLossPerCharacterAndSamples()
    {
        var data = TempDir("rnn-fortunes-data");
        var dir = TempDir("rnn-charlm");
        Directory.CreateDirectory(data);
        try
        {
            File.WriteAllText(Path.Combine(data, "tiny"), string.Concat(Enumerable.Range(0, 40).Select(i => $"fortune number {i} says hello\n%\n")));
            var r = Run("rnn", "--cell", "rnn-tanh", "--task", "charlm", "--data-dir", data, "--length", "16", "--hidden", "8", "--max-batches", "3",
                "--batch-size", "8", "--sample-length", "25", "--out", dir, "--json");
            Assert.AreEqual(0, r.ExitCode, r.Stderr);
            using var j = JsonDocument.Parse(r.Stdout);
            var root = j.RootElement;
            var loss = root.GetProperty("validation_loss_nats_per_char").GetDouble();
            Assert.AreEqual(root.GetProperty("test_loss").GetDouble(), loss);
            Assert.IsTrue(loss > 0 && loss < 10, $"{loss}");
            Assert.AreEqual(24, root.GetProperty("train_samples").GetInt32(), "3 batches of 8 windows");
            var samples = root.GetProperty("samples").EnumerateArray().Select(s => s.GetString()!).ToArray();
            Assert.HasCount(3, samples);
            Assert.IsTrue(samples.All(s => s.Length == 25 && s.All(c => "fortune numbsayhl0123456789\n%".Contains(c))), string.Join("|", samples));
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "summary.md")), samples[0]);
        }
        finally
        {
            Directory.Delete(data, true);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void BadArgumentsGiveOneLineErrors()
    {
        var cell = Run("rnn", "--cell", "transformer", "--task", "reber", "--json");
        Assert.AreEqual(1, cell.ExitCode);
        StringAssert.Contains(cell.Stdout, "--cell: expected rnn-tanh, rnn-relu, gru, lstm");
        var task = Run("rnn", "--cell", "gru", "--task", "digitsseq", "--json");
        Assert.AreEqual(1, task.ExitCode);
        StringAssert.Contains(task.Stdout, "--task: expected");
        var future = Run("rnn", "--cell", "gru", "--task", "charlm", "--bidirectional", "--json");
        Assert.AreEqual(1, future.ExitCode);
        StringAssert.Contains(future.Stdout, "may not read the future");
        var missing = Run("rnn", "--cell", "gru", "--task", "charlm", "--data-dir", TempDir("none"), "--json");
        Assert.AreEqual(1, missing.ExitCode);
        StringAssert.Contains(missing.Stdout, "apt-get install fortunes");
        var hidden = Run("rnn", "--cell", "gru", "--task", "adding", "--hidden", "0", "--json");
        Assert.AreEqual(1, hidden.ExitCode);
        StringAssert.Contains(hidden.Stdout, "hidden");
    }
}
