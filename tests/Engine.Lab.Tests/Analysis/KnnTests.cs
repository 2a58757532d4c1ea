using Engine.Lab.Analysis;
using static Engine.Lab.Tests.Analysis.CodeMatrixTests;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class KnnTests
{
    // Distances from test "0000": 0, 1, 1, 2, 2, 4; from test "0011": 2, 1, 1, 4, 0, 2.
    private static readonly CodeMatrix Train = Codes("0000", "0001", "0010", "1100", "0011", "1111");
    private static readonly int[] Labels = [0, 1, 1, 0, 2, 2];
    private static readonly CodeMatrix Test = Codes("0000", "0011");

    [TestMethod]
    [DataRow(1, 0, 2)]
    [DataRow(2, 0, 2)] // one vote each for two classes: the class of the nearer neighbour wins
    [DataRow(3, 1, 1)]
    // First row: rows 3 and 4 tie at distance 2 for the 4th place; the lower index (3, label 0) wins, making a 2-2
    // vote between 0 and 1 that 0 wins (its nearest member is at distance 0). Taking row 4 instead would give 1.
    [DataRow(4, 0, 1)]
    [DataRow(5, 0, 2)] // second row: 2 and 1 tie 2-2 and 2 has the nearest member
    [DataRow(6, 0, 2)] // all three classes tie 2-2-2: the class of the row at distance 0 wins
    public void HandComputedVotesAndTies(int k, int first, int second)
    {
        CollectionAssert.AreEqual(new[] { first, second }, CodeCategorization.KnnPredict(Train, Labels, Test, k), $"k = {k}");
    }

    /// <summary>The rule written out naively: sort all train rows by (distance, index), take k, vote, break vote ties
    /// by the position of each class's first member in that order.</summary>
    private static int Reference(bool[,] train, int[] labels, bool[,] test, int row, int k)
    {
        var bits = train.GetLength(1);
        var nearest = Enumerable.Range(0, train.GetLength(0))
            .Select(i => (Distance: Enumerable.Range(0, bits).Count(j => train[i, j] != test[row, j]), Index: i))
            .OrderBy(n => n.Distance).ThenBy(n => n.Index).Take(k).Select(n => labels[n.Index]).ToList();
        return nearest.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => nearest.IndexOf(g.Key)).First().Key;
    }

    [TestMethod]
    [DataRow(12, 9)] // few bits: many distance ties
    [DataRow(70, 9)] // two words, not a multiple of the unrolled four
    [DataRow(300, 4)]
    public void MatchesTheNaiveRuleOnRandomCodes(int bits, int k)
    {
        var rng = new Random(bits);
        bool[,] Random(int rows)
        {
            var b = new bool[rows, bits];
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < bits; j++)
                    b[i, j] = rng.Next(2) == 1;
            return b;
        }
        // More train rows than one cache block and a test count that is not a multiple of the test group.
        var train = Random(1100);
        var test = Random(45);
        var labels = Enumerable.Range(0, 1100).Select(_ => rng.Next(5)).ToArray();
        var predicted = CodeCategorization.KnnPredict(CodeMatrix.FromBits(train), labels, CodeMatrix.FromBits(test), k);
        for (var t = 0; t < 45; t++) Assert.AreEqual(Reference(train, labels, test, t, k), predicted[t], $"test row {t}");
    }

    [TestMethod]
    public void BadArgumentsAreClearErrors()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.KnnPredict(Train, [0, 1], Test, 3));
        StringAssert.Contains(e.Message, "2 train labels for 6 train rows");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.KnnPredict(Train, Labels, Codes("000"), 3));
        StringAssert.Contains(e.Message, "4 bits but test codes have 3");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.KnnPredict(Train, Labels, Test, 7));
        StringAssert.Contains(e.Message, "train rows = 6");
        e = Assert.ThrowsExactly<ArgumentException>(() => CodeCategorization.KnnPredict(Train, [0, 1, 1, 0, -2, 2], Test, 3));
        StringAssert.Contains(e.Message, "-2");
    }
}
