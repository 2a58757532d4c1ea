namespace Engine.Data;

/// <summary>A text for character-level language modelling: a vocabulary and the training and validation texts as
/// Int64 index tensors.</summary>
public sealed record CharCorpus(string Name, CharVocabulary Vocabulary, Tensor Train, Tensor Validation)
{
    /// <summary>The separator written after every document when documents are joined into one text.</summary>
    public const string DocumentSeparator = "%\n";

    /// <summary>A corpus from whole documents: a seeded random <paramref name="validationFraction"/> of the documents
    /// (at least one) becomes the validation text, the rest the training text, each document followed by
    /// <see cref="DocumentSeparator"/>. Splitting by document, not at one cut of the text, keeps both parts a mix
    /// of all sources and never splits a document. The vocabulary holds the characters of both parts.</summary>
    public static CharCorpus FromDocuments(string name, IReadOnlyList<string> documents, double validationFraction = 0.1, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count < 2)
            throw new ArgumentException($"CharCorpus {name}: needs at least 2 documents (one for each part); got {documents.Count}");
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"CharCorpus {name}: validationFraction must be in (0, 1); got {validationFraction}");
        var validationCount = Math.Clamp((int)Math.Round(validationFraction * documents.Count), 1, documents.Count - 1);
        var order = Tensor.RandPerm(documents.Count, new Generator(seed)).ToArray<long>();
        string Join(IEnumerable<long> ids) => string.Concat(ids.Order().Select(i => documents[(int)i] + DocumentSeparator));
        var validation = Join(order.Take(validationCount));
        var train = Join(order.Skip(validationCount));
        var vocabulary = new CharVocabulary(train.Concat(validation));
        return new CharCorpus(name, vocabulary, vocabulary.Encode(train), vocabulary.Encode(validation));
    }

    /// <summary>Non-overlapping windows of a text for next-character prediction: input i is tokens[i L .. i L + L)
    /// and its target the same window shifted by one, tokens[i L + 1 .. i L + L + 1); both Int64 [windows, L]. The
    /// tail that does not fill a window is left out.</summary>
    public static TensorDataset Windows(Tensor tokens, int length)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.DType != DType.Int64 || tokens.Rank != 1)
            throw new ArgumentException($"CharCorpus.Windows: tokens must be Int64 [n]; got {tokens.DType} {Shape.Format(tokens.Shape)}");
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), $"CharCorpus.Windows: length must be positive; got {length}");
        var windows = (tokens.Size(0) - 1) / length;
        if (windows == 0)
            throw new ArgumentException($"CharCorpus.Windows: {tokens.Size(0)} tokens do not fill one window of {length} plus its next-character target");
        var inputs = tokens.Narrow(0, 0, windows * length).Reshape(windows, length);
        var targets = tokens.Narrow(0, 1, windows * length).Reshape(windows, length);
        return new TensorDataset(inputs.Contiguous(), targets.Contiguous());
    }
}
