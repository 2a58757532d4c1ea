using System.Text.Json;

namespace Engine.Tests.Cli;

[TestClass]
public sealed class TrainCommandTests
{
    [TestMethod]
    public void TrainWritesItsFilesAndIsDeterministic()
    {
        var dirA = Path.Combine(Path.GetTempPath(), "engine-train-" + Guid.NewGuid().ToString("N"));
        var dirB = dirA + "-b";
        try
        {
            string[] Args(string dir) => ["train", "--data", "digits", "--hidden", "64", "--epochs", "3", "--seed", "5", "--out", dir, "--json"];
            var a = CliRunner.Run(Args(dirA));
            var b = CliRunner.Run(Args(dirB));
            Assert.AreEqual(0, a.ExitCode, a.Stderr);
            Assert.AreEqual(0, b.ExitCode, b.Stderr);
            using var ja = JsonDocument.Parse(a.Stdout);
            using var jb = JsonDocument.Parse(b.Stdout);
            var lossesA = ja.RootElement.GetProperty("train_losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var lossesB = jb.RootElement.GetProperty("train_losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.HasCount(3, lossesA);
            CollectionAssert.AreEqual(lossesA, lossesB, "the same seed gives the same losses to the last digit");
            foreach (var key in new[] { "test_accuracy", "train_loss", "epochs", "parameters", "seconds" })
                Assert.IsTrue(ja.RootElement.TryGetProperty(key, out _), $"JSON key {key}");
            Assert.AreEqual(64 * 64 + 64 + 64 * 10 + 10, ja.RootElement.GetProperty("parameters").GetInt64());
            foreach (var file in new[] { "metrics.csv", "model.safetensors", "curves.png" })
                Assert.IsTrue(File.Exists(Path.Combine(dirA, file)), file);
            var csv = File.ReadAllLines(Path.Combine(dirA, "metrics.csv"));
            Assert.AreEqual("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second,activation_units,dead_fraction,dead_fraction/1,dead_units", csv[0]);
            Assert.HasCount(4, csv);
            StringAssert.Contains(a.Stderr, "epoch 3/3");

            // The dead-neuron rate of each epoch's training batches: logged, in the CSV and in the JSON.
            var deadFractions = ja.RootElement.GetProperty("dead_fractions").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.HasCount(3, deadFractions);
            foreach (var (line, fraction) in csv.Skip(1).Zip(deadFractions))
            {
                Assert.IsTrue(fraction is > 0 and < 1, $"a ReLU layer is partly zero: {fraction}");
                var cells = line.Split(',');
                Assert.AreEqual("64", cells[7], "activation units");
                Assert.AreEqual(fraction, double.Parse(cells[8], System.Globalization.CultureInfo.InvariantCulture));
                Assert.AreEqual(cells[8], cells[9], "one layer: its rate is the overall rate");
            }
            StringAssert.Contains(a.Stderr, "| dead ");

            // engine eval reloads the model and reproduces the final test accuracy.
            AssertEvalReproducesTestAccuracy(dirA, ja);
        }
        finally
        {
            if (Directory.Exists(dirA)) Directory.Delete(dirA, true);
            if (Directory.Exists(dirB)) Directory.Delete(dirB, true);
        }
    }

    /// <summary>engine eval on the run directory's model.safetensors gives the test accuracy the training run reported.</summary>
    private static void AssertEvalReproducesTestAccuracy(string runDir, JsonDocument train)
    {
        var eval = CliRunner.Run("eval", "--model", Path.Combine(runDir, "model.safetensors"), "--json");
        Assert.AreEqual(0, eval.ExitCode, eval.Stderr);
        using var je = JsonDocument.Parse(eval.Stdout);
        Assert.AreEqual(train.RootElement.GetProperty("test_accuracy").GetDouble(), je.RootElement.GetProperty("test_accuracy").GetDouble(), 1e-12);
    }

    [TestMethod]
    public void CnnTrainsOnDigitsAsImagesAndEvalReadsThemAlike()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-train-cnn-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliRunner.Run("train", "--data", "digits", "--model", "cnn", "--hidden", "4,8,16", "--epochs", "3", "--lr", "0.01", "--out", dir, "--json");
            Assert.AreEqual(0, r.ExitCode, r.Stderr);
            using var j = JsonDocument.Parse(r.Stdout);
            // conv1 1->4 (3x3), conv2 4->8 (3x3), fc1 8*2*2 -> 16, fc2 16 -> 10: the 64 features read as 1x8x8.
            Assert.AreEqual(4 * 9 + 4 + 8 * 4 * 9 + 8 + 32 * 16 + 16 + 16 * 10 + 10, j.RootElement.GetProperty("parameters").GetInt64());
            Assert.IsGreaterThan(0.5, j.RootElement.GetProperty("test_accuracy").GetDouble(), "three epochs learn the digits (0.74 measured)");
            AssertEvalReproducesTestAccuracy(dir, j);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void TrainOnACsvFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-csv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Two Gaussian blobs, label last, with a header row.
            var rng = new Random(3);
            var lines = new List<string> { "x,y,label" };
            for (var i = 0; i < 200; i++)
            {
                var c = i % 2;
                lines.Add(FormattableString.Invariant($"{c * 4 + rng.NextDouble()},{c * 4 + rng.NextDouble()},{c}"));
            }
            var csv = Path.Combine(dir, "blobs.csv");
            File.WriteAllLines(csv, lines);
            var r = CliRunner.Run("train", "--data", csv, "--hidden", "8", "--epochs", "20", "--batch-size", "16", "--lr", "0.01", "--out", Path.Combine(dir, "run"), "--json");
            Assert.AreEqual(0, r.ExitCode, r.Stderr);
            using var j = JsonDocument.Parse(r.Stdout);
            Assert.AreEqual(1.0, j.RootElement.GetProperty("test_accuracy").GetDouble());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void BadArgumentsGiveOneLineErrors()
    {
        var r = CliRunner.Run("train", "--data", "no-such-set", "--json");
        Assert.AreEqual(1, r.ExitCode);
        StringAssert.Contains(r.Stdout, "unknown data set 'no-such-set'");
        var m = CliRunner.Run("train", "--data", "iris", "--model", "cnn", "--json");
        Assert.AreEqual(1, m.ExitCode);
        StringAssert.Contains(m.Stdout, "needs image data");
        var o = CliRunner.Run("train", "--data", "iris", "--optimizer", "lbfgs", "--json");
        StringAssert.Contains(o.Stdout, "unknown optimizer 'lbfgs'");
    }
}
