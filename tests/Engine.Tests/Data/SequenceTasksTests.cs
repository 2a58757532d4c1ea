using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class SequenceTasksTests
{
    [TestMethod]
    public void AddingProblemTargetIsTheSumOfTheTwoMarkedValues()
    {
        const int n = 4000, length = 30;
        var set = AddingProblem.Generate(n, length, seed: 2);
        CollectionAssert.AreEqual(new[] { n, length, 2 }, set.Inputs.Shape.ToArray());
        Assert.AreEqual(SequenceTargetKind.Value, set.TargetKind);
        Assert.IsTrue(set.Lengths.ToArray<long>().All(l => l == length));
        var x = set.Inputs.ToArray<float>();
        var y = set.Targets.ToArray<float>();
        var squaredError = 0.0;
        for (var i = 0; i < n; i++)
        {
            var marked = Enumerable.Range(0, length).Where(t => x[(i * length + t) * 2 + 1] != 0).ToArray();
            Assert.AreEqual(2, marked.Length, $"sample {i}");
            Assert.IsTrue(marked[0] < length / 2 && marked[1] >= length / 2, $"one marker in each half: {marked[0]}, {marked[1]}");
            Assert.IsTrue(Enumerable.Range(0, length).All(t => x[(i * length + t) * 2 + 1] is 0 or 1));
            var values = Enumerable.Range(0, length).Select(t => x[(i * length + t) * 2]).ToArray();
            Assert.IsTrue(values.All(v => v is >= 0 and < 1));
            Assert.AreEqual(values[marked[0]] + values[marked[1]], y[i], 1e-6);
            squaredError += (y[i] - 1) * (y[i] - 1);
        }
        // The baseline the documentation names: predicting 1 scores the variance of a sum of two uniforms, 1/6.
        Assert.AreEqual(1 / 6.0, squaredError / n, 0.01);

        CollectionAssert.AreEqual(x, AddingProblem.Generate(n, length, seed: 2).Inputs.ToArray<float>());
        CollectionAssert.AreNotEqual(y, AddingProblem.Generate(n, length, seed: 3).Targets.ToArray<float>());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AddingProblem.Generate(10, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AddingProblem.Generate(0, 10));
    }

    [TestMethod]
    public void CopyTaskAsksForTheFirstSymbolsAfterTheDelimiter()
    {
        const int n = 200, delay = 15, copy = 4, symbols = 5;
        var set = CopyTask.Generate(n, delay, copy, symbols, seed: 4);
        var steps = delay + 2 * copy;
        CollectionAssert.AreEqual(new[] { n, steps, symbols + 2 }, set.Inputs.Shape.ToArray());
        Assert.AreEqual(SequenceTargetKind.StepClass, set.TargetKind);
        Assert.AreEqual(symbols + 1, set.ClassCount);
        Assert.AreEqual("blank", set.ClassNames[0]);
        var inputs = set.Inputs.Argmax(2).ToArray<long>();
        var targets = set.Targets.ToArray<long>();
        Assert.IsTrue(set.Inputs.Sum(2).ToArray<float>().All(v => v == 1), "one symbol per step");
        for (var i = 0; i < n; i++)
        {
            var input = inputs.AsSpan(i * steps, steps).ToArray();
            var target = targets.AsSpan(i * steps, steps).ToArray();
            CollectionAssert.AreEqual(input[..copy], target[^copy..], $"sample {i} copies its first symbols at the end");
            Assert.IsTrue(input[..copy].All(s => s is >= 1 and <= symbols));
            Assert.IsTrue(input[copy..].Select((s, t) => t == delay - 1 ? s == symbols + 1 : s == 0).All(ok => ok), "blanks around one delimiter");
            Assert.IsTrue(target[..^copy].All(s => s == 0), "blanks until the delimiter has passed");
        }
        Assert.AreEqual(copy * Math.Log(symbols) / steps, CopyTask.BaselineLoss(delay, copy, symbols), 1e-12);
        CollectionAssert.AreEqual(targets, CopyTask.Generate(n, delay, copy, symbols, seed: 4).Targets.ToArray<long>());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CopyTask.Generate(10, 0));
    }

    [TestMethod]
    public void SequentialDigitsReadTheImageRowByRowOrPixelByPixel()
    {
        var table = EmbeddedDataSets.Digits();
        var pixels = SequentialDigits.Load(SequentialDigits.Layout.Pixels);
        var rows = SequentialDigits.Load(SequentialDigits.Layout.Rows);
        CollectionAssert.AreEqual(new[] { 1797, 64, 1 }, pixels.Inputs.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 1797, 8, 8 }, rows.Inputs.Shape.ToArray());
        var expected = table.Features.ToArray<float>().Select(v => v / 16).ToArray();
        CollectionAssert.AreEqual(expected, pixels.Inputs.ToArray<float>());
        CollectionAssert.AreEqual(expected, rows.Inputs.ToArray<float>(), "row r, column c is pixel 8 r + c");
        Assert.AreEqual(1f, pixels.Inputs.Max().Item<float>());
        CollectionAssert.AreEqual(table.Labels.ToArray<long>(), rows.Targets.ToArray<long>());
        Assert.IsTrue(rows.Lengths.ToArray<long>().All(l => l == 8));
        Assert.AreEqual(10, pixels.ClassCount);
    }

    [TestMethod]
    public void BatchesAreCutToTheirLongestSequence()
    {
        var set = ReberGrammar.Classification(130, seed: 9);
        var seen = new List<long>();
        var lengths = set.Lengths.ToArray<long>();
        var gen = new Generator(1);
        foreach (var batch in set.Batches(32, shuffle: true, gen))
        {
            var batchLengths = batch.Lengths.ToArray<long>();
            Assert.AreEqual((int)batchLengths.Max(), batch.Inputs.Size(1));
            Assert.AreEqual(batch.Inputs.Size(0), batch.Targets.Size(0));
            seen.AddRange(batchLengths);
        }
        Assert.AreEqual(130, seen.Count);
        CollectionAssert.AreEquivalent(lengths, seen.ToArray(), "every sequence once");
        var inOrder = set.Batches(100).ToArray();
        Assert.AreEqual(2, inOrder.Length);
        CollectionAssert.AreEqual(lengths[100..], inOrder[1].Lengths.ToArray<long>());

        // Per-step targets are cut with the inputs.
        var copy = CopyTask.Generate(10, 5, 2, 3);
        var copyBatch = copy.Batches(4).First();
        Assert.AreEqual(copyBatch.Inputs.Size(1), copyBatch.Targets.Size(1));
    }

    [TestMethod]
    public void InconsistentSequenceSetsAreRefused()
    {
        var x = Tensor.Zeros(3, 4, 2);
        var labels = Tensor.FromArray(new long[] { 0, 1, 1 });
        Assert.AreEqual(3, new SequenceSet("ok", x, Tensor.FromArray(new long[] { 1, 4, 2 }), labels, ["a", "b"]).Count);
        var tooLong = Assert.ThrowsExactly<ArgumentException>(() => new SequenceSet("s", x, Tensor.FromArray(new long[] { 1, 5, 2 }), labels, ["a", "b"]));
        StringAssert.Contains(tooLong.Message, "[1, 4]");
        Assert.ThrowsExactly<ArgumentException>(() => new SequenceSet("s", x, Tensor.FromArray(new long[] { 0, 4, 2 }), labels, ["a", "b"]));
        Assert.ThrowsExactly<ArgumentException>(() => new SequenceSet("s", x, Tensor.FromArray(new long[] { 1, 4 }), labels, ["a", "b"]));
        Assert.ThrowsExactly<ArgumentException>(() => new SequenceSet("s", Tensor.Zeros(3, 4), Tensor.FromArray(new long[] { 1, 4, 2 }), labels, ["a", "b"]));
        var badClass = Assert.ThrowsExactly<ArgumentException>(() => new SequenceSet("s", x, Tensor.FromArray(new long[] { 1, 4, 2 }), labels, ["a"]));
        StringAssert.Contains(badClass.Message, "[0, 1)");
        var badSteps = Assert.ThrowsExactly<ArgumentException>(
            () => new SequenceSet("s", x, Tensor.FromArray(new long[] { 1, 4, 2 }), Tensor.Zeros([3, 3], DType.Int64), ["a"]));
        StringAssert.Contains(badSteps.Message, "[3, 4]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReberGrammar.Classification(10).Batches(0).ToArray());
    }
}
