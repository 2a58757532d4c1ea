using System.Text.RegularExpressions;
using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class ReberGrammarTests
{
    // The Reber language written out as a regular expression, independently of the graph walk: after B, either
    // T S* X or P T* V leads to the two nodes before the exit, A = (X T* V P)* (S | X T* V V) and P A | V.
    private static readonly Regex Plain = new("^B(TS*X(XT*VP)*(S|XT*VV)|PT*V(V|P(XT*VP)*(S|XT*VV)))E$");

    [TestMethod]
    public void AcceptorAgreesWithKnownStringsAndTheRegularExpression()
    {
        foreach (var valid in new[] { "BTXSE", "BPVVE", "BTSSXSE", "BTXXVPSE", "BPTVPXVVE", "BTSXXTVVE", "BPVPXTVPSE" })
        {
            Assert.IsTrue(ReberGrammar.Accepts(valid), valid);
            Assert.IsTrue(Plain.IsMatch(valid), valid);
            Assert.IsTrue(ReberGrammar.Accepts($"BT{valid}TE", embedded: true), valid);
            Assert.IsTrue(ReberGrammar.Accepts($"BP{valid}PE", embedded: true), valid);
            Assert.IsFalse(ReberGrammar.Accepts($"BT{valid}PE", embedded: true), valid);
            Assert.IsFalse(ReberGrammar.Accepts(valid, embedded: true), valid);
        }
        foreach (var invalid in new[] { "", "B", "BE", "BPVE", "BTXS", "TXSE", "BTXSEE", "BTSSPXSE", "BTXBSE", "BPVVVE" })
        {
            Assert.IsFalse(ReberGrammar.Accepts(invalid), invalid);
            Assert.IsFalse(Plain.IsMatch(invalid), invalid);
        }

        // Every string over the inner symbols up to 7 of them (strings up to length 9), through the acceptor and the expression.
        var inner = "TPSXV";
        var words = new List<string> { "" };
        for (var length = 1; length <= 7; length++)
        {
            words = words.SelectMany(w => inner.Select(c => w + c)).ToList();
            foreach (var w in words)
                Assert.AreEqual(Plain.IsMatch($"B{w}E"), ReberGrammar.Accepts($"B{w}E"), $"B{w}E");
        }
    }

    [TestMethod]
    public void GeneratedStringsAreGrammaticalWithTheWalksProbabilities()
    {
        foreach (var embedded in new[] { false, true })
        {
            var gen = new Generator(3);
            var strings = Enumerable.Range(0, 4000).Select(_ => ReberGrammar.Generate(gen, embedded)).ToArray();
            foreach (var s in strings)
            {
                Assert.IsTrue(ReberGrammar.Accepts(s, embedded), s);
                if (!embedded) Assert.IsTrue(Plain.IsMatch(s), s);
            }
            // The two shortest strings, BTXSE and BPVVE, each take three branches: probability 1/8 each.
            var shortest = strings.Count(s => s.Length == (embedded ? 9 : 5)) / 4000.0;
            Assert.AreEqual(0.25, shortest, 0.03, $"embedded {embedded}");
            if (embedded)
                Assert.AreEqual(0.5, strings.Count(s => s[1] == 'T') / 4000.0, 0.03, "the embedding branch is a fair coin");
        }
    }

    [TestMethod]
    public void CorruptionChangesOneInnerSymbolAndBreaksTheGrammar()
    {
        foreach (var embedded in new[] { false, true })
        {
            var gen = new Generator(5);
            for (var i = 0; i < 2000; i++)
            {
                var valid = ReberGrammar.Generate(gen, embedded);
                var corrupted = ReberGrammar.Corrupt(valid, gen, embedded);
                Assert.IsFalse(ReberGrammar.Accepts(corrupted, embedded), $"{valid} -> {corrupted}");
                Assert.AreEqual(valid.Length, corrupted.Length);
                var changed = Enumerable.Range(0, valid.Length).Where(k => valid[k] != corrupted[k]).ToArray();
                Assert.AreEqual(1, changed.Length, $"{valid} -> {corrupted}");
                Assert.IsTrue(changed[0] > 0 && changed[0] < valid.Length - 1, $"{valid} -> {corrupted}");
                StringAssert.Contains("TPSXV", corrupted[changed[0]].ToString());
            }
        }
        var e = Assert.ThrowsExactly<ArgumentException>(() => ReberGrammar.Corrupt("BPVE", new Generator(0)));
        StringAssert.Contains(e.Message, "BPVE");
    }

    [TestMethod]
    public void ClassificationSetLabelsGrammarAndEncodesOneHot()
    {
        foreach (var embedded in new[] { false, true })
        {
            var set = ReberGrammar.Classification(3001, embedded, maxLength: 30, seed: 7);
            Assert.AreEqual(3001, set.Count);
            Assert.AreEqual(7, set.Features);
            Assert.AreEqual(SequenceTargetKind.Class, set.TargetKind);
            CollectionAssert.AreEqual(new[] { "invalid", "valid" }, set.ClassNames);
            var x = set.Inputs.ToArray<float>();
            var lengths = set.Lengths.ToArray<long>();
            var labels = set.Targets.ToArray<long>();
            Assert.AreEqual(1501, labels.Count(l => l == 1));
            Assert.AreEqual(lengths.Max(), set.Steps);
            Assert.IsLessThanOrEqualTo(30L, lengths.Max());
            for (var i = 0; i < set.Count; i++)
            {
                var symbols = new int[lengths[i]];
                for (var t = 0; t < set.Steps; t++)
                {
                    var row = x.AsSpan((i * set.Steps + t) * 7, 7).ToArray();
                    if (t < lengths[i])
                    {
                        Assert.AreEqual(1f, row.Sum());
                        Assert.AreEqual(1f, row.Max());
                        symbols[t] = Array.IndexOf(row, 1f);
                    }
                    else
                    {
                        Assert.AreEqual(0f, row.Sum(), "padding is zero");
                    }
                }
                var text = ReberGrammar.Decode(symbols);
                Assert.AreEqual(labels[i] == 1, ReberGrammar.Accepts(text, embedded), text);
            }

            // Invalid strings are as long as valid ones: length does not give the label away.
            var meanValid = lengths.Where((_, i) => labels[i] == 1).Average();
            var meanInvalid = lengths.Where((_, i) => labels[i] == 0).Average();
            Assert.AreEqual(meanValid, meanInvalid, 0.6);
        }
    }

    [TestMethod]
    public void ClassificationIsDeterministicBySeedAndSplitsThreeToOne()
    {
        var a = ReberGrammar.Classification(400, seed: 1);
        var b = ReberGrammar.Classification(400, seed: 1);
        var c = ReberGrammar.Classification(400, seed: 2);
        CollectionAssert.AreEqual(a.Inputs.ToArray<float>(), b.Inputs.ToArray<float>());
        CollectionAssert.AreEqual(a.Targets.ToArray<long>(), b.Targets.ToArray<long>());
        CollectionAssert.AreNotEqual(a.Lengths.ToArray<long>(), c.Lengths.ToArray<long>());

        var parts = a.Split([0.75, 0.25], seed: 3);
        Assert.AreEqual(300, parts[0].Count);
        Assert.AreEqual(100, parts[1].Count);
        Assert.AreEqual(50, parts[1].Targets.ToArray<long>().Count(l => l == 1), "stratified by label");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReberGrammar.Classification(10, maxLength: 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReberGrammar.Classification(10, embedded: true, maxLength: 8));
        Assert.ThrowsExactly<ArgumentException>(() => ReberGrammar.Encode("BTQ"));
    }
}
