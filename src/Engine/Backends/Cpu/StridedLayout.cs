namespace Engine.Backends.Cpu;

/// <summary>The iteration space of an elementwise kernel over several operands of one shape but their own strides:
/// size-1 dims dropped and dims merged where every operand is contiguous across them, so a kernel walks long rows
/// (the last dim) and computes each row's offsets from the outer dims.</summary>
internal sealed class StridedLayout
{
    private readonly int[] sizes;
    private readonly int[][] strides;
    private readonly int[] baseOffsets;

    private StridedLayout(int[] sizes, int[][] strides, int[] baseOffsets)
    {
        this.sizes = sizes;
        this.strides = strides;
        this.baseOffsets = baseOffsets;
        RowLength = sizes[^1];
        var rows = 1;
        for (var i = 0; i < sizes.Length - 1; i++) rows *= sizes[i];
        RowCount = RowLength == 0 ? 0 : rows;
    }

    /// <summary>Elements per row (the innermost collapsed dim).</summary>
    public int RowLength { get; }

    public int RowCount { get; }

    /// <summary>Stride of operand k along a row.</summary>
    public int InnerStride(int k) => strides[k][^1];

    public static StridedLayout Of(Tensor t0) => Build(t0.ShapeArray, [t0]);

    public static StridedLayout Of(Tensor t0, Tensor t1) => Build(t0.ShapeArray, [t0, t1]);

    public static StridedLayout Of(Tensor t0, Tensor t1, Tensor t2) => Build(t0.ShapeArray, [t0, t1, t2]);

    public static StridedLayout Of(Tensor t0, Tensor t1, Tensor t2, Tensor t3) => Build(t0.ShapeArray, [t0, t1, t2, t3]);

    /// <summary>Offsets (into each operand's storage) of the first element of row <paramref name="row"/>.</summary>
    public void RowOffsets(int row, Span<int> offsets)
    {
        for (var k = 0; k < strides.Length; k++) offsets[k] = baseOffsets[k];
        for (var d = sizes.Length - 2; d >= 0 && row > 0; d--)
        {
            var i = row % sizes[d];
            row /= sizes[d];
            for (var k = 0; k < strides.Length; k++) offsets[k] += i * strides[k][d];
        }
    }

    private static StridedLayout Build(int[] shape, Tensor[] operands)
    {
        var n = operands.Length;
        foreach (var t in operands)
            if (!t.ShapeArray.AsSpan().SequenceEqual(shape))
                throw new InvalidOperationException("StridedLayout: operands must share one shape (an engine bug)");
        // At most one collapsed dim per input dim; trimmed at the end.
        var sizes = new int[Math.Max(shape.Length, 1)];
        var strides = new int[n][];
        for (var k = 0; k < n; k++) strides[k] = new int[sizes.Length];
        var rank = 0;
        var empty = false;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 0) empty = true;
            if (shape[d] == 1) continue;
            var mergeable = rank > 0;
            for (var k = 0; k < n && mergeable; k++)
                mergeable = strides[k][rank - 1] == operands[k].StrideArray[d] * shape[d];
            if (mergeable)
            {
                sizes[rank - 1] *= shape[d];
                for (var k = 0; k < n; k++) strides[k][rank - 1] = operands[k].StrideArray[d];
            }
            else
            {
                sizes[rank] = shape[d];
                for (var k = 0; k < n; k++) strides[k][rank] = operands[k].StrideArray[d];
                rank++;
            }
        }
        if (rank == 0)
        {
            sizes[0] = 1;
            for (var k = 0; k < n; k++) strides[k][0] = 1;
            rank = 1;
        }
        if (rank < sizes.Length)
        {
            Array.Resize(ref sizes, rank);
            for (var k = 0; k < n; k++) Array.Resize(ref strides[k], rank);
        }
        if (empty) sizes[^1] = 0;
        var offsets = new int[n];
        for (var k = 0; k < n; k++) offsets[k] = operands[k].Offset;
        return new StridedLayout(sizes, strides, offsets);
    }
}
