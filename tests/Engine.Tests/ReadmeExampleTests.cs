namespace Engine.Tests;

/// <summary>Keeps README.md's example honest: the code between the markers below is the README's example, verbatim
/// (checked by <see cref="ReadmeShowsExactlyThisExample"/>), and it must train to high accuracy.</summary>
[TestClass]
public sealed class ReadmeExampleTests
{
    private const string BeginMarker = "// README example begins";
    private const string EndMarker = "// README example ends";

    [TestMethod]
    public void LogisticRegressionExampleLearnsTheSeparatingLine()
    {
        var accuracy = RunReadmeExample();
        Assert.IsTrue(accuracy >= 0.95f, $"accuracy {accuracy:P1}, expected >= 95%");
    }

    [TestMethod]
    public void ReadmeShowsExactlyThisExample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        var source = File.ReadAllLines(Path.Combine(root, "tests", "Engine.Tests", "ReadmeExampleTests.cs"));

        var start = Array.FindIndex(readme, l => l.StartsWith("```csharp", StringComparison.Ordinal));
        Assert.IsTrue(start >= 0, "README.md has no ```csharp block");
        var end = Array.FindIndex(readme, start + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        // The README's block starts with the using directive(s) a program file needs; the test file has them at the top.
        var shown = readme[(start + 1)..end].SkipWhile(l => l.StartsWith("using ", StringComparison.Ordinal) || l.Length == 0);

        var begin = Array.FindIndex(source, l => l.Trim() == BeginMarker);
        var finish = Array.FindIndex(source, l => l.Trim() == EndMarker);
        var tested = Dedent(source[(begin + 1)..finish]);

        Assert.AreEqual(string.Join('\n', tested), string.Join('\n', shown.Select(l => l.TrimEnd())),
            "README.md's example differs from the one tested in ReadmeExampleTests.cs; change both together");
    }

    private static float RunReadmeExample()
    {
        // README example begins
        // 500 points in 2-D, labelled by the side of a line they fall on.
        var x = Tensor.Randn([500, 2], DType.Float32, new Generator(seed: 0));
        var y = (x.Matmul(Tensor.FromArray([2f, -3f], 2, 1)) + 0.5).Gt(0).To(DType.Float32);

        var w = Tensor.Zeros(2, 1).RequiresGrad_();
        var b = Tensor.Zeros(1).RequiresGrad_();
        const double lr = 0.5;
        for (var step = 0; step < 300; step++)
        {
            var logits = x.Matmul(w) + b;
            var loss = (logits.Softplus() - y * logits).Mean(); // binary cross-entropy, in its stable form
            loss.Backward();
            using (Autograd.NoGrad())
            {
                w.Sub_(w.Grad! * lr);
                b.Sub_(b.Grad! * lr);
                w.Grad = null;
                b.Grad = null;
            }
        }

        var predicted = (x.Matmul(w) + b).Sigmoid().Gt(0.5).To(DType.Float32);
        var accuracy = predicted.Eq(y).To(DType.Float32).Mean().Item<float>();
        Console.WriteLine($"accuracy {accuracy:P1}");
        // README example ends
        return accuracy;
    }

    private static string[] Dedent(string[] lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return [.. lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim())];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Engine.sln above {AppContext.BaseDirectory}");
    }
}
