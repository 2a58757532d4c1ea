using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>Kernels are recorded, not run one by one: the host waits only when it reads a result.</summary>
[TestClass]
public sealed class BatchingTests
{
    [TestMethod]
    public void RecordingDoesNotWaitAndOneReadWaitsOnce()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        backend.Synchronize();
        var waits = backend.HostWaits;
        using var x = Tensor.FromArray(new float[] { 0.5f, -1, 2 }).To(backend.Device);
        using var y = Tensor.Zeros([3], DType.Float32, backend.Device);
        for (var i = 0; i < 20; i++)
        {
            backend.Unary(UnaryOp.Exp, x, y, 0, 0);
            backend.Binary(BinaryOp.Add, y, x, y);
        }
        Assert.AreEqual(waits, backend.HostWaits, "recording kernels blocked the host");
        var values = y.ToArray<float>();
        Assert.AreEqual(waits + 1, backend.HostWaits);
        Assert.AreEqual(MathF.Exp(2) + 2, values[2], 1e-5f);
        // Nothing new was recorded: reading again needs no wait (a download through a staging buffer always does).
        _ = x.ToArray<float>();
        Assert.AreEqual(waits + (backend.UsesStagingBuffers ? 2 : 1), backend.HostWaits);
    }

    [TestMethod]
    public void BatchLimitSubmitsWithoutWaiting()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        backend.Synchronize();
        var waits = backend.HostWaits;
        var submissions = backend.VulkanDevice.Stream.Submissions;
        using var y = Tensor.Zeros([64], DType.Float32, backend.Device);
        for (var i = 0; i <= CommandStream.BatchLimit; i++) backend.Fill(y, i);
        Assert.AreEqual(submissions + 1, backend.VulkanDevice.Stream.Submissions, "the batch limit should submit once");
        Assert.AreEqual(waits, backend.HostWaits);
        Assert.AreEqual(CommandStream.BatchLimit, y.ToArray<float>()[63]);
    }

    [TestMethod]
    public void TensorOpsOnTheDeviceUseTheBackend()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        using var a = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2).To(backend.Device);
        using var b = Tensor.FromArray(new float[] { 10, 20 }, 2).To(backend.Device);
        using var sum = a + b;
        Assert.AreEqual(backend.Device, sum.Device);
        CollectionAssert.AreEqual(new float[] { 11, 22, 13, 24 }, sum.ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 11, 22, 13, 24 }, sum.Cpu().ToArray<float>());
    }

    [TestMethod]
    public void ElementwiseKernelsCoverMoreElementsThanOneGridHolds()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        // More elements than the largest one-dimensional dispatch (group count limit x 256 invocations): the
        // grid-stride loop must reach the tail.
        var n = (int)Math.Min((long)backend.Info.MaxComputeWorkGroupCountX * 256 + 1000, backend.Info.MaxStorageBufferRange / 4);
        using var x = Tensor.Zeros([n], DType.Float32, backend.Device);
        backend.Fill(x, 3);
        using var y = Tensor.Zeros([n], DType.Float32, backend.Device);
        backend.Unary(UnaryOp.Square, x, y, 0, 0);
        var values = y.ToArray<float>();
        Assert.AreEqual(9f, values[0]);
        Assert.AreEqual(9f, values[n - 1]);
        Assert.AreEqual(n, values.Count(v => v == 9f));
    }

    [TestMethod]
    public void ReadingATensorThatQueuedKernelsOnlyReadDoesNotWait()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        if (backend.UsesStagingBuffers) Assert.Inconclusive("a download through a staging buffer always waits for its copy");
        using var input = Tensor.FromArray(new float[] { 1, 2, 3 }).To(backend.Device);
        using var output = Tensor.Zeros([3], DType.Float32, backend.Device);
        backend.Synchronize();
        var waits = backend.HostWaits;
        backend.Unary(UnaryOp.Neg, input, output, 0, 0);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3 }, input.ToArray<float>());
        Assert.AreEqual(waits, backend.HostWaits, "reading an input of a queued kernel waited");
        CollectionAssert.AreEqual(new float[] { -1, -2, -3 }, output.ToArray<float>());
        Assert.AreEqual(waits + 1, backend.HostWaits);
    }
}
