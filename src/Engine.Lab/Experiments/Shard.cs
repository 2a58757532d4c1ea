using System.Globalization;

namespace Engine.Lab.Experiments;

/// <summary>One part of a sweep for a job array: shard <see cref="Index"/> of <see cref="Count"/> (0-based, as
/// Kubernetes' JOB_COMPLETION_INDEX and a Slurm array 0..n-1) runs the cells whose position modulo Count is Index,
/// so the shards partition the cells and each gets a mix of cheap and expensive ones.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard All = new(0, 1);

    public bool Selects(int cellPosition) => cellPosition % Count == Index;

    /// <summary>Parses "i/n" with 0 &lt;= i &lt; n.</summary>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count)
            throw new ArgumentException($"Shard: '{text}' is not i/n with 0 <= i < n (e.g. 0/4 for the first of four shards)");
        return new Shard(index, count);
    }

    public override string ToString() => $"{Index}/{Count}";
}
