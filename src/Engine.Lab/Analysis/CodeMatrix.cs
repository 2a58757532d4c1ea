using System.Runtime.InteropServices;

namespace Engine.Lab.Analysis;

/// <summary>Binary codes, one row per sample, bit-packed into ulong words: bit j of row i is
/// <c>Words[i * WordsPerRow + j / 64] &gt;&gt; (j % 64) &amp; 1</c>. Bits past <see cref="Bits"/> in a row's last word
/// stay zero, so whole words can be compared, hashed and XORed. Builders write <see cref="Words"/> once; the
/// analyses treat it as immutable.</summary>
public sealed class CodeMatrix
{
    /// <summary>An all-zero matrix for builders to fill.</summary>
    public CodeMatrix(int rows, int bits)
    {
        if (rows < 0 || bits < 0)
            throw new ArgumentException($"CodeMatrix: rows and bits must be non-negative; got rows={rows}, bits={bits}");
        Rows = rows;
        Bits = bits;
        WordsPerRow = (bits + 63) / 64;
        Words = new ulong[checked((long)rows * WordsPerRow)];
    }

    public int Rows { get; }

    public int Bits { get; }

    public int WordsPerRow { get; }

    public ulong[] Words { get; }

    /// <summary>A matrix with the given bits ([rows, bits]).</summary>
    public static CodeMatrix FromBits(bool[,] bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        var m = new CodeMatrix(bits.GetLength(0), bits.GetLength(1));
        for (var i = 0; i < m.Rows; i++)
            for (var j = 0; j < m.Bits; j++)
                if (bits[i, j]) m.Set(i, j);
        return m;
    }

    /// <summary>The codes of an activation tensor [N, ...]: bit (i, j) is 1 where the j-th element of sample i (in
    /// row-major order over the trailing dims) is &gt; 0.</summary>
    public static CodeMatrix FromPositive(Tensor activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank < 1)
            throw new ArgumentException($"CodeMatrix.FromPositive: expected a tensor [N, ...]; got a scalar");
        var units = 1;
        foreach (var d in activations.Shape[1..]) units *= d;
        var m = new CodeMatrix(activations.Shape[0], units);
        m.SetPositive(activations, 0, 0);
        return m;
    }

    public bool this[int row, int bit]
    {
        get
        {
            CheckIndex(row, bit, "CodeMatrix[row, bit]");
            return (Words[(long)row * WordsPerRow + (bit >> 6)] >> (bit & 63) & 1) != 0;
        }
    }

    /// <summary>The packed words of one row.</summary>
    public ReadOnlySpan<ulong> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), $"CodeMatrix.Row: row {row} is outside [0, {Rows})");
        return Words.AsSpan(row * WordsPerRow, WordsPerRow);
    }

    /// <summary>Number of 1 bits in a row.</summary>
    public int PopCount(int row)
    {
        var count = 0;
        foreach (var w in Row(row)) count += System.Numerics.BitOperations.PopCount(w);
        return count;
    }

    /// <summary>Number of distinct rows (exact: rows are hashed for bucketing and then compared word by word).</summary>
    public int DistinctRows()
    {
        var set = new HashSet<int>(new RowComparer(this));
        for (var i = 0; i < Rows; i++) set.Add(i);
        return set.Count;
    }

    /// <summary>Columns (bits) whose value is the same in every row of every matrix given (train and test
    /// together). With no rows at all every column counts as constant.</summary>
    public static bool[] ConstantColumns(params CodeMatrix[] matrices)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        if (matrices.Length == 0) throw new ArgumentException("CodeMatrix.ConstantColumns: expected at least one matrix; got none");
        var bits = matrices[0].Bits;
        foreach (var m in matrices)
            if (m.Bits != bits)
                throw new ArgumentException(
                    $"CodeMatrix.ConstantColumns: the matrices must have the same number of bits; got {string.Join(", ", matrices.Select(x => x.Bits))}");
        // A column varies iff it is 1 in some row (OR) and 0 in some row (not AND).
        var words = matrices[0].WordsPerRow;
        var any = new ulong[words];
        var all = Enumerable.Repeat(ulong.MaxValue, words).ToArray();
        foreach (var m in matrices)
            for (var i = 0; i < m.Rows; i++)
            {
                var row = m.Row(i);
                for (var w = 0; w < words; w++)
                {
                    any[w] |= row[w];
                    all[w] &= row[w];
                }
            }
        var constant = new bool[bits];
        for (var j = 0; j < bits; j++)
            constant[j] = ((any[j >> 6] & ~all[j >> 6]) >> (j & 63) & 1) == 0;
        return constant;
    }

    /// <summary>The matrix without the columns where <paramref name="drop"/> is true.</summary>
    public CodeMatrix DropColumns(bool[] drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        if (drop.Length != Bits)
            throw new ArgumentException($"CodeMatrix.DropColumns: the mask has {drop.Length} entries but the matrix has {Bits} bits");
        var kept = Enumerable.Range(0, Bits).Where(j => !drop[j]).ToArray();
        var result = new CodeMatrix(Rows, kept.Length);
        for (var i = 0; i < Rows; i++)
        {
            var src = Row(i);
            var dst = result.Words.AsSpan(i * result.WordsPerRow, result.WordsPerRow);
            for (var n = 0; n < kept.Length; n++)
            {
                var j = kept[n];
                dst[n >> 6] |= (src[j >> 6] >> (j & 63) & 1) << (n & 63);
            }
        }
        return result;
    }

    /// <summary>The codes as a float32 tensor [Rows, Bits] of 0/1.</summary>
    public Tensor ToTensor() => Tensor.Wrap(ToFloats(0, Rows), Rows, Bits);

    /// <summary>Rows [start, start + count) as 0/1 floats, row-major.</summary>
    internal float[] ToFloats(int start, int count)
    {
        var values = new float[(long)count * Bits];
        for (var i = 0; i < count; i++) RowToFloats(start + i, values.AsSpan(i * Bits, Bits));
        return values;
    }

    /// <summary>One row as 0/1 floats (minibatches for the linear models).</summary>
    internal void RowToFloats(int row, Span<float> values)
    {
        var words = Row(row);
        for (var j = 0; j < Bits; j++) values[j] = words[j >> 6] >> (j & 63) & 1;
    }

    /// <summary>Sets bit <paramref name="bit"/> of <paramref name="row"/> (builders only).</summary>
    internal void Set(int row, int bit)
    {
        CheckIndex(row, bit, "CodeMatrix.Set");
        Words[(long)row * WordsPerRow + (bit >> 6)] |= 1UL << (bit & 63);
    }

    /// <summary>Writes the sign bits of an activation batch [B, ...] (rank &gt;= 1) into rows [firstRow, firstRow + B) from bit
    /// <paramref name="firstBit"/> on (one layer's share of the code).</summary>
    internal void SetPositive(Tensor activations, int firstRow, int firstBit)
    {
        var batch = activations.Shape[0];
        if (batch == 0) return;
        var units = activations.Numel / batch;
        if (firstRow + batch > Rows || firstBit + units > Bits)
            throw new ArgumentException(
                $"CodeMatrix.SetPositive: a batch of {batch} x {units} at row {firstRow}, bit {firstBit} does not fit a {Rows} x {Bits} matrix");
        var positive = activations.Gt(0).ToArray<bool>();
        for (var r = 0; r < batch; r++)
        {
            var words = Words.AsSpan((firstRow + r) * WordsPerRow, WordsPerRow);
            var src = positive.AsSpan(r * units, units);
            for (var u = 0; u < units; u++)
                if (src[u])
                {
                    var j = firstBit + u;
                    words[j >> 6] |= 1UL << (j & 63);
                }
        }
    }

    private void CheckIndex(int row, int bit, string op)
    {
        if ((uint)row >= (uint)Rows || (uint)bit >= (uint)Bits)
            throw new ArgumentOutOfRangeException(nameof(row), $"{op}: ({row}, {bit}) is outside a {Rows} x {Bits} code matrix");
    }

    /// <summary>Equality of two rows of one matrix by their words; the hash only spreads rows over buckets.</summary>
    private sealed class RowComparer(CodeMatrix m) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) => m.Row(a).SequenceEqual(m.Row(b));

        public int GetHashCode(int row)
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(m.Row(row)));
            return hash.ToHashCode();
        }
    }
}
