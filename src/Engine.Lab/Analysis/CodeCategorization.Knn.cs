using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Backends.Cpu;

namespace Engine.Lab.Analysis;

public static partial class CodeCategorization
{
    // Test rows handled together against one block of train rows: the block (TrainBlock * 8 * words bytes, 128 KB
    // for 1,000-bit codes) stays in cache while every test row of the group scans it.
    private const int TestGroup = 32;
    private const int TrainBlock = 1024;

    /// <summary>K-NN with Hamming distance (popcount of XORed packed words): majority vote of the
    /// <paramref name="k"/> nearest train codes. Neighbours are ordered by distance, then by train index; a tie in the
    /// vote goes to the tied class that comes first in that order (its nearest member is closest). Parallel over
    /// test rows; the result does not depend on the thread count.</summary>
    public static int[] KnnPredict(CodeMatrix train, int[] trainLabels, CodeMatrix test, int k = 9)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        if (trainLabels.Length != train.Rows)
            throw new ArgumentException($"CodeCategorization.KnnPredict: {trainLabels.Length} train labels for {train.Rows} train rows; expected one per row");
        if (train.Bits != test.Bits)
            throw new ArgumentException($"CodeCategorization.KnnPredict: train codes have {train.Bits} bits but test codes have {test.Bits}; expected the same");
        if (k < 1 || k > train.Rows)
            throw new ArgumentException($"CodeCategorization.KnnPredict: k must lie in [1, train rows = {train.Rows}]; got {k}");
        if (trainLabels.Any(l => l < 0))
            throw new ArgumentException($"CodeCategorization.KnnPredict: labels must be non-negative; got {trainLabels.Min()}");
        var classes = trainLabels.Max() + 1;
        var predictions = new int[test.Rows];
        var groups = (test.Rows + TestGroup - 1) / TestGroup;
        CpuParallel.For(groups, (long)TestGroup * train.Rows * train.WordsPerRow, (start, end) =>
        {
            var neighbours = new Neighbours(TestGroup, k);
            var votes = new int[classes];
            for (var g = start; g < end; g++)
            {
                var first = g * TestGroup;
                var count = Math.Min(TestGroup, test.Rows - first);
                neighbours.Reset();
                Search(train, test, first, count, neighbours);
                for (var t = 0; t < count; t++) predictions[first + t] = Vote(neighbours.Indices(t), trainLabels, votes);
            }
        });
        return predictions;
    }

    /// <summary>Fills the k nearest train rows of test rows [first, first + count), blocked over train rows.</summary>
    private static void Search(CodeMatrix train, CodeMatrix test, int first, int count, Neighbours neighbours)
    {
        var words = train.WordsPerRow;
        ref var trainWords = ref MemoryMarshal.GetArrayDataReference(train.Words);
        ref var testWords = ref MemoryMarshal.GetArrayDataReference(test.Words);
        for (var blockStart = 0; blockStart < train.Rows; blockStart += TrainBlock)
        {
            var blockEnd = Math.Min(train.Rows, blockStart + TrainBlock);
            for (var t = 0; t < count; t++)
            {
                ref var a = ref Unsafe.Add(ref testWords, (nint)(first + t) * words);
                var worst = neighbours.Worst(t);
                for (var i = blockStart; i < blockEnd; i++)
                {
                    var d = Hamming(ref a, ref Unsafe.Add(ref trainWords, (nint)i * words), words);
                    // Train rows arrive in increasing index order, so a row at the current worst distance loses the
                    // distance tie to the ones already kept.
                    if (d < worst) worst = neighbours.Insert(t, d, i);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hamming(ref ulong a, ref ulong b, int words)
    {
        int d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        var w = 0;
        for (; w + 4 <= words; w += 4)
        {
            d0 += BitOperations.PopCount(Unsafe.Add(ref a, w) ^ Unsafe.Add(ref b, w));
            d1 += BitOperations.PopCount(Unsafe.Add(ref a, w + 1) ^ Unsafe.Add(ref b, w + 1));
            d2 += BitOperations.PopCount(Unsafe.Add(ref a, w + 2) ^ Unsafe.Add(ref b, w + 2));
            d3 += BitOperations.PopCount(Unsafe.Add(ref a, w + 3) ^ Unsafe.Add(ref b, w + 3));
        }
        for (; w < words; w++) d0 += BitOperations.PopCount(Unsafe.Add(ref a, w) ^ Unsafe.Add(ref b, w));
        return d0 + d1 + d2 + d3;
    }

    /// <summary>The class with the most votes among the neighbours (given nearest first); on a tie, the tied class
    /// seen first.</summary>
    private static int Vote(ReadOnlySpan<int> neighbours, int[] labels, int[] votes)
    {
        Array.Clear(votes);
        foreach (var i in neighbours) votes[labels[i]]++;
        var best = labels[neighbours[0]];
        foreach (var i in neighbours)
            if (votes[labels[i]] > votes[best]) best = labels[i];
        return best;
    }

    /// <summary>For each of a group of test rows, its k nearest train rows so far, sorted by (distance, index).</summary>
    private sealed class Neighbours(int rows, int k)
    {
        private readonly int[] distances = new int[rows * k];
        private readonly int[] indices = new int[rows * k];

        public void Reset() => Array.Fill(distances, int.MaxValue);

        public int Worst(int row) => distances[row * k + k - 1];

        public ReadOnlySpan<int> Indices(int row) => indices.AsSpan(row * k, k);

        /// <summary>Inserts a candidate nearer than the current worst after every kept one at most as far (ties keep
        /// the lower index first); returns the new worst distance.</summary>
        public int Insert(int row, int distance, int index)
        {
            var d = distances.AsSpan(row * k, k);
            var idx = indices.AsSpan(row * k, k);
            var p = k - 1;
            for (; p > 0 && d[p - 1] > distance; p--)
            {
                d[p] = d[p - 1];
                idx[p] = idx[p - 1];
            }
            d[p] = distance;
            idx[p] = index;
            return d[k - 1];
        }
    }
}
