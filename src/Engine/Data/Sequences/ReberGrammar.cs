using System.Text;

namespace Engine.Data;

/// <summary>The Reber grammar (Reber 1967; the benchmark of Fahlman 1991 and Hochreiter and Schmidhuber 1997): strings
/// over B T P S X V E produced by a walk through a six-node graph, each branch taken with probability 1/2, and the
/// embedded Reber grammar, B T &lt;Reber string&gt; T E or B P &lt;Reber string&gt; P E, whose second and
/// second-to-last symbols must agree across the whole inner string.</summary>
/// <remarks>
/// The graph (node: symbol -> node), from the node after the leading B to the exit before the closing E:
/// 0: T -> 1, P -> 2;  1: S -> 1, X -> 3;  2: T -> 2, V -> 4;  3: X -> 2, S -> exit;  4: P -> 3, V -> exit.
/// Every node's two symbols differ, so the graph is its own deterministic acceptor.
/// </remarks>
public static class ReberGrammar
{
    /// <summary>The alphabet, in the order of the one-hot features.</summary>
    public const string Symbols = "BTPSXVE";

    /// <summary>The symbols a corruption may write: the inner ones, so a corrupted string shows no stray B or E and
    /// can only be told apart by its grammar.</summary>
    private const string InnerSymbols = "TPSXV";

    private const int Exit = -1;

    private static readonly (char Symbol, int Next)[][] Graph =
    [
        [('T', 1), ('P', 2)],
        [('S', 1), ('X', 3)],
        [('T', 2), ('V', 4)],
        [('X', 2), ('S', Exit)],
        [('P', 3), ('V', Exit)],
    ];

    /// <summary>One random grammatical string.</summary>
    public static string Generate(Generator generator, bool embedded = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var text = new StringBuilder();
        var branch = embedded ? (generator.NextInt(2) == 0 ? 'T' : 'P') : default;
        if (embedded) text.Append('B').Append(branch);
        text.Append('B');
        for (var node = 0; node != Exit;)
        {
            var (symbol, next) = Graph[node][generator.NextInt(2)];
            text.Append(symbol);
            node = next;
        }
        text.Append('E');
        if (embedded) text.Append(branch).Append('E');
        return text.ToString();
    }

    /// <summary>Whether the string is grammatical (plain or embedded Reber).</summary>
    public static bool Accepts(string text, bool embedded = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!embedded) return AcceptsPlain(text);
        return text.Length >= 4 && text[0] == 'B' && text[1] is ('T' or 'P') && text[^2] == text[1] && text[^1] == 'E'
            && AcceptsPlain(text[2..^2]);
    }

    /// <summary>The string with one inner symbol (neither the first nor the last) replaced by a different one of
    /// T P S X V, drawn at random until the result is ungrammatical: the same length and alphabet as a valid string,
    /// one symbol off.</summary>
    public static string Corrupt(string valid, Generator generator, bool embedded = false)
    {
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentNullException.ThrowIfNull(generator);
        if (!Accepts(valid, embedded))
            throw new ArgumentException($"ReberGrammar.Corrupt: '{valid}' is not a {(embedded ? "embedded " : "")}Reber string");
        var chars = valid.ToCharArray();
        while (true)
        {
            var position = 1 + generator.NextInt(chars.Length - 2);
            var original = chars[position];
            var choices = InnerSymbols.Where(c => c != original).ToArray();
            chars[position] = choices[generator.NextInt(choices.Length)];
            var corrupted = new string(chars);
            if (!Accepts(corrupted, embedded)) return corrupted;
            chars[position] = original;
        }
    }

    /// <summary>The binary task of telling grammatical strings from corrupted ones: <paramref name="samples"/>
    /// strings, half valid (label 1, class "valid"), half made by <see cref="Corrupt"/> from fresh valid strings
    /// (label 0, "invalid"; the first half gets the odd one), in random order. Inputs are one-hot over
    /// <see cref="Symbols"/>, padded to the longest string. Strings longer than <paramref name="maxLength"/> are
    /// drawn again, so the walk's rare long tails do not set the padding. Short strings are common (BPVVE has
    /// probability 1/8), so a string may appear more than once, and in both parts of a split.</summary>
    public static SequenceSet Classification(int samples = 25000, bool embedded = false, int maxLength = 50, ulong seed = 0)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), $"ReberGrammar.Classification: needs at least 2 samples; got {samples}");
        var shortest = embedded ? 9 : 5;
        if (maxLength < shortest)
            throw new ArgumentOutOfRangeException(nameof(maxLength), $"ReberGrammar.Classification: maxLength must be at least {shortest}; got {maxLength}");
        var gen = new Generator(seed);
        var strings = new string[samples];
        var labels = new long[samples];
        var valid = (samples + 1) / 2;
        for (var i = 0; i < samples; i++)
        {
            string text;
            do text = Generate(gen, embedded);
            while (text.Length > maxLength);
            strings[i] = i < valid ? text : Corrupt(text, gen, embedded);
            labels[i] = i < valid ? 1 : 0;
        }
        var order = Tensor.RandPerm(samples, gen).ToArray<long>();
        var sequences = order.Select(i => Encode(strings[i])).ToArray();
        return new SequenceSet(
            embedded ? "embedded-reber" : "reber",
            SymbolSequences.OneHot(sequences, Symbols.Length),
            SymbolSequences.Lengths(sequences),
            Tensor.Wrap(order.Select(i => labels[i]).ToArray()),
            ["invalid", "valid"]);
    }

    /// <summary>The string as indices into <see cref="Symbols"/>.</summary>
    public static int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Select(c =>
        {
            var index = Symbols.IndexOf(c);
            return index >= 0 ? index : throw new ArgumentException($"ReberGrammar.Encode: '{c}' in '{text}' is not one of {Symbols}");
        }).ToArray();
    }

    /// <summary>The string of a sequence of indices into <see cref="Symbols"/>.</summary>
    public static string Decode(IEnumerable<int> symbols) => new(symbols.Select(i => Symbols[i]).ToArray());

    private static bool AcceptsPlain(string text)
    {
        if (text.Length < 2 || text[0] != 'B' || text[^1] != 'E') return false;
        var node = 0;
        foreach (var symbol in text.AsSpan(1, text.Length - 2))
        {
            if (node == Exit) return false;
            var edges = Graph[node];
            node = edges[0].Symbol == symbol ? edges[0].Next : edges[1].Symbol == symbol ? edges[1].Next : int.MinValue;
            if (node == int.MinValue) return false;
        }
        return node == Exit;
    }
}
