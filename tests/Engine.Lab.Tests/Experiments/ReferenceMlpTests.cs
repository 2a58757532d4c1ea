using Engine.Lab.Experiments;
using Engine.Nn;

namespace Engine.Lab.Tests.Experiments;

[TestClass]
public sealed class ReferenceMlpTests
{
    [TestMethod]
    public void SplitWidthSharesTheTotalAcrossLayers()
    {
        CollectionAssert.AreEqual(new[] { 100 }, ReferenceMlp.SplitWidth(100, 1));
        CollectionAssert.AreEqual(new[] { 50, 50 }, ReferenceMlp.SplitWidth(100, 2));
        CollectionAssert.AreEqual(new[] { 4, 3, 3 }, ReferenceMlp.SplitWidth(10, 3));
        Assert.AreEqual(10, ReferenceMlp.SplitWidth(10, 3).Sum());
    }

    [TestMethod]
    public void SplitWidthRejectsFewerUnitsThanLayers()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ReferenceMlp.SplitWidth(2, 3));
        StringAssert.Contains(e.Message, "width 2");
        Assert.ThrowsExactly<ArgumentException>(() => ReferenceMlp.SplitWidth(5, 0));
    }

    [TestMethod]
    public void StructureIsLinearBatchNormReluPerLayerThenLinear()
    {
        var model = ReferenceMlp.Create(inFeatures: 64, width: 10, depth: 2, classes: 10, generator: new Generator(1));
        var types = model.Select(m => m.GetType()).ToArray();
        CollectionAssert.AreEqual(
            new[] { typeof(Linear), typeof(BatchNorm1d), typeof(Relu), typeof(Linear), typeof(BatchNorm1d), typeof(Relu), typeof(Linear) }, types);
        var shapes = model.NamedParameters().ToDictionary(p => p.Name, p => Shape.Format(p.Parameter.Shape));
        CollectionAssert.AreEqual(
            new[] { "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "6.weight", "6.bias" },
            shapes.Keys.ToArray());
        Assert.AreEqual("(5,64)", shapes["0.weight"]);
        Assert.AreEqual("(5,5)", shapes["3.weight"]);
        Assert.AreEqual("(10,5)", shapes["6.weight"]);
        Assert.IsTrue(model.NamedBuffers().Any(b => b.Name == "1.running_mean"));
    }

    [TestMethod]
    public void DropoutFollowsEachRelu()
    {
        var model = ReferenceMlp.Create(inFeatures: 4, width: 6, depth: 2, classes: 3, dropout: 0.2, generator: new Generator(1));
        var types = model.Select(m => m.GetType().Name).ToArray();
        CollectionAssert.AreEqual(new[] { "Linear", "BatchNorm1d", "Relu", "Dropout", "Linear", "BatchNorm1d", "Relu", "Dropout", "Linear" }, types);
    }

    [TestMethod]
    public void ImagesAreFlattened()
    {
        var model = ReferenceMlp.Create(inFeatures: 16, width: 3, depth: 1, classes: 2, generator: new Generator(1));
        model.Eval();
        using var _ = Autograd.NoGrad();
        Assert.AreEqual("(5,2)", Shape.Format(model.Forward(Tensor.Rand(5, 1, 4, 4)).Shape));
    }
}
