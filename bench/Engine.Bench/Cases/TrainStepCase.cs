using Losses = Engine.Nn.Losses;
using Engine.Nn.Models;
using Engine.Optim;
using TorchSharp;
using static TorchSharp.torch.nn;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Engine.Bench.Cases;

/// <summary>One training step (forward, cross-entropy, backward, Adam with lr 1e-3) of the Fashion-MNIST models on
/// a fixed random batch of the right shape: the MLP 784-256-256-10 (ReLU) or the CNN conv3x3(32)-pool-conv3x3(64)-
/// pool-fc128-fc10. The TorchSharp model is the same architecture with the same parameter names and starts from
/// the Engine model's weights (checked: both give the same initial loss). Engine steps run inside a TensorScope,
/// TorchSharp steps inside a DisposeScope.</summary>
public sealed class TrainStepCase : BenchCase
{
    private const int Classes = 10;
    private readonly Nn.Module<Tensor, Tensor> model;
    private readonly Adam optimizer;
    private readonly Tensor x, y;
    private readonly torch.nn.Module<TorchTensor, TorchTensor> tmodel;
    private readonly torch.optim.Optimizer toptimizer;
    private readonly TorchTensor tx, ty;

    public TrainStepCase(string modelName, int batch)
    {
        ModelName = modelName;
        Batch = batch;
        var generator = new Generator(4);
        int[] inputShape;
        switch (modelName)
        {
            case "mlp":
                model = new Mlp(784, [256, 256], Classes, generator: generator);
                tmodel = Sequential(
                    ("0", Linear(784, 256)), ("1", ReLU()), ("2", Linear(256, 256)), ("3", ReLU()), ("4", Linear(256, Classes)));
                inputShape = [batch, 784];
                break;
            case "cnn":
                model = new Cnn(generator: generator);
                tmodel = Sequential(
                    ("conv1", Conv2d(1, 32, 3, padding: 1)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
                    ("conv2", Conv2d(32, 64, 3, padding: 1)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
                    ("flatten", Flatten()), ("fc1", Linear(64 * 7 * 7, 128)), ("relu3", ReLU()), ("fc2", Linear(128, Classes)));
                inputShape = [batch, 1, 28, 28];
                break;
            default:
                throw new ArgumentException($"TrainStepCase: unknown model '{modelName}'; expected mlp or cnn");
        }
        TorchInterop.CopyParameters(model, tmodel);
        x = Tensor.Randn(inputShape, DType.Float32, generator);
        y = Tensor.RandInt(0, Classes, [batch], DType.Int64, generator);
        tx = TorchInterop.ToTorch(x);
        ty = TorchInterop.ToTorch(y);
        CheckSameLoss();
        optimizer = new Adam(model.Parameters(), lr: 1e-3);
        toptimizer = torch.optim.Adam(tmodel.parameters(), lr: 1e-3);
        // TorchSharp's first step creates Adam's state; run it outside a DisposeScope so the scope cannot take it.
        TorchStep();
    }

    public string ModelName { get; }

    public int Batch { get; }

    /// <summary>"mlp_step_b32".</summary>
    public override string Key => KeyFor(ModelName, Batch);

    public static string KeyFor(string model, int batch) => $"{model}_step_b{batch}";

    public override string Description => ModelName == "mlp"
        ? $"MLP 784-256-256-10 training step, batch {Batch}"
        : $"CNN conv32-pool-conv64-pool-fc128-fc10 training step, batch {Batch}";

    public override double WorkPerCall => Batch;

    public override (string Unit, double Scale) Throughput => ("samples/s", 1);

    public override void Engine()
    {
        using var scope = TensorScope.Enter();
        var loss = Losses.CrossEntropy(model.Forward(x), y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
    }

    public override void TorchSharp()
    {
        using var scope = torch.NewDisposeScope();
        TorchStep();
    }

    private void TorchStep()
    {
        var loss = torch.nn.functional.cross_entropy(tmodel.forward(tx), ty);
        toptimizer.zero_grad();
        loss.backward();
        toptimizer.step();
    }

    private void CheckSameLoss()
    {
        float engineLoss, torchLoss;
        using (Autograd.NoGrad())
        using (var scope = TensorScope.Enter())
            engineLoss = Losses.CrossEntropy(model.Forward(x), y).Item<float>();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            torchLoss = torch.nn.functional.cross_entropy(tmodel.forward(tx), ty).item<float>();
        if (Math.Abs(engineLoss - torchLoss) > 1e-4 * Math.Max(1, Math.Abs(torchLoss)))
            throw new InvalidOperationException($"{Key}: the models differ: initial loss {engineLoss} (Engine) vs {torchLoss} (TorchSharp)");
    }

    public override void Dispose()
    {
        x.Dispose();
        y.Dispose();
        tmodel.Dispose();
        toptimizer.Dispose();
        tx.Dispose();
        ty.Dispose();
    }
}
