using System.Text;

namespace Engine.Data;

/// <summary>The quotations of Debian's package <c>fortunes</c> (about 15,000 fortunes, 2.5 MB of English text) as a
/// corpus for character-level language modelling.</summary>
public static class FortunesCorpus
{
    /// <summary>Where the package installs its files.</summary>
    public const string SystemDirectory = "/usr/share/games/fortunes";

    /// <summary>Reads the fortune files of <paramref name="directory"/> (default <see cref="SystemDirectory"/>) and
    /// splits them by fortune (see <see cref="CharCorpus.FromDocuments"/>). The files are the plain ones, without
    /// an extension (the strfile indexes end in .dat); where there are none, the UTF-8 ones ending in .u8. Each file
    /// holds fortunes separated by lines of a single %.</summary>
    /// <exception cref="DataSetNotFoundException">The directory or its fortune files are missing.</exception>
    public static CharCorpus Load(string? directory = null, double validationFraction = 0.1, ulong seed = 0)
    {
        var dir = string.IsNullOrEmpty(directory) ? SystemDirectory : directory;
        var files = FortuneFiles(dir);
        var documents = files.SelectMany(f => SplitFortunes(File.ReadAllText(f, Encoding.UTF8))).ToArray();
        return CharCorpus.FromDocuments("fortunes", documents, validationFraction, seed);
    }

    /// <summary>The fortune files of the directory in ordinal order, so every machine reads them alike.</summary>
    private static string[] FortuneFiles(string dir)
    {
        if (Directory.Exists(dir))
        {
            var all = Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToArray();
            var plain = all.Where(f => Path.GetExtension(f).Length == 0).ToArray();
            var files = plain.Length > 0 ? plain : all.Where(f => f.EndsWith(".u8", StringComparison.Ordinal)).ToArray();
            if (files.Length > 0) return files;
        }
        var problem = Directory.Exists(dir) ? "has no fortune files (plain, or ending in .u8)" : "does not exist";
        throw new DataSetNotFoundException(
            $"The fortunes corpus was not found: {dir} {problem}. To get it, run `apt-get install fortunes` (Debian; installs the files in "
            + SystemDirectory + "), or give the directory that holds them (--data-dir).");
    }

    /// <summary>The fortunes of one file, each normalised by <see cref="Normalize"/> and ending in a newline.</summary>
    internal static IEnumerable<string> SplitFortunes(string text)
    {
        var current = new StringBuilder();
        foreach (var line in Normalize(text).Split('\n'))
        {
            if (line == "%")
            {
                if (current.Length > 0) yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(line).Append('\n');
            }
        }
        var last = current.ToString().TrimEnd('\n');
        if (last.Length > 0) yield return last + "\n";
    }

    /// <summary>Plain printable ASCII and newlines: overstrikes (a character, a backspace, another) keep what was
    /// struck last, tabs become spaces, carriage returns and every other character are dropped. The corpus has a few
    /// dozen non-ASCII characters, most of them mis-encoded; dropping them keeps the vocabulary at the characters a
    /// model can learn.</summary>
    internal static string Normalize(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\b')
            {
                if (result.Length > 0 && result[^1] != '\n') result.Length--;
            }
            else if (c == '\t')
            {
                result.Append(' ');
            }
            else if (c == '\n' || (c >= ' ' && c <= '~'))
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }
}
