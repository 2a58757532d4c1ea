namespace Engine.Tests.TensorTests;

/// <summary>Without a graph, an op's result must be the only holder of its storage, so disposing it returns the
/// memory to the pool at once. A regression: several ops returned a view (reshape, squeeze, strided slot) of an
/// internal tensor that nothing disposed, so their memory waited for the garbage collector and every call allocated
/// afresh.</summary>
[TestClass]
public sealed class ResultStorageTests
{
    private static readonly Generator Seeded = new(11);
    private static readonly Tensor X = Tensor.Randn([8, 16], DType.Float32, Seeded);
    private static readonly Tensor Images = Tensor.Randn([2, 3, 8, 8], DType.Float32, Seeded);
    private static readonly Tensor Kernels = Tensor.Randn([4, 3, 3, 3], DType.Float32, Seeded);
    private static readonly Tensor Labels = Tensor.RandInt(0, 16, [8], generator: Seeded);

    public static IEnumerable<object[]> Ops() =>
    [
        ["Sum(1)", (Func<Tensor>)(() => X.Sum(1))],
        ["Sum()", (Func<Tensor>)(() => X.Sum())],
        ["Mean(0)", (Func<Tensor>)(() => X.Mean(0))],
        ["Max()", (Func<Tensor>)(() => X.Max())],
        ["Max(1).Values", (Func<Tensor>)(() => X.Max(1).Values)],
        ["Max(1, keepDim).Values", (Func<Tensor>)(() => X.Max(1, keepDim: true).Values)],
        ["Argmax(1)", (Func<Tensor>)(() => X.Argmax(1))],
        ["Argmax()", (Func<Tensor>)(() => X.Argmax())],
        ["Amax([1])", (Func<Tensor>)(() => X.Amax([1]))],
        ["Softmax(0)", (Func<Tensor>)(() => X.Softmax(0))],
        ["Softmax of a 0-d tensor", (Func<Tensor>)(() => Tensor.Scalar(2.0).Softmax(0))],
        ["LogSumExp([1])", (Func<Tensor>)(() => X.LogSumExp([1]))],
        ["Cat", (Func<Tensor>)(() => Tensor.Cat([X, X], 0))],
        ["Matmul", (Func<Tensor>)(() => X.Matmul(X.T))],
        ["Conv2d", (Func<Tensor>)(() => Tensor.Conv2d(Images, Kernels, padding: 1))],
        ["MaxPool2d", (Func<Tensor>)(() => Images.MaxPool2d(2))],
        ["CrossEntropy", (Func<Tensor>)(() => Engine.Nn.Losses.CrossEntropy(X, Labels))],
        ["Norm", (Func<Tensor>)(() => X.Norm())],
    ];

    [TestMethod]
    [DynamicData(nameof(Ops))]
    public void DisposingTheResultReleasesItsStorage(string name, Func<Tensor> op)
    {
        var y = op();
        var storage = y.Storage;
        Assert.AreEqual(1, storage.References, $"{name}: tensors holding the result's storage");
        y.Dispose();
        Assert.IsTrue(storage.IsReleased, name);
    }
}
