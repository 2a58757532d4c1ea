using Engine.Lab.Analysis;

namespace Engine.Bench.Cases;

/// <summary>K-NN (k = 9, Hamming distance) of random binary codes, two ways: Engine.Lab's packed-popcount kernel, and
/// the float formulation a tensor library would use (0/1 floats, where squared Euclidean distance equals Hamming
/// distance: ||a||^2 + ||b||^2 - 2 a.b with the engine's matmul, then a top-k scan per test row). Both keep the same
/// neighbours and vote by the same rule, so they predict the same classes.</summary>
public sealed class KnnCase : IDisposable
{
    private const int K = 9;
    private readonly CodeMatrix train, test;
    private readonly int[] labels;
    private readonly Tensor trainFloats, testFloats;

    public KnnCase(int trainRows, int testRows, int bits)
    {
        var rng = new Random(1);
        train = RandomCodes(trainRows, bits, rng);
        test = RandomCodes(testRows, bits, rng);
        labels = [.. Enumerable.Range(0, trainRows).Select(_ => rng.Next(10))];
        trainFloats = train.ToTensor();
        testFloats = test.ToTensor();
    }

    private static CodeMatrix RandomCodes(int rows, int bits, Random rng)
    {
        var codes = new CodeMatrix(rows, bits);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < bits; j++)
                if (rng.Next(2) == 1) codes.Words[i * codes.WordsPerRow + j / 64] |= 1UL << (j % 64);
        return codes;
    }

    public int[] Popcount() => CodeCategorization.KnnPredict(train, labels, test, K);

    public int[] FloatDistance()
    {
        using var scope = TensorScope.Enter();
        var cross = testFloats.Matmul(trainFloats.T);
        var distances = (testFloats.Square().Sum(1, keepDim: true) + trainFloats.Square().Sum(1).Unsqueeze(0) - 2 * cross).ToArray<float>();
        var (rows, columns) = (test.Rows, train.Rows);
        var predictions = new int[rows];
        var neighbours = new CodeCategorization.Neighbours(1, K);
        var votes = new int[10];
        for (var t = 0; t < rows; t++)
        {
            neighbours.Reset();
            var worst = int.MaxValue;
            for (var i = 0; i < columns; i++)
            {
                // Exact: the distances are integers below 2^24.
                var d = (int)MathF.Round(distances[(long)t * columns + i]);
                if (d < worst) worst = neighbours.Insert(0, d, i);
            }
            predictions[t] = CodeCategorization.Vote(neighbours.Indices(0), labels, votes);
        }
        return predictions;
    }

    public void Dispose()
    {
        trainFloats.Dispose();
        testFloats.Dispose();
    }
}
