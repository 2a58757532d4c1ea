using Engine.Lab.Analysis;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class LogisticRegressionTests
{
    /// <summary>Random 16-bit codes labelled by the argmax of a linear score over 4 classes (class c favours bits
    /// 4c..4c+3, plus random weights), keeping only rows whose best score beats the second by a margin: linearly
    /// separable (also pair by pair) by construction.</summary>
    private static (CodeMatrix Codes, int[] Labels) Separable(int rows, int seed)
    {
        var rng = new Random(seed);
        var w = new double[4, 17];
        var wrng = new Random(99);
        for (var c = 0; c < 4; c++)
            for (var j = 0; j < 17; j++)
                w[c, j] = (j / 4 == c ? 1 : 0) + wrng.NextDouble() - 0.5;
        var bits = new bool[rows, 16];
        var labels = new int[rows];
        for (var i = 0; i < rows;)
        {
            var x = Enumerable.Range(0, 16).Select(_ => rng.Next(2) == 1).ToArray();
            var scores = Enumerable.Range(0, 4).Select(c => w[c, 16] + Enumerable.Range(0, 16).Sum(j => x[j] ? w[c, j] : 0)).ToArray();
            var sorted = scores.OrderDescending().ToArray();
            if (sorted[0] - sorted[1] < 0.3) continue;
            for (var j = 0; j < 16; j++) bits[i, j] = x[j];
            labels[i++] = Array.IndexOf(scores, sorted[0]);
        }
        return (CodeMatrix.FromBits(bits), labels);
    }

    [TestMethod]
    [DataRow(LogisticMode.Multinomial)]
    [DataRow(LogisticMode.OneVsOne)]
    public void FitsALinearlySeparableCodeSetExactly(LogisticMode mode)
    {
        var (train, labels) = Separable(200, 1);
        Assert.AreEqual(4, labels.Distinct().Count());
        var predicted = CodeCategorization.LogisticRegressionPredict(train, labels, train, 4, mode, seed: 3, epochs: 150, batchSize: 50, learningRate: 0.1, weightDecay: 0);
        Assert.AreEqual(1.0, CodeCategorization.Accuracy(predicted, labels), $"{mode}");
        var (test, testLabels) = Separable(100, 2);
        var accuracy = CodeCategorization.Accuracy(CodeCategorization.LogisticRegressionPredict(train, labels, test, 4, mode, seed: 3, epochs: 150, batchSize: 50, learningRate: 0.1, weightDecay: 0), testLabels);
        Assert.IsTrue(accuracy >= 0.9, $"{mode}: held-out accuracy {accuracy}");
    }

    [TestMethod]
    [DataRow(LogisticMode.Multinomial)]
    [DataRow(LogisticMode.OneVsOne)]
    public void DefaultsFitOneHotCodesAndAreDeterministic(LogisticMode mode)
    {
        // Class c has bit c on; bits 3..7 are noise. Three minibatches per epoch, the default L2.
        var rng = new Random(5);
        var bits = new bool[600, 8];
        var labels = new int[600];
        for (var i = 0; i < 600; i++)
        {
            labels[i] = i % 3;
            bits[i, labels[i]] = true;
            for (var j = 3; j < 8; j++) bits[i, j] = rng.Next(2) == 1;
        }
        var codes = CodeMatrix.FromBits(bits);
        var a = CodeCategorization.LogisticRegressionPredict(codes, labels, codes, 3, mode, seed: 7);
        CollectionAssert.AreEqual(labels, a, $"{mode}");
        var (train, trainLabels) = Separable(64, 3);
        var b1 = CodeCategorization.LogisticRegressionPredict(train, trainLabels, train, 4, mode, seed: 11, epochs: 3, batchSize: 8);
        var b2 = CodeCategorization.LogisticRegressionPredict(train, trainLabels, train, 4, mode, seed: 11, epochs: 3, batchSize: 8);
        CollectionAssert.AreEqual(b1, b2, $"{mode}: same seed, different predictions");
    }

    [TestMethod]
    public void BadArgumentsAreClearErrors()
    {
        var (train, labels) = Separable(10, 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.LogisticRegressionPredict(train, labels[..5], train, 4));
        StringAssert.Contains(e.Message, "5 train labels for 10 train rows");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.LogisticRegressionPredict(train, labels, new CodeMatrix(2, 3), 4));
        StringAssert.Contains(e.Message, "16 bits but test codes have 3");
        int[] outOfRange = [3, .. labels[1..]];
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.LogisticRegressionPredict(train, outOfRange, train, 2));
        StringAssert.Contains(e.Message, "[0, 2); got 3");
    }
}
