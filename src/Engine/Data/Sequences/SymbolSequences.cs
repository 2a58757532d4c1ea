namespace Engine.Data;

/// <summary>Encoding symbol sequences (indices into an alphabet) as the one-hot, zero-padded inputs of a
/// <see cref="SequenceSet"/>.</summary>
internal static class SymbolSequences
{
    /// <summary>Float32 [N, T, symbols] with T the longest sequence: step t of sequence i is the one-hot vector of
    /// sequences[i][t], and zero past its end.</summary>
    public static Tensor OneHot(IReadOnlyList<int[]> sequences, int symbols)
    {
        var steps = sequences.Count == 0 ? 0 : sequences.Max(s => s.Length);
        var x = new float[sequences.Count * steps * symbols];
        for (var i = 0; i < sequences.Count; i++)
            for (var t = 0; t < sequences[i].Length; t++)
                x[(i * steps + t) * symbols + sequences[i][t]] = 1;
        return Tensor.Wrap(x, sequences.Count, steps, symbols);
    }

    /// <summary>Int64 [N]: the length of each sequence.</summary>
    public static Tensor Lengths(IReadOnlyList<int[]> sequences) => Tensor.Wrap(sequences.Select(s => (long)s.Length).ToArray());
}
