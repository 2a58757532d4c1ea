namespace Engine.Tests.Tensors;

[TestClass]
public sealed class RandomTests
{
    /// <summary>Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).</summary>
    [TestMethod]
    [DataRow(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [DataRow(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [DataRow(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxMatchesKnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        var (r0, r1, r2, r3) = Philox.Block(c0, c1, c2, c3, k0, k1);
        Assert.AreEqual((e0, e1, e2, e3), (r0, r1, r2, r3));
    }

    [TestMethod]
    public void SameSeedSameBits()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            Assert.IsTrue(Tensor.Rand([5, 7], dtype, new Generator(3)).Equal(Tensor.Rand([5, 7], dtype, new Generator(3))));
            Assert.IsTrue(Tensor.Randn([5, 7], dtype, new Generator(3)).Equal(Tensor.Randn([5, 7], dtype, new Generator(3))));
        }
        Assert.IsTrue(Tensor.RandInt(-4, 9, [33], generator: new Generator(3)).Equal(Tensor.RandInt(-4, 9, [33], generator: new Generator(3))));
        Assert.IsTrue(Tensor.Bernoulli([40], 0.3, generator: new Generator(3)).Equal(Tensor.Bernoulli([40], 0.3, generator: new Generator(3))));
        Assert.IsTrue(Tensor.RandPerm(50, new Generator(3)).Equal(Tensor.RandPerm(50, new Generator(3))));
        Assert.IsTrue(Tensor.Ones(9, 9).Dropout(0.5, generator: new Generator(3)).Equal(Tensor.Ones(9, 9).Dropout(0.5, generator: new Generator(3))));
        Assert.IsFalse(Tensor.Rand([5, 7], DType.Float32, new Generator(3)).Equal(Tensor.Rand([5, 7], DType.Float32, new Generator(4))));
    }

    [TestMethod]
    public void DefaultGeneratorIsReseededByManualSeed()
    {
        Generator.ManualSeed(11);
        var a = Tensor.Randn(4, 4);
        var b = Tensor.Randn(4, 4);
        Generator.ManualSeed(11);
        Assert.IsTrue(a.Equal(Tensor.Randn(4, 4)));
        Assert.IsTrue(b.Equal(Tensor.Randn(4, 4)));
        Assert.IsFalse(a.Equal(b), "consecutive draws must differ");
    }

    [TestMethod]
    public void ConsecutiveDrawsDoNotOverlap()
    {
        // Draws of odd sizes must advance the offset past every block they used.
        var g = new Generator(5);
        var first = Tensor.Rand([3], DType.Float32, g).ToArray<float>();
        var second = Tensor.Rand([3], DType.Float32, g).ToArray<float>();
        var joint = Tensor.Rand([8], DType.Float32, new Generator(5)).ToArray<float>();
        CollectionAssert.AreEqual(joint[..3], first);
        CollectionAssert.AreEqual(joint[4..7], second);
    }

    [TestMethod]
    public void RandnHasUnitMoments()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.Randn([1_000_000], dtype, new Generator(42)).To(DType.Float64);
            var mean = x.Mean().Item();
            var std = x.Std().Item();
            Assert.IsLessThan(0.01, Math.Abs(mean), $"{dtype} mean {mean}");
            Assert.IsLessThan(0.01, Math.Abs(std - 1), $"{dtype} std {std}");
        }
    }

    [TestMethod]
    public void RandIsUniformOnUnitInterval()
    {
        var x = Tensor.Rand([200_000], DType.Float64, new Generator(9));
        Assert.IsGreaterThanOrEqualTo(0.0, x.Min().Item());
        Assert.IsLessThan(1.0, x.Max().Item());
        Assert.IsLessThan(0.005, Math.Abs(x.Mean().Item() - 0.5));
        Assert.IsLessThan(0.005, Math.Abs(x.Var().Item() - 1.0 / 12));
        var u = Tensor.Zeros(100_000).Uniform_(-2, 3, new Generator(1));
        Assert.IsGreaterThanOrEqualTo(-2.0, u.Min().Item());
        Assert.IsLessThan(3.0, u.Max().Item());
        Assert.IsLessThan(0.03, Math.Abs(u.Mean().Item() - 0.5));
    }

    [TestMethod]
    public void RandIntCoversRangeEvenly()
    {
        var x = Tensor.RandInt(-3, 4, [70_000], generator: new Generator(2));
        Assert.AreEqual(DType.Int64, x.DType);
        var values = x.ToArray<long>();
        var counts = new int[7];
        foreach (var v in values) counts[v + 3]++;
        foreach (var c in counts) Assert.IsLessThan(500, Math.Abs(c - 10_000), $"counts {string.Join(",", counts)}");
    }

    [TestMethod]
    public void RandPermIsAPermutation()
    {
        var p = Tensor.RandPerm(1000, new Generator(8)).ToArray<long>();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), p);
        Assert.IsFalse(p.SequenceEqual(Enumerable.Range(0, 1000).Select(i => (long)i)), "not shuffled");
    }

    [TestMethod]
    public void BernoulliHitsProbability()
    {
        var b = Tensor.Bernoulli([100_000], 0.3, generator: new Generator(4));
        Assert.IsLessThan(0.01, Math.Abs(b.Mean().Item() - 0.3));
        var probs = Tensor.FromArray([0.0f, 1.0f, 0.0f, 1.0f]);
        CollectionAssert.AreEqual(new[] { 0f, 1f, 0f, 1f }, probs.Bernoulli(new Generator(1)).ToArray<float>());
    }

    [TestMethod]
    public void NormalFillHasRequestedMoments()
    {
        var t = Tensor.Zeros([200_000], DType.Float64).Normal_(3, 0.5, new Generator(6));
        Assert.IsLessThan(0.01, Math.Abs(t.Mean().Item() - 3));
        Assert.IsLessThan(0.01, Math.Abs(t.Std().Item() - 0.5));
    }
}
