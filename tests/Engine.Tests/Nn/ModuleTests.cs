using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Tests.NnTests;

/// <summary>Module behaviour shared by every layer and model: modes, gradients, parameter order and count, state-dict
/// loading, dtype moves, forward hooks and printing.</summary>
[TestClass]
public sealed class ModuleTests
{
    private static Sequential SmallNet() => new(
        new Linear(4, 3, generator: new Generator(1)),
        new BatchNorm1d(3),
        new Relu(),
        new Sequential(new Dropout(0.5), new Linear(3, 2, generator: new Generator(2))));

    [TestMethod]
    public void TrainAndEvalReachEveryModule()
    {
        var net = SmallNet();
        Assert.IsTrue(net.Modules().All(m => m.IsTraining));
        net.Eval();
        Assert.IsTrue(net.Modules().All(m => !m.IsTraining), "Eval reaches nested children");
        net.Train();
        Assert.IsTrue(net.Modules().All(m => m.IsTraining));
        ((Module)net[3]).Eval();
        Assert.IsFalse(((Sequential)net[3])[0].IsTraining);
        Assert.IsTrue(net[0].IsTraining, "Eval on a child leaves its parent and siblings");
    }

    [TestMethod]
    public void ZeroGradClearsEveryParameter()
    {
        var net = SmallNet();
        net.Forward(Tensor.Randn([5, 4], DType.Float32, new Generator(3))).Sum().Backward();
        var parameters = net.Parameters().ToList();
        Assert.IsTrue(parameters.All(p => p.Grad is not null));
        var grad = parameters[0].Grad!;
        net.ZeroGrad(setToNone: false);
        Assert.AreSame(grad, parameters[0].Grad, "zeroing in place keeps the gradient tensor");
        Assert.IsTrue(parameters.All(p => p.Grad!.ToArray<float>().All(v => v == 0)));
        net.ZeroGrad();
        Assert.IsTrue(parameters.All(p => p.Grad is null));
    }

    [TestMethod]
    public void NamedParametersFollowRegistrationOrder()
    {
        var net = SmallNet();
        CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "3.1.weight", "3.1.bias" },
            net.NamedParameters().Select(p => p.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "1.running_mean", "1.running_var", "1.num_batches_tracked" },
            net.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.IsTrue(net.Parameters().All(p => p.RequiresGrad && p.IsLeaf));
        Assert.AreEqual(4 * 3 + 3 + 3 + 3 + 3 * 2 + 2, net.ParameterCount);
    }

    [TestMethod]
    public void SharedModulesCountOnceButNameEveryPathInTheStateDict()
    {
        var shared = new Linear(3, 3);
        var relu = new Relu();
        var net = new Sequential(shared, relu, shared, relu);
        CollectionAssert.AreEqual(new[] { "", "0", "1" }, net.NamedModules().Select(m => m.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "0.weight", "0.bias" }, net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.AreEqual(12, net.ParameterCount);
        CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, net.StateDict().Keys.ToArray(), "as PyTorch's state_dict");
    }

    [TestMethod]
    public void ParameterCountOfTheAcceptanceMlp()
        => Assert.AreEqual(269_322, new Mlp(784, [256, 256], 10).ParameterCount);

    [TestMethod]
    public void LoadStateDictCopiesValuesAndReportsMismatches()
    {
        var source = SmallNet();
        source.Forward(Tensor.Randn([5, 4], DType.Float32, new Generator(4)));
        var target = new Sequential(
            new Linear(4, 3, generator: new Generator(9)), new BatchNorm1d(3), new Relu(),
            new Sequential(new Dropout(0.5), new Linear(3, 2, generator: new Generator(8))));
        var weight = ((Linear)target[0]).Weight;
        var (missing, unexpected) = target.LoadStateDict(source.StateDict());
        Assert.IsEmpty(missing);
        Assert.IsEmpty(unexpected);
        Assert.AreSame(weight, ((Linear)target[0]).Weight, "loading writes into the existing tensors");
        foreach (var (name, t) in source.StateDict())
            Assert.IsTrue(t.Equal(target.StateDict()[name]), name);
        Assert.AreEqual(1L, ((BatchNorm1d)target[1]).NumBatchesTracked!.Item<long>());

        var state = source.StateDict();
        state.Remove("3.1.bias");
        state["extra.weight"] = Tensor.Zeros(1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => target.LoadStateDict(state));
        StringAssert.Contains(e.Message, "missing [3.1.bias]");
        StringAssert.Contains(e.Message, "unexpected [extra.weight]");

        var lenient = target.LoadStateDict(state, strict: false);
        CollectionAssert.AreEqual(new[] { "3.1.bias" }, lenient.Missing.ToArray());
        CollectionAssert.AreEqual(new[] { "extra.weight" }, lenient.Unexpected.ToArray());

        var before = ((Linear)target[0]).Bias!.ToArray<float>();
        var badShape = source.StateDict();
        badShape["0.bias"] = Tensor.Ones(5);
        badShape["3.1.weight"] = Tensor.Ones(2, 4);
        e = Assert.ThrowsExactly<ArgumentException>(() => target.LoadStateDict(badShape));
        StringAssert.Contains(e.Message, "(5)");
        StringAssert.Contains(e.Message, "(3)");
        CollectionAssert.AreEqual(before, ((Linear)target[0]).Bias!.ToArray<float>(), "a failed load changes nothing");
    }

    [TestMethod]
    public void ToDoubleKeepsTensorIdentitiesAndValues()
    {
        var net = SmallNet();
        net.Forward(Tensor.Randn([5, 4], DType.Float32, new Generator(5)));
        var before = net.StateDict().ToDictionary(kv => kv.Key, kv => (Tensor: kv.Value, Values: kv.Value.To(DType.Float64).ToArray<double>()));
        var parameters = net.Parameters().ToList();
        var bn = (BatchNorm1d)net[1];
        var runningMean = bn.RunningMean;
        net.To(DType.Float64);
        CollectionAssert.AreEqual(parameters, net.Parameters().ToList(), "the same parameter objects");
        Assert.AreSame(runningMean, bn.RunningMean);
        Assert.IsTrue(parameters.All(p => p.DType == DType.Float64 && p.RequiresGrad && p.IsLeaf));
        Assert.AreEqual(DType.Float64, bn.RunningVar!.DType);
        Assert.AreEqual(DType.Int64, bn.NumBatchesTracked!.DType, "integer buffers keep their dtype");
        foreach (var (name, t) in net.StateDict())
            CollectionAssert.AreEqual(before[name].Values, t.To(DType.Float64).ToArray<double>(), name);
        // The converted model runs and trains in Float64.
        var y = net.Forward(Tensor.Randn([5, 4], DType.Float64, new Generator(6)));
        Assert.AreEqual(DType.Float64, y.DType);
        y.Sum().Backward();
        Assert.AreEqual(DType.Float64, parameters[0].Grad!.DType);
    }

    [TestMethod]
    public void ForwardHooksSeeEveryChildAndCanBeRemoved()
    {
        var net = SmallNet();
        var seen = new List<(string Type, int[] Shape)>();
        var handles = net.Modules().Skip(1).Select(m => m.RegisterForwardHook((mod, _, output) =>
            seen.Add((mod.TypeName, ((Tensor)output!).Shape.ToArray())))).ToList();
        net.Forward(Tensor.Randn([5, 4], DType.Float32, new Generator(7)));
        CollectionAssert.AreEqual(new[] { "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "Sequential" }, seen.Select(s => s.Type).ToArray());
        CollectionAssert.AreEqual(new[] { 5, 3 }, seen[2].Shape);
        CollectionAssert.AreEqual(new[] { 5, 2 }, seen[5].Shape);

        handles[2].Dispose();
        handles[2].Dispose();
        seen.Clear();
        net.Forward(Tensor.Randn([5, 4], DType.Float32, new Generator(7)));
        Assert.HasCount(5, seen);
        Assert.IsFalse(seen.Any(s => s.Type == "ReLU"), "a removed hook does not fire");
    }

    [TestMethod]
    public void ModulesPrintAsPyTorch()
    {
        Assert.AreEqual(
            """
            Sequential(
              (0): Linear(in_features=4, out_features=3, bias=True)
              (1): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (2): ReLU()
              (3): Sequential(
                (0): Dropout(p=0.5, inplace=False)
                (1): Linear(in_features=3, out_features=2, bias=True)
              )
            )
            """.ReplaceLineEndings("\n"),
            SmallNet().ToString());
    }

    [TestMethod]
    public void PythonFloatRepr()
    {
        var cases = new Dictionary<double, string>
        {
            [1e-5] = "1e-05", [0.1] = "0.1", [1] = "1.0", [20] = "20.0", [-1] = "-1.0", [0.0001] = "0.0001", [1.5e-7] = "1.5e-07",
            [123.456] = "123.456", [1e16] = "1e+16", [1e15] = "1000000000000000.0", [2.5e20] = "2.5e+20", [0] = "0.0", [0.001] = "0.001",
        };
        foreach (var (value, expected) in cases) Assert.AreEqual(expected, PyRepr.Float(value), $"{value:R}");
    }
}
