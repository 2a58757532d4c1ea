using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Tests.NnTests;

/// <summary>The ready-made models: state-dict names and shapes as their PyTorch counterparts, parameter counts, output
/// shapes, and a short SGD run on random data in which the loss falls.</summary>
[TestClass]
public sealed class ModelTests
{
    private static (string, int[])[] BatchNormEntries(string prefix, int c) =>
    [
        ($"{prefix}.weight", [c]), ($"{prefix}.bias", [c]), ($"{prefix}.running_mean", [c]), ($"{prefix}.running_var", [c]),
        ($"{prefix}.num_batches_tracked", []),
    ];

    private static void AssertTrains(Module<Tensor, Tensor> model, int[] inputShape, int classes, double lr = 0.05)
    {
        var (x, y) = NnCheck.RandomBatch(inputShape, classes, 17);
        var (first, last) = NnCheck.TrainSgd(model, x, y, 20, lr);
        Console.WriteLine($"{model.TypeName}: loss {first:F4} -> {last:F4}");
        Assert.IsLessThan(0.7 * first, last, $"{model.TypeName}: the loss should fall ({first} -> {last})");
    }

    [TestMethod]
    public void MlpMatchesTorchSequential()
    {
        var mlp = new Mlp(784, [256, 256], 10);
        NnCheck.StateDict(mlp,
            ("0.weight", [256, 784]), ("0.bias", [256]), ("2.weight", [256, 256]), ("2.bias", [256]), ("4.weight", [10, 256]), ("4.bias", [10]));
        Assert.AreEqual(
            """
            Mlp(
              (0): Linear(in_features=784, out_features=256, bias=True)
              (1): ReLU()
              (2): Linear(in_features=256, out_features=256, bias=True)
              (3): ReLU()
              (4): Linear(in_features=256, out_features=10, bias=True)
            )
            """.ReplaceLineEndings("\n"),
            mlp.ToString());
        CollectionAssert.AreEqual(new[] { 3, 10 }, mlp.Forward(Tensor.Zeros(3, 784)).Shape.ToArray());
        Assert.AreEqual(3, mlp.Linears.Count());
    }

    [TestMethod]
    public void MlpWithBatchNormDropoutAndCustomActivation()
    {
        var mlp = new Mlp(8, [6, 5], 3, () => new Tanh(), batchNorm: true, dropout: 0.2, generator: new Generator(1));
        CollectionAssert.AreEqual(
            new[] { typeof(Linear), typeof(BatchNorm1d), typeof(Tanh), typeof(Dropout), typeof(Linear), typeof(BatchNorm1d), typeof(Tanh), typeof(Dropout), typeof(Linear) },
            mlp.Select(m => m.GetType()).ToArray());
        NnCheck.StateDict(mlp,
            [("0.weight", [6, 8]), ("0.bias", [6]), .. BatchNormEntries("1", 6), ("4.weight", [5, 6]), ("4.bias", [5]), .. BatchNormEntries("5", 5),
             ("8.weight", [3, 5]), ("8.bias", [3])]);
        Assert.AreEqual(2, mlp.Modules().OfType<Activation>().Count());
        Assert.AreNotSame(mlp[2], mlp[6], "a new activation per layer");
        AssertTrains(mlp, [16, 8], 3, 0.5);
    }

    [TestMethod]
    public void MlpTrains() => AssertTrains(new Mlp(10, [32, 32], 4, generator: new Generator(2)), [16, 10], 4, 0.5);

    [TestMethod]
    public void CnnMatchesTheLeNetStyleLayout()
    {
        var cnn = new Cnn();
        NnCheck.StateDict(cnn,
            ("conv1.weight", [32, 1, 3, 3]), ("conv1.bias", [32]), ("conv2.weight", [64, 32, 3, 3]), ("conv2.bias", [64]),
            ("fc1.weight", [128, 64 * 7 * 7]), ("fc1.bias", [128]), ("fc2.weight", [10, 128]), ("fc2.bias", [10]));
        Assert.AreEqual(320 + 18_496 + 401_536 + 1_290, cnn.ParameterCount);
        CollectionAssert.AreEqual(
            new[] { "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2" },
            cnn.NamedChildren().Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 10 }, cnn.Forward(Tensor.Zeros(2, 1, 28, 28)).Shape.ToArray());
        var rgb = new Cnn(3, 5, 32, 8, 16, 24);
        CollectionAssert.AreEqual(new[] { 2, 5 }, rgb.Forward(Tensor.Zeros(2, 3, 32, 32)).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 24, 16 * 8 * 8 }, rgb.Fc1.Weight.Shape.ToArray());
    }

    [TestMethod]
    public void CnnTrains() => AssertTrains(new Cnn(1, 4, 8, 4, 8, 16, generator: new Generator(3)), [8, 1, 8, 8], 4, 0.5);

    [TestMethod]
    public void ResNet20MatchesTheCifarLayout()
    {
        var net = new ResNet20(3, 10);
        var expected = new List<(string, int[])> { ("conv1.weight", [16, 3, 3, 3]) };
        expected.AddRange(BatchNormEntries("bn1", 16));
        var inC = 16;
        foreach (var (stage, c) in new[] { (1, 16), (2, 32), (3, 64) })
            for (var block = 0; block < 3; block++)
            {
                var p = $"layer{stage}.{block}";
                expected.Add(($"{p}.conv1.weight", [c, block == 0 ? inC : c, 3, 3]));
                expected.AddRange(BatchNormEntries($"{p}.bn1", c));
                expected.Add(($"{p}.conv2.weight", [c, c, 3, 3]));
                expected.AddRange(BatchNormEntries($"{p}.bn2", c));
                inC = c;
            }
        expected.Add(("linear.weight", [10, 64]));
        expected.Add(("linear.bias", [10]));
        NnCheck.StateDict(net, [.. expected]);
        Assert.AreEqual(269_722, net.ParameterCount, "0.27M parameters, as the paper's ResNet-20");
        Assert.AreEqual(19, net.Modules().OfType<Relu>().Count(), "analysis code sees every ReLU");
        Assert.AreEqual(2, net.Modules().OfType<ZeroPadShortcut>().Count(), "option A shortcuts where the shape changes");

        net.Eval();
        foreach (var size in new[] { 28, 32 })
            CollectionAssert.AreEqual(new[] { 2, 10 }, net.Forward(Tensor.Randn([2, 3, size, size], DType.Float32, new Generator(4))).Shape.ToArray());
        var gray = new ResNet20(1, 10);
        CollectionAssert.AreEqual(new[] { 16, 1, 3, 3 }, gray.StateDict()["conv1.weight"].Shape.ToArray());
    }

    [TestMethod]
    public void ZeroPadShortcutSubsamplesAndPadsChannels()
    {
        var x = Tensor.Arange(0, 2 * 4 * 4, 1, DType.Float64).Reshape(1, 2, 4, 4);
        var y = new ZeroPadShortcut(2, 6, 2).Forward(x);
        CollectionAssert.AreEqual(new[] { 1, 6, 2, 2 }, y.Shape.ToArray());
        NnCheck.Close([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 8, 10, 16, 18, 24, 26, 0, 0, 0, 0, 0, 0, 0, 0], y);
    }

    [TestMethod]
    public void ResNet20Trains() => AssertTrains(new ResNet20(3, 4, generator: new Generator(5)), [8, 3, 8, 8], 4, 0.2);

    [TestMethod]
    public void VggMatchesTorchvisionNames()
    {
        var vgg = new Vgg();
        var expected = new List<(string, int[])>();
        foreach (var (index, inC, outC) in new[] { (0, 3, 64), (4, 64, 128), (8, 128, 256), (11, 256, 256) })
        {
            expected.Add(($"features.{index}.weight", [outC, inC, 3, 3]));
            expected.Add(($"features.{index}.bias", [outC]));
            expected.AddRange(BatchNormEntries($"features.{index + 1}", outC));
        }
        expected.AddRange([("classifier.0.weight", [256, 256]), ("classifier.0.bias", [256]), ("classifier.3.weight", [10, 256]), ("classifier.3.bias", [10])]);
        NnCheck.StateDict(vgg, [.. expected]);
        Assert.AreEqual(3, vgg.Features.OfType<MaxPool2d>().Count());
        vgg.Eval();
        foreach (var size in new[] { 28, 32 })
            CollectionAssert.AreEqual(new[] { 2, 10 }, vgg.Forward(Tensor.Randn([2, 3, size, size], DType.Float32, new Generator(6))).Shape.ToArray());

        var plain = new Vgg(1, 4, [8, Vgg.Pool, 16], batchNorm: false, hidden: 12);
        NnCheck.StateDict(plain,
            ("features.0.weight", [8, 1, 3, 3]), ("features.0.bias", [8]), ("features.3.weight", [16, 8, 3, 3]), ("features.3.bias", [16]),
            ("classifier.0.weight", [12, 16]), ("classifier.0.bias", [12]), ("classifier.3.weight", [4, 12]), ("classifier.3.bias", [4]));
    }

    [TestMethod]
    public void VggTrains()
        => AssertTrains(new Vgg(1, 4, [16, Vgg.Pool, 32, Vgg.Pool], hidden: 32, dropout: 0, generator: new Generator(7)), [8, 1, 8, 8], 4, 0.3);
}
