using System.Collections;

namespace Engine.Data;

/// <summary>Batches of a <see cref="Dataset"/>: each enumeration is one epoch that visits every sample once (the
/// last, smaller batch dropped with <c>dropLast</c>), in order or in a fresh seeded permutation per epoch.
/// <code>foreach (var (x, y) in new DataLoader(train, 128, shuffle: true, seed: 1)) { ... }</code></summary>
/// <remarks>
/// Determinism: an epoch's permutation is drawn (Tensor.RandPerm) on the enumerating thread when the enumeration
/// starts, and batch k is always the samples at positions [k*B, k*B + B) of it, so the same seed gives the same
/// batches run after run, with or without prefetch.
/// Prefetch: while the consumer works on batch k, batch k + 1 is gathered on a thread-pool task; never more than
/// one batch is in flight. An exception from the dataset surfaces on the consumer at the batch that raised it.
/// Disposing the enumerator (leaving a foreach early) or cancelling its token waits for the in-flight batch, so no
/// worker outlives the enumeration.
/// </remarks>
public sealed class DataLoader : IEnumerable<(Tensor Input, Tensor Target)>
{
    private readonly Generator? generator;

    /// <param name="generator">The source of the shuffling permutations (the default generator when null).</param>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = false, Generator? generator = null, bool dropLast = false, bool prefetch = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batchSize must be positive; got {batchSize}");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Prefetch = prefetch;
        this.generator = generator;
    }

    /// <summary>A loader that shuffles with its own generator seeded with <paramref name="seed"/>.</summary>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle, ulong seed, bool dropLast = false, bool prefetch = true)
        : this(dataset, batchSize, shuffle, new Generator(seed), dropLast, prefetch)
    {
    }

    public Dataset Dataset { get; }

    public int BatchSize { get; }

    public bool Shuffle { get; }

    public bool DropLast { get; }

    public bool Prefetch { get; }

    /// <summary>Batches per epoch.</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>One epoch that stops with an <see cref="OperationCanceledException"/> at the next batch once
    /// <paramref name="cancellationToken"/> is cancelled.</summary>
    public IEnumerable<(Tensor Input, Tensor Target)> Batches(CancellationToken cancellationToken) => new Epoch(this, cancellationToken);

    public IEnumerator<(Tensor Input, Tensor Target)> GetEnumerator() => new BatchEnumerator(this, CancellationToken.None);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>This epoch's sample order: a permutation, or null for 0..n-1.</summary>
    private Tensor? DrawOrder() => Shuffle ? Tensor.RandPerm(Dataset.Count, generator ?? Generator.Default) : null;

    private sealed class Epoch(DataLoader loader, CancellationToken cancellationToken) : IEnumerable<(Tensor Input, Tensor Target)>
    {
        public IEnumerator<(Tensor Input, Tensor Target)> GetEnumerator() => new BatchEnumerator(loader, cancellationToken);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class BatchEnumerator : IEnumerator<(Tensor Input, Tensor Target)>
    {
        private readonly DataLoader loader;
        private readonly Tensor? order;
        private readonly int batches;
        private readonly CancellationToken cancellationToken;
        private readonly CancellationTokenSource stop;
        private Task<(Tensor Input, Tensor Target)>? pending;
        private int next;
        private bool disposed;

        public BatchEnumerator(DataLoader loader, CancellationToken cancellationToken)
        {
            this.loader = loader;
            this.cancellationToken = cancellationToken;
            order = loader.DrawOrder();
            batches = loader.Count;
            stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public (Tensor Input, Tensor Target) Current { get; private set; }

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (next >= batches) return false;
            cancellationToken.ThrowIfCancellationRequested();
            var task = pending;
            pending = null;
            try
            {
                // GetResult rethrows the worker's own exception, not an AggregateException.
                Current = task is null ? Load(next) : task.GetAwaiter().GetResult();
            }
            catch
            {
                next = batches;
                throw;
            }
            next++;
            if (loader.Prefetch && next < batches)
            {
                var k = next;
                // A dedicated thread, not the thread pool: the kernels' Parallel.For keeps pool threads busy, and a
                // prefetch queued behind them would arrive after the consumer needed it.
                pending = Task.Factory.StartNew(() => Load(k), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            return true;
        }

        public void Reset() => throw new NotSupportedException("DataLoader: an epoch cannot be restarted; enumerate the loader again for the next epoch");

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            stop.Cancel();
            if (pending is { } task)
            {
                // Wait for the in-flight batch so the worker never outlives the enumeration; its result or failure no
                // longer matters to anyone.
                try
                {
                    task.Wait();
                }
                catch (AggregateException)
                {
                }
            }
            pending = null;
            stop.Dispose();
        }

        private (Tensor Input, Tensor Target) Load(int batch)
        {
            stop.Token.ThrowIfCancellationRequested();
            var n = loader.Dataset.Count;
            var start = batch * loader.BatchSize;
            var length = Math.Min(loader.BatchSize, n - start);
            var indices = order is null ? Tensor.Arange(start, start + length, dtype: DType.Int64) : order.Narrow(0, start, length);
            return loader.Dataset.GetBatch(indices);
        }
    }
}
