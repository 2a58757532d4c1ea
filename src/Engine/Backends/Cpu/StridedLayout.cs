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
        var sizes = new List<int>(shape.Length);
        var strideLists = new List<int>[n];
        for (var k = 0; k < n; k++) strideLists[k] = new List<int>(shape.Length);
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            var last = sizes.Count - 1;
            var mergeable = last >= 0;
            for (var k = 0; k < n && mergeable; k++)
                mergeable = strideLists[k][last] == operands[k].StrideArray[d] * shape[d];
            if (mergeable)
            {
                sizes[last] *= shape[d];
                for (var k = 0; k < n; k++) strideLists[k][last] = operands[k].StrideArray[d];
            }
            else
            {
                sizes.Add(shape[d]);
                for (var k = 0; k < n; k++) strideLists[k].Add(operands[k].StrideArray[d]);
            }
        }
        if (sizes.Count == 0)
        {
            sizes.Add(shape.Contains(0) ? 0 : 1);
            for (var k = 0; k < n; k++) strideLists[k].Add(1);
        }
        if (shape.Contains(0)) sizes[^1] = 0;
        var offsets = new int[n];
        for (var k = 0; k < n; k++) offsets[k] = operands[k].Offset;
        return new StridedLayout(sizes.ToArray(), strideLists.Select(l => l.ToArray()).ToArray(), offsets);
    }
}
