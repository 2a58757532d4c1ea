namespace Engine.Data;

/// <summary>The copy (memory) task (Hochreiter and Schmidhuber 1997, in the form of Arjovsky, Shah and Bengio 2016):
/// a model reads <c>copyLength</c> random data symbols, then <c>delay - 1</c> blanks, a delimiter and
/// <c>copyLength</c> more blanks (delay + 2 copyLength steps in all), and must output blanks until the delimiter has
/// passed and then the data symbols in their order. Symbol indices: 0 blank, 1..symbols data, symbols + 1 delimiter
/// (input only). A model that outputs blanks where they are due and guesses uniformly at the end scores a
/// cross-entropy of copyLength ln(symbols) / (delay + 2 copyLength) per step: the baseline that memory must beat.
/// </summary>
public static class CopyTask
{
    /// <summary>Inputs one-hot Float32 [samples, delay + 2 copyLength, symbols + 2], lengths all full, targets Int64
    /// [samples, delay + 2 copyLength] over the classes blank, 1..symbols.</summary>
    public static SequenceSet Generate(int samples, int delay, int copyLength = 10, int symbols = 8, ulong seed = 0)
    {
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), $"CopyTask.Generate: samples must be positive; got {samples}");
        if (delay < 1) throw new ArgumentOutOfRangeException(nameof(delay), $"CopyTask.Generate: delay must be at least 1; got {delay}");
        if (copyLength < 1) throw new ArgumentOutOfRangeException(nameof(copyLength), $"CopyTask.Generate: copyLength must be positive; got {copyLength}");
        if (symbols < 1) throw new ArgumentOutOfRangeException(nameof(symbols), $"CopyTask.Generate: symbols must be positive; got {symbols}");
        var steps = delay + 2 * copyLength;
        var data = Tensor.RandInt(1, symbols + 1, [samples, copyLength], DType.Int64, new Generator(seed)).ToArray<long>();
        var inputs = new int[samples][];
        var targets = new long[samples * steps];
        for (var i = 0; i < samples; i++)
        {
            inputs[i] = new int[steps];
            for (var k = 0; k < copyLength; k++)
            {
                inputs[i][k] = (int)data[i * copyLength + k];
                targets[i * steps + delay + copyLength + k] = data[i * copyLength + k];
            }
            inputs[i][delay + copyLength - 1] = symbols + 1;
        }
        return new SequenceSet(
            "copy",
            SymbolSequences.OneHot(inputs, symbols + 2),
            SymbolSequences.Lengths(inputs),
            Tensor.Wrap(targets, samples, steps),
            ["blank", .. LabeledTable.NumberedClasses(symbols + 1)[1..]]);
    }

    /// <summary>The per-step cross-entropy (nats) of the memoryless strategy: blanks where due, a uniform guess over
    /// the data symbols at the copy steps.</summary>
    public static double BaselineLoss(int delay, int copyLength = 10, int symbols = 8)
        => copyLength * Math.Log(symbols) / (delay + 2 * copyLength);
}
