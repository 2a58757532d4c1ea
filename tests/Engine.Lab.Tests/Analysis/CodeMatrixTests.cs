using Engine.Lab.Analysis;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class CodeMatrixTests
{
    /// <summary>A [rows, bits] bool array from strings of '0'/'1', one per row.</summary>
    internal static bool[,] Bits(params string[] rows)
    {
        var bits = new bool[rows.Length, rows.Length == 0 ? 0 : rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows[i].Length; j++)
                bits[i, j] = rows[i][j] == '1';
        return bits;
    }

    internal static CodeMatrix Codes(params string[] rows) => CodeMatrix.FromBits(Bits(rows));

    private static string RowString(CodeMatrix m, int row) => string.Concat(Enumerable.Range(0, m.Bits).Select(j => m[row, j] ? '1' : '0'));

    [TestMethod]
    public void FromBitsPacksLowBitFirstAcrossWords()
    {
        var bits = new bool[2, 130];
        bits[0, 0] = bits[0, 63] = bits[0, 64] = bits[0, 129] = true;
        bits[1, 1] = true;
        var m = CodeMatrix.FromBits(bits);
        Assert.AreEqual(3, m.WordsPerRow);
        Assert.AreEqual(1UL | 1UL << 63, m.Words[0]);
        Assert.AreEqual(1UL, m.Words[1]);
        Assert.AreEqual(2UL, m.Words[2]);
        Assert.AreEqual(2UL, m.Words[3]);
        Assert.AreEqual(0UL, m.Words[4]);
        Assert.IsTrue(m[0, 129]);
        Assert.IsFalse(m[1, 129]);
        Assert.AreEqual(4, m.PopCount(0));
        Assert.AreEqual(3, m.Row(1).Length);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m[2, 0]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m[0, 130]);
    }

    [TestMethod]
    public void RedundancyCountsDuplicateRowsExactly()
    {
        // 6 rows, 3 distinct codes ("0101", "1100" x3, "0000" x2): (6 - 3) / 6.
        var m = Codes("0101", "1100", "0000", "1100", "0000", "1100");
        Assert.AreEqual(3, m.DistinctRows());
        Assert.AreEqual(0.5, ActivationCodes.RedundancyRatio(m), 1e-15);
        Assert.AreEqual(0.0, ActivationCodes.RedundancyRatio(Codes("01", "10", "11")));
        Assert.AreEqual(0.0, ActivationCodes.RedundancyRatio(new CodeMatrix(0, 5)));
        Assert.AreEqual(2.0 / 3, ActivationCodes.RedundancyRatio(new CodeMatrix(3, 0)), 1e-15);
    }

    [TestMethod]
    public void RedundancyTellsApartRowsDifferingOnlyInALateWord()
    {
        var bits = new bool[4, 200];
        bits[1, 199] = true;
        bits[2, 199] = true;
        bits[3, 5] = true;
        Assert.AreEqual(0.25, ActivationCodes.RedundancyRatio(CodeMatrix.FromBits(bits)), 1e-15);
    }

    [TestMethod]
    public void ConstantColumnsLookAtTrainAndTestTogether()
    {
        // Column 0 always 1, column 3 always 0, column 1 varies only in test, column 2 varies only in train.
        var train = Codes("1010", "1000", "1010");
        var test = Codes("1110", "1000");
        CollectionAssert.AreEqual(new[] { true, true, false, true }, CodeMatrix.ConstantColumns(train));
        CollectionAssert.AreEqual(new[] { true, false, false, true }, CodeMatrix.ConstantColumns(train, test));
        var (tr, te) = ActivationCodes.DropConstantColumns(train, test);
        Assert.AreEqual(2, tr.Bits);
        CollectionAssert.AreEqual(new[] { "01", "00", "01" }, Enumerable.Range(0, 3).Select(i => RowString(tr, i)).ToArray());
        CollectionAssert.AreEqual(new[] { "11", "00" }, Enumerable.Range(0, 2).Select(i => RowString(te, i)).ToArray());
    }

    [TestMethod]
    public void DropColumnsRepacksAcrossWordBoundaries()
    {
        var rng = new Random(3);
        var bits = new bool[5, 150];
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 150; j++)
                bits[i, j] = rng.Next(2) == 1;
        var drop = Enumerable.Range(0, 150).Select(j => j % 3 == 1 || j == 70).ToArray();
        var m = CodeMatrix.FromBits(bits).DropColumns(drop);
        var kept = Enumerable.Range(0, 150).Where(j => !drop[j]).ToArray();
        Assert.AreEqual(kept.Length, m.Bits);
        for (var i = 0; i < 5; i++)
            for (var n = 0; n < kept.Length; n++)
                Assert.AreEqual(bits[i, kept[n]], m[i, n], $"row {i}, new bit {n} (old {kept[n]})");
        // Padding bits past Bits stay zero, so whole-word comparisons stay valid.
        Assert.AreEqual(0UL, m.Words[m.WordsPerRow - 1] >> (m.Bits % 64));
    }

    [TestMethod]
    public void ToTensorAndFromPositiveRoundTrip()
    {
        var m = Codes("101", "011");
        var t = m.ToTensor();
        CollectionAssert.AreEqual(new[] { 2, 3 }, t.Shape.ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 0, 1, 0, 1, 1 }, t.ToArray<float>());
        var back = CodeMatrix.FromPositive(Tensor.FromArray(new float[] { 0.5f, 0, -1, 1e-30f, -0f, 2 }, 2, 3));
        Assert.AreEqual("100", RowString(back, 0));
        Assert.AreEqual("101", RowString(back, 1));
    }

    [TestMethod]
    public void MismatchedShapesAreClearErrors()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ActivationCodes.DropConstantColumns(Codes("10"), Codes("101")));
        StringAssert.Contains(e.Message, "DropConstantColumns");
        StringAssert.Contains(e.Message, "2 bits");
        e = Assert.ThrowsExactly<ArgumentException>(() => Codes("10").DropColumns([true]));
        StringAssert.Contains(e.Message, "1 entries");
        Assert.ThrowsExactly<ArgumentException>(() => new CodeMatrix(-1, 3));
    }
}
