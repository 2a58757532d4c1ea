using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class DataLoaderTests
{
    /// <summary>Sample i has input row [i, -i] and target i, so a batch shows which samples it holds.</summary>
    private static TensorDataset Numbered(int n)
    {
        var ids = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var inputs = Tensor.Stack([Tensor.FromArray(ids), -Tensor.FromArray(ids)], dim: 1);
        return new TensorDataset(inputs, Tensor.Arange(n));
    }

    private static long[][] Epoch(DataLoader loader) => loader.Select(b => b.Target.ToArray<long>()).ToArray();

    [TestMethod]
    public void BatchSizesCountAndDropLast()
    {
        var data = Numbered(10);
        foreach (var prefetch in new[] { false, true })
        {
            var loader = new DataLoader(data, 3, prefetch: prefetch);
            Assert.AreEqual(4, loader.Count);
            var batches = loader.ToArray();
            CollectionAssert.AreEqual(new[] { 3, 3, 3, 1 }, batches.Select(b => b.Input.Size(0)).ToArray());
            CollectionAssert.AreEqual(new[] { 3, 2 }, batches[0].Input.Shape.ToArray());
            Assert.AreEqual(DType.Int64, batches[0].Target.DType);
            CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), batches.SelectMany(b => b.Target.ToArray<long>()).ToArray(), "unshuffled: in order");
            CollectionAssert.AreEqual(new[] { 9f, -9f }, batches[3].Input.ToArray<float>(), "inputs travel with their targets");

            var dropping = new DataLoader(data, 3, dropLast: true, prefetch: prefetch);
            Assert.AreEqual(3, dropping.Count);
            CollectionAssert.AreEqual(new[] { 3, 3, 3 }, dropping.Select(b => b.Input.Size(0)).ToArray());
        }
        Assert.AreEqual(1, new DataLoader(data, 10).Count);
        Assert.AreEqual(1, new DataLoader(data, 64).Count);
        Assert.AreEqual(0, new DataLoader(data, 64, dropLast: true).Count);
        Assert.IsEmpty(new DataLoader(data, 64, dropLast: true).ToArray());
    }

    [TestMethod]
    public void ShuffleSeesEverySampleOncePerEpochInANewOrder()
    {
        var loader = new DataLoader(Numbered(100), 7, shuffle: true, seed: 3);
        var first = Epoch(loader).SelectMany(b => b).ToArray();
        var second = Epoch(loader).SelectMany(b => b).ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), first);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), second);
        CollectionAssert.AreNotEqual(first, second, "each epoch draws a new permutation");
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), first, "shuffled");

        // With drop-last each epoch leaves out the samples of a different partial batch, and repeats none.
        var dropping = new DataLoader(Numbered(100), 7, shuffle: true, seed: 3, dropLast: true);
        var seen = Epoch(dropping).SelectMany(b => b).ToArray();
        Assert.HasCount(98, seen);
        Assert.HasCount(98, seen.Distinct());
    }

    [TestMethod]
    public void SameSeedSameBatchesRunAfterRunWithOrWithoutPrefetch()
    {
        var data = Numbered(50);
        long[][][] Run(ulong seed, bool prefetch)
        {
            var loader = new DataLoader(data, 8, shuffle: true, seed: seed, prefetch: prefetch);
            return [Epoch(loader), Epoch(loader), Epoch(loader)];
        }
        var reference = Run(11, prefetch: false);
        foreach (var run in new[] { Run(11, prefetch: false), Run(11, prefetch: true), Run(11, prefetch: true) })
            for (var epoch = 0; epoch < 3; epoch++)
                for (var b = 0; b < reference[epoch].Length; b++)
                    CollectionAssert.AreEqual(reference[epoch][b], run[epoch][b], $"epoch {epoch} batch {b}");
        Assert.IsFalse(reference[0].SelectMany(b => b).SequenceEqual(Run(12, prefetch: true)[0].SelectMany(b => b)), "another seed, another order");

        // The permutation comes from the given generator's stream, as Tensor.RandPerm draws it.
        var expected = Tensor.RandPerm(50, new Generator(11)).ToArray<long>();
        CollectionAssert.AreEqual(expected, reference[0].SelectMany(b => b).ToArray());
        var shared = new Generator(11);
        var viaGenerator = new DataLoader(data, 8, shuffle: true, generator: shared);
        CollectionAssert.AreEqual(expected, Epoch(viaGenerator).SelectMany(b => b).ToArray());
    }

    [TestMethod]
    public void DatasetExceptionSurfacesOnTheConsumerAtItsBatch()
    {
        foreach (var prefetch in new[] { false, true })
        {
            var data = new ProbeDataset(20) { FailAt = 13 };
            var loader = new DataLoader(data, 4, prefetch: prefetch);
            var received = new List<long>();
            var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            {
                foreach (var (_, target) in loader) received.AddRange(target.ToArray<long>());
            });
            Assert.AreEqual("sample 13 is broken", e.Message, "the worker's own exception, not an AggregateException");
            CollectionAssert.AreEqual(Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), received.ToArray(), $"prefetch {prefetch}: the batches before it arrive");
        }
    }

    [TestMethod]
    public void PrefetchRunsOneBatchAheadOnAnotherThreadAndNoFurther()
    {
        var data = new ProbeDataset(40);
        var loader = new DataLoader(data, 4, prefetch: true);
        var consumer = Environment.CurrentManagedThreadId;
        var batch = 0;
        foreach (var _ in loader)
        {
            if (batch == 0)
            {
                // While the consumer holds batch 0, batch 1 is gathered elsewhere (waiting, not polling the loader, so
                // the consumer cannot run it itself even if the thread pool is slow to start the worker).
                Assert.IsTrue(SpinWait.SpinUntil(() => data.BatchesStarted == 2, TimeSpan.FromSeconds(10)), "batch 1 is prefetched");
                lock (data.Threads) Assert.AreNotEqual(consumer, data.Threads[1], "batch 1 is gathered on a worker thread");
            }
            // Give the worker ample time to run ahead if it could.
            Thread.Sleep(10);
            Assert.IsLessThanOrEqualTo(batch + 2, data.BatchesStarted, $"at batch {batch} the loader started {data.BatchesStarted} batches");
            batch++;
        }
        Assert.AreEqual(10, batch);
        Assert.AreEqual(10, data.BatchesStarted);

        var inline = new ProbeDataset(12);
        foreach (var _ in new DataLoader(inline, 4, prefetch: false)) { }
        CollectionAssert.AreEqual(new[] { consumer }, inline.Threads.Distinct().ToArray(), "without prefetch everything runs on the consumer");
    }

    [TestMethod]
    public void LeavingEarlyOrCancellingStopsTheWorker()
    {
        var data = new ProbeDataset(400) { Delay = 20 };
        foreach (var (_, target) in new DataLoader(data, 4))
            if (target.ToArray<long>()[0] == 8) break;
        // Dispose waited for the batch in flight: nothing runs now, and nothing starts later.
        Assert.AreEqual(0, data.Running);
        var started = data.BatchesStarted;
        Thread.Sleep(100);
        Assert.AreEqual(started, data.BatchesStarted);
        Assert.IsLessThanOrEqualTo(4, started);

        using var cts = new CancellationTokenSource();
        var cancelled = new ProbeDataset(400) { Delay = 20 };
        var batches = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() =>
        {
            foreach (var _ in new DataLoader(cancelled, 4).Batches(cts.Token))
                if (++batches == 3) cts.Cancel();
        });
        Assert.AreEqual(3, batches);
        Assert.AreEqual(0, cancelled.Running);
        Assert.IsLessThanOrEqualTo(4, cancelled.BatchesStarted);
    }

    [TestMethod]
    public void DefaultGetBatchStacksSamplesAndSubsetMapsIndices()
    {
        var probe = new ProbeDataset(10);
        var (input, target) = probe.GetBatch(Tensor.FromArray(new long[] { 4, 1 }));
        CollectionAssert.AreEqual(new[] { 2, 3 }, input.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 4f, 4f, 4f, 1f, 1f, 1f }, input.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 4, 1 }, target.ToArray<long>());

        var subset = new Subset(Numbered(10), Tensor.FromArray(new long[] { 9, 3, 5 }));
        Assert.AreEqual(3, subset.Count);
        CollectionAssert.AreEqual(new long[] { 5, 9 }, subset.GetBatch(Tensor.FromArray(new long[] { 2, 0 })).Target.ToArray<long>());
        CollectionAssert.AreEqual(new[] { 3f, -3f }, subset.Get(1).Input.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 9, 3, 5 }, new DataLoader(subset, 2).SelectMany(b => b.Target.ToArray<long>()).ToArray());

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => subset.Get(3));
        StringAssert.Contains(e.Message, "Subset: index 3 is out of range for 3 samples");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Subset(Numbered(10), Tensor.FromArray(new long[] { 10 })));
        StringAssert.Contains(e.Message, "Subset: index 10 is out of range for a dataset of 10 samples");
        var bad = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4)));
        StringAssert.Contains(bad.Message, "TensorDataset: inputs (3,2) and targets (4)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DataLoader(subset, 0));
    }

    [TestMethod]
    public void LabeledTableBuildsDatasetsFromIndexSubsets()
    {
        var table = SyntheticData.Blobs(30, classes: 3, seed: 1);
        var idx = Tensor.FromArray(new long[] { 29, 0, 7 });
        var part = table.ToDataset(idx);
        Assert.AreEqual(3, part.Count);
        CollectionAssert.AreEqual(table.Features.IndexSelect(0, idx).ToArray<float>(), part.Inputs.ToArray<float>());
        CollectionAssert.AreEqual(table.Labels.IndexSelect(0, idx).ToArray<long>(), part.Targets.ToArray<long>());
        Assert.AreEqual(30, table.ToDataset().Count);
    }

    /// <summary>A dataset without tensors behind it: sample i is ([i, i, i], i). It records how many batches were
    /// started, on which threads, how many are running, and can fail or be slow.</summary>
    private sealed class ProbeDataset(int count) : Dataset
    {
        private int started;
        private int running;

        public int? FailAt { get; init; }

        public int Delay { get; init; }

        public int BatchesStarted => Volatile.Read(ref started);

        public int Running => Volatile.Read(ref running);

        public List<int> Threads { get; } = [];

        public override int Count => count;

        public override (Tensor Input, Tensor Target) Get(int index)
        {
            CheckIndex(index);
            if (index == FailAt) throw new InvalidOperationException($"sample {index} is broken");
            return (Tensor.Full([3], index), Tensor.Scalar(index, DType.Int64));
        }

        public override (Tensor Input, Tensor Target) GetBatch(Tensor indices)
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            try
            {
                if (Delay > 0) Thread.Sleep(Delay);
                return base.GetBatch(indices);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }
    }
}
