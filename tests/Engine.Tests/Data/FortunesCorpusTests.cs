using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class FortunesCorpusTests
{
    [TestMethod]
    public void NormalizeKeepsPrintableAsciiAndResolvesOverstrikes()
    {
        Assert.AreEqual("bold under x\n", FortunesCorpus.Normalize("b\bbo\bold _\bu_\bn_\bd_\be_\br\tx\r\n"));
        Assert.AreEqual("caf \n", FortunesCorpus.Normalize("caf\u00e9 \u00c3\n"));
        Assert.AreEqual("\nx", FortunesCorpus.Normalize("\n\bx"), "a backspace never eats a newline");
    }

    [TestMethod]
    public void FortunesAreSplitAtPercentLines()
    {
        var fortunes = FortunesCorpus.SplitFortunes("One.\n%\nTwo\n  lines.\n%\n%\nThree, no final percent.").ToArray();
        CollectionAssert.AreEqual(new[] { "One.\n", "Two\n  lines.\n", "Three, no final percent.\n" }, fortunes);
        CollectionAssert.AreEqual(new[] { "A\n" }, FortunesCorpus.SplitFortunes("A\n%\n").ToArray());
    }

    [TestMethod]
    public void SmallDirectoryLoadsAndSplitsByFortune()
    {
        var dir = Directory.CreateTempSubdirectory("engine-fortunes-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "alpha"), "aa\n%\nbb\n%\ncc\n%\n");
            File.WriteAllText(Path.Combine(dir.FullName, "beta"), "dd\n%\n");
            File.WriteAllText(Path.Combine(dir.FullName, "alpha.dat"), "\u0001binary index, never read\u0002");
            var corpus = FortunesCorpus.Load(dir.FullName, validationFraction: 0.25, seed: 3);
            var train = corpus.Vocabulary.Decode(corpus.Train.ToArray<long>());
            var validation = corpus.Vocabulary.Decode(corpus.Validation.ToArray<long>());
            var trainFortunes = train.Split("%\n", StringSplitOptions.RemoveEmptyEntries);
            var validationFortunes = validation.Split("%\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.AreEqual(3, trainFortunes.Length, train);
            Assert.AreEqual(1, validationFortunes.Length, validation);
            CollectionAssert.AreEquivalent(new[] { "aa\n", "bb\n", "cc\n", "dd\n" }, trainFortunes.Concat(validationFortunes).ToArray());
            Assert.AreEqual("\n%abcd", corpus.Vocabulary.Characters);
            Assert.AreEqual(validation, corpus.Vocabulary.Decode(FortunesCorpus.Load(dir.FullName, 0.25, seed: 3).Validation.ToArray<long>()));

            // Without plain files, the .u8 ones are read.
            foreach (var name in new[] { "alpha", "beta" }) File.Move(Path.Combine(dir.FullName, name), Path.Combine(dir.FullName, name + ".u8"));
            CollectionAssert.AreEqual(corpus.Train.ToArray<long>(), FortunesCorpus.Load(dir.FullName, 0.25, seed: 3).Train.ToArray<long>());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void MissingCorpusSaysHowToGetIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"engine-no-fortunes-{Guid.NewGuid():N}");
        var e = Assert.ThrowsExactly<DataSetNotFoundException>(() => FortunesCorpus.Load(missing));
        foreach (var needed in new[] { missing, "does not exist", "apt-get install fortunes", "--data-dir" })
            StringAssert.Contains(e.Message, needed);
        var empty = Directory.CreateTempSubdirectory("engine-empty-fortunes-");
        try
        {
            StringAssert.Contains(Assert.ThrowsExactly<DataSetNotFoundException>(() => FortunesCorpus.Load(empty.FullName)).Message, "no fortune files");
        }
        finally
        {
            empty.Delete();
        }
    }

    [TestMethod]
    public void WindowsPairEachCharacterWithTheNext()
    {
        var tokens = Tensor.Arange(0, 11, dtype: DType.Int64);
        var windows = CharCorpus.Windows(tokens, 3);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, windows.Inputs.ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, windows.Targets.ToArray<long>());
        CollectionAssert.AreEqual(new[] { 3, 3 }, windows.Inputs.Shape.ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => CharCorpus.Windows(tokens, 11));
        Assert.ThrowsExactly<ArgumentException>(() => CharCorpus.Windows(tokens.To(DType.Float32), 2));
        Assert.ThrowsExactly<ArgumentException>(() => new CharVocabulary("ab").Encode("abc"));
        Assert.ThrowsExactly<ArgumentException>(() => new CharVocabulary("ab").Decode([2]));
    }

    [TestMethod]
    public void RealCorpusHasItsFortunesAndAPrintableVocabulary()
    {
        var corpus = TestData.FortunesOrInconclusive();
        var total = corpus.Train.Size(0) + corpus.Validation.Size(0);
        Assert.IsTrue(total > 2_000_000, $"about 2.5 million characters; got {total}");
        Assert.AreEqual(0.1, corpus.Validation.Size(0) / (double)total, 0.02);
        Assert.IsTrue(corpus.Vocabulary.Count is > 80 and <= 96, $"printable ASCII and newline; got {corpus.Vocabulary.Count}");
        Assert.IsTrue(corpus.Vocabulary.Characters.All(c => c == '\n' || c is >= ' ' and <= '~'));
    }
}
