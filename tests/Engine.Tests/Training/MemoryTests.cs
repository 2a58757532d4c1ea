using Engine.Nn;
using Engine.Optim;
using Engine.Training;

namespace Engine.Tests.Training;

/// <summary>Issue 3 acceptance: 5,000 training steps of the Fashion-MNIST MLP leave the managed heap (after a full GC)
/// within 10% of its size after step 100. The heap is process-wide, so this runs alone, after the parallel tests.</summary>
[TestClass]
[DoNotParallelize]
public sealed class MemoryTests
{
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void TrainingLoopDoesNotGrowTheHeap()
    {
        var data = TestData.FashionMnistTrainingOrInconclusive();
        var model = new ModelSpec("mlp", data.InputShape, 10, [256, 256], "relu").Create(new Generator(1));
        var optimizer = new Adam(model.Parameters(), 1e-3);
        var loader = new Engine.Data.DataLoader(data.Train.ToDataset(), 128, shuffle: true, generator: new Generator(2));
        long heapAt100 = 0, heapAtEnd = 0;
        var step = 0;
        while (step < 5000)
        {
            foreach (var (x, y) in loader)
            {
                using (TensorScope.Enter())
                {
                    var loss = Losses.CrossEntropy(model.Forward(x), y);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                }
                x.Dispose();
                y.Dispose();
                step++;
                if (step == 100) heapAt100 = Heap();
                if (step == 5000) break;
            }
        }
        heapAtEnd = Heap();
        var growth = (double)(heapAtEnd - heapAt100) / heapAt100;
        Console.WriteLine($"managed heap after step 100: {heapAt100:N0} bytes; after step 5000: {heapAtEnd:N0} bytes ({growth:P2})");
        Assert.IsLessThanOrEqualTo(0.10, growth);
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
