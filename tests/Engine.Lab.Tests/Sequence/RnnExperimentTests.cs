using Engine.Data;
using Engine.Lab.Sequence;

namespace Engine.Lab.Tests.Sequence;

[TestClass]
public sealed class RnnExperimentTests
{
    [TestMethod]
    public void GruLearnsToTellReberStringsFromCorruptedOnes()
    {
        var options = new RnnOptions { Task = RnnTask.Reber, Cell = RnnCellKind.Gru, Samples = 2400, Hidden = 16, Epochs = 6, BatchSize = 32, Lr = 0.02, Seed = 3 };
        var run = RnnExperiment.Run(options);
        var r = run.Result;
        Assert.AreEqual(1800, r.TrainSamples);
        Assert.AreEqual(6, r.History.Count);
        // Chance is 50% (the classes are balanced and the corrupted strings are as long as the valid ones).
        Assert.IsGreaterThan(0.95, r.TestAccuracy!.Value, $"test accuracy {r.TestAccuracy}");
        Assert.IsLessThan(r.History[0].TrainLoss, r.TrainLoss);
        Assert.IsLessThan(0.3, r.TestLoss);
        // Most test strings also occur in training; the others show that the grammar, not a list, was learned.
        Assert.IsTrue(r.UnseenTestSamples is > 20 && r.UnseenTestSamples < r.TestSamples, $"{r.UnseenTestSamples} unseen of {r.TestSamples}");
        Assert.IsGreaterThan(0.9, r.UnseenTestAccuracy!.Value, $"accuracy on unseen strings {r.UnseenTestAccuracy}");
    }

    [TestMethod]
    public void FinalStateIgnoresThePaddingOfShorterSequences()
    {
        var network = new RecurrentNetwork(RnnCellKind.Lstm, 7, 6, 2, perStep: false, bidirectional: true, generator: new Generator(2));
        network.Eval();
        var set = ReberGrammar.Classification(12, seed: 4);
        var lengths = set.Lengths.ToArray<long>();
        var batch = network.Forward(set.Inputs, set.Lengths).ToArray<float>();
        for (var i = 0; i < set.Count; i++)
        {
            var alone = network.Forward(set.Inputs.Narrow(0, i, 1).Narrow(1, 0, (int)lengths[i])).ToArray<float>();
            for (var k = 0; k < 2; k++)
                Assert.AreEqual(alone[k], batch[i * 2 + k], 1e-5, $"sequence {i} (length {lengths[i]} of {set.Steps})");
        }
    }

    [TestMethod]
    public void SamplesHaveTheRequestedLengthAndFollowTheSeed()
    {
        var vocabulary = new CharVocabulary("%\nab ");
        var network = new RecurrentNetwork(RnnCellKind.Gru, vocabulary.Count, 5, vocabulary.Count, perStep: true, generator: new Generator(1));
        network.Eval();
        var a = RnnExperiment.Sample(network, vocabulary, 40, 1.0, new Generator(7));
        var b = RnnExperiment.Sample(network, vocabulary, 40, 1.0, new Generator(7));
        var c = RnnExperiment.Sample(network, vocabulary, 40, 1.0, new Generator(8));
        Assert.AreEqual(40, a.Length);
        Assert.AreEqual(a, b);
        Assert.AreNotEqual(a, c);
        Assert.IsTrue(a.All(vocabulary.Characters.Contains));
    }

    [TestMethod]
    public void OptionsOutOfRangeAreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnOptions { Hidden = 0 }.Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnOptions { Lr = -1 }.Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnOptions { Dropout = 1 }.Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnOptions { Task = RnnTask.Adding, Samples = 2 }.Validate());
        Assert.ThrowsExactly<ArgumentException>(() => new RnnOptions { Task = RnnTask.Copy, Embedded = true }.Validate());
        Assert.AreEqual(RnnOptions.Defaults(RnnTask.Charlm).Hidden, new RnnOptions { Task = RnnTask.Charlm }.Resolve().Hidden);
        Assert.AreEqual("rnn-tanh", RnnExperiment.KebabName(RnnCellKind.RnnTanh));
        Assert.AreEqual("digits-seq", RnnExperiment.KebabName(RnnTask.DigitsSeq));
    }
}
