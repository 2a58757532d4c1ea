using Engine.Backends.Cpu;

namespace Engine.Tests.Tensors;

[TestClass]
public sealed class ScopeTests
{
    [TestMethod]
    public void ScopeDisposesWhatItCreatedExceptKeptTensors()
    {
        Tensor inside, kept;
        var outside = Tensor.Ones(3);
        using (var scope = TensorScope.Enter())
        {
            inside = outside * 2;
            kept = scope.Keep(inside + 1);
            Assert.AreEqual(1, scope.Count);
        }
        Assert.IsTrue(inside.IsDisposed);
        Assert.IsFalse(kept.IsDisposed);
        Assert.IsFalse(outside.IsDisposed);
        CollectionAssert.AreEqual(new[] { 3f, 3, 3 }, kept.ToArray<float>());
        var ex = Assert.ThrowsExactly<ObjectDisposedException>(() => inside.ToArray<float>());
        StringAssert.Contains(ex.Message, "(3)");
        Assert.ThrowsExactly<ObjectDisposedException>(() => _ = inside + 1);
    }

    [TestMethod]
    public void AViewKeepsItsStorageAlive()
    {
        Tensor view;
        using (var scope = TensorScope.Enter())
        {
            var big = Tensor.Arange(0, 20_000).Reshape(100, 200);
            view = scope.Keep(big[3]);
        }
        Assert.IsFalse(view.Storage.IsReleased);
        using (TensorScope.Enter()) Assert.AreEqual(600.0, view[0].Item());
        view.Dispose();
        Assert.IsTrue(view.Storage.IsReleased);
    }

    [TestMethod]
    public void DisposedArraysAreReused()
    {
        Array first;
        using (TensorScope.Enter())
        {
            var t = Tensor.Zeros(64, 1000);
            first = ((CpuStorage)t.Storage).Data;
        }
        var again = Tensor.Zeros(64, 1000);
        Assert.AreSame(first, ((CpuStorage)again.Storage).Data, "the freed array comes back from the pool");
        Assert.IsTrue(again.ToArray<float>().All(v => v == 0), "a reused array is zeroed when zeros are asked for");
        Assert.AreEqual(CpuArrayPool.SizeClass(64_000), first.Length);
    }

    [TestMethod]
    public void GradientsAndParametersOutliveTheStepScope()
    {
        var w = Tensor.Randn([4, 3], DType.Float32, new Generator(1)).RequiresGrad_();
        var x = Tensor.Randn([5, 4], DType.Float32, new Generator(2));
        for (var step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Enter();
            var loss = x.Matmul(w).Tanh().Sum();
            loss.Backward();
            using (Autograd.NoGrad()) w.Sub_(w.Grad! * 0.1);
        }
        Assert.IsFalse(w.Grad!.IsDisposed);
        Assert.IsFalse(w.IsDisposed);
        Assert.AreEqual(12, w.Grad.ToArray<float>().Length);
    }

    [TestMethod]
    public void SetDataFromAScopeTemporaryStaysValid()
    {
        var buffer = Tensor.Zeros(5000);
        TensorScope.Exempt(buffer);
        using (TensorScope.Enter()) buffer.SetData_(Tensor.Ones(5000) * 3);
        Assert.IsTrue(buffer.ToArray<float>().All(v => v == 3));
    }

    [TestMethod]
    public void ScopesMustCloseInOrder()
    {
        var outer = TensorScope.Enter();
        var inner = TensorScope.Enter();
        Assert.ThrowsExactly<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.IsNull(TensorScope.Current);
    }

    // Reads the process-wide pool's size: tests running beside it return arrays to the same pool.
    [TestMethod]
    [DoNotParallelize]
    public void StepScopesHoldMemoryFlat()
    {
        var w = (Tensor.Randn([256, 784], DType.Float32, new Generator(1)) * 0.03).RequiresGrad_();
        var x = Tensor.Randn([128, 784], DType.Float32, new Generator(2));
        void Step()
        {
            using var scope = TensorScope.Enter();
            var loss = Tensor.Linear(x, w).Relu().Square().Mean();
            loss.Backward();
            using (Autograd.NoGrad()) w.Sub_(w.Grad! * 0.01);
            w.Grad = null;
        }
        for (var i = 0; i < 20; i++) Step();
        var pooled = CpuArrayPool.RetainedBytes;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) Step();
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 100.0;
        Assert.IsLessThanOrEqualTo(pooled + (1 << 20), CpuArrayPool.RetainedBytes, "the pool stops growing once warm");
        // Gradients are fresh tensors each step (Grad = null), but the large activations come from the pool.
        Assert.IsLessThan(256 * 784 * 4 * 1.5, perStep, $"managed bytes allocated per step: {perStep:N0}");
    }
}
