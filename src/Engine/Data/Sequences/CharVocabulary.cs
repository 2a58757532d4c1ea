namespace Engine.Data;

/// <summary>The characters of a character-level language model, each with an index (its class and embedding row), in
/// ordinal order so the same text gives the same vocabulary.</summary>
public sealed class CharVocabulary
{
    private readonly Dictionary<char, int> index;

    public CharVocabulary(IEnumerable<char> characters)
    {
        ArgumentNullException.ThrowIfNull(characters);
        Characters = new string(characters.Distinct().Order().ToArray());
        if (Characters.Length == 0) throw new ArgumentException("CharVocabulary: needs at least one character");
        index = Characters.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    /// <summary>The characters; character i has index i.</summary>
    public string Characters { get; }

    public int Count => Characters.Length;

    /// <summary>The index of every character of the text (Int64 [text.Length]).</summary>
    public Tensor Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new long[text.Length];
        for (var i = 0; i < text.Length; i++)
            ids[i] = index.TryGetValue(text[i], out var id) ? id
                : throw new ArgumentException($"CharVocabulary.Encode: character U+{(int)text[i]:X4} at position {i} is not in the vocabulary of {Count}");
        return Tensor.Wrap(ids);
    }

    /// <summary>The text of a sequence of indices.</summary>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return new string(ids.Select(id => id >= 0 && id < Count ? Characters[(int)id]
            : throw new ArgumentException($"CharVocabulary.Decode: index {id} is outside [0, {Count})")).ToArray());
    }
}
