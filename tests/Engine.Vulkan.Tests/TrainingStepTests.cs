using Engine.Nn;
using Engine.Optim;

namespace Engine.Vulkan.Tests;

/// <summary>A whole training step through the op layer on the device: forward, cross-entropy, backward and Adam.</summary>
[TestClass]
public sealed class TrainingStepTests
{
    private static Sequential Mlp()
    {
        var generator = new Generator(7);
        return new Sequential(new Linear(5, 16, generator: generator), new Relu(), new Linear(16, 3, generator: generator));
    }

    /// <summary>One Adam step (lr 1e-2) on the cross-entropy of <paramref name="model"/>; returns the loss. Shared with
    /// the CNN step test.</summary>
    internal static float Step(Module<Tensor, Tensor> model, Tensor x, Tensor labels)
    {
        var optimizer = new Adam(model.Parameters(), lr: 1e-2);
        var loss = Losses.CrossEntropy(model.Forward(x), labels);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.Item<float>();
    }

    [TestMethod]
    public void MlpStepMatchesCpuWithinTheHostWaitBudget()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var x = Parity.Random([8, 5], DType.Float32, 1);
        var labels = Tensor.FromArray(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var cpuModel = Mlp();
        var gpuModel = Mlp();
        gpuModel.To(device);
        var cpuLoss = Step(cpuModel, x, labels);
        var xg = x.To(device);
        var lg = labels.To(device);
        backend.Synchronize();
        var waits = backend.HostWaits;
        var gpuLoss = Step(gpuModel, xg, lg);
        // Reading the loss is the one wait: the labels that cross-entropy checks on the host are only read by queued
        // kernels, so they need none, unless downloads go through staging buffers (then that read waits too).
        Assert.AreEqual(backend.UsesStagingBuffers ? 2 : 1, backend.HostWaits - waits, "host waits in one training step");
        Assert.AreEqual(cpuLoss, gpuLoss, 1e-5 * Math.Abs(cpuLoss), "first-step loss");
        foreach (var (c, g) in cpuModel.Parameters().Zip(gpuModel.Parameters()))
            Parity.AssertClose(c, g, "parameter after one Adam step", 1e-5, 1e-6);
    }
}
