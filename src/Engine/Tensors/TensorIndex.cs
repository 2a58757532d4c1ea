namespace Engine;

/// <summary>One entry of a tensor indexer: an integer (selects and removes a dim), a range (slices), or
/// <see cref="Ellipsis"/> (as many full dims as needed). <c>x[.., 1..3]</c>, <c>x[0, ^1]</c>,
/// <c>x[TensorIndex.Ellipsis, 0]</c>.</summary>
public readonly struct TensorIndex
{
    private enum Kind : byte
    {
        Single,
        Range,
        Ellipsis,
    }

    private readonly Kind kind;
    private readonly Index single;
    private readonly Range range;

    private TensorIndex(Kind kind, Index single, Range range)
    {
        this.kind = kind;
        this.single = single;
        this.range = range;
    }

    public static TensorIndex Ellipsis => new(Kind.Ellipsis, default, default);

    public static implicit operator TensorIndex(int i) => new(Kind.Single, i < 0 ? Index.FromEnd(-i) : Index.FromStart(i), default);

    public static implicit operator TensorIndex(Index i) => new(Kind.Single, i, default);

    public static implicit operator TensorIndex(Range r) => new(Kind.Range, default, r);

    internal bool IsEllipsis => kind == Kind.Ellipsis;

    internal Tensor Apply(Tensor t, int dim, out bool removesDim)
    {
        var size = t.ShapeArray[dim];
        if (kind == Kind.Single)
        {
            removesDim = true;
            var i = single.IsFromEnd ? size - single.Value : single.Value;
            if (i < 0 || i >= size)
                throw new ArgumentOutOfRangeException(nameof(t),
                    $"Indexer: index {single} is out of range for dim {dim} of size {size} (shape {Shape.Format(t.Shape)})");
            return t.Select(dim, i);
        }
        removesDim = false;
        var start = range.Start.IsFromEnd ? size - range.Start.Value : range.Start.Value;
        var end = range.End.IsFromEnd ? size - range.End.Value : range.End.Value;
        start = Math.Clamp(start, 0, size);
        end = Math.Clamp(end, start, size);
        return start == 0 && end == size ? t : t.Slice(dim, start, end);
    }
}

public sealed partial class Tensor
{
    /// <summary>Basic indexing as in PyTorch: integers select, ranges slice, all as views. Assigning copies a tensor
    /// (broadcast) into the view.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Index(indices).CopyFrom_(value);
        }
    }

    private Tensor Index(TensorIndex[] indices)
    {
        var ellipses = indices.Count(i => i.IsEllipsis);
        if (ellipses > 1) throw new ArgumentException("Indexer: at most one Ellipsis is allowed");
        var explicitDims = indices.Length - ellipses;
        if (explicitDims > Rank)
            throw new ArgumentException($"Indexer: {explicitDims} indices for a tensor of rank {Rank} (shape {Engine.Shape.Format(shape)})");
        var result = this;
        var dim = 0;
        foreach (var idx in indices)
        {
            if (idx.IsEllipsis)
            {
                dim += Rank - explicitDims;
                continue;
            }
            result = idx.Apply(result, dim, out var removed);
            if (!removed) dim++;
        }
        return result;
    }
}
