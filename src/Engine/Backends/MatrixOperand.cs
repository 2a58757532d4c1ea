namespace Engine.Backends;

/// <summary>A batch of strided matrices inside a tensor's storage, as a GEMM reads or writes it: element (b, i, j)
/// at storage index Offset + b * BatchStride + i * RowStride + j * ColStride. Lets ops hand the backend a transposed
/// or reshaped operand without building a view tensor for it.</summary>
public readonly record struct MatrixOperand(int Offset, int Rows, int Cols, int RowStride, int ColStride, int Batch = 1, int BatchStride = 0)
{
    /// <summary>A rank-3 tensor [B, rows, cols] as it is laid out.</summary>
    public static MatrixOperand Of(Tensor t)
    {
        if (t.Rank != 3)
            throw new ArgumentException($"MatrixOperand.Of: expected a rank-3 tensor [batch, rows, cols]; got shape {Shape.Format(t.Shape)}");
        var shape = t.Shape;
        var strides = t.Strides;
        return new(t.Offset, shape[1], shape[2], strides[1], strides[2], shape[0], strides[0]);
    }

    /// <summary>A contiguous row-major [rows, cols] matrix starting at offset.</summary>
    public static MatrixOperand Dense(int offset, int rows, int cols) => new(offset, rows, cols, cols, 1);

    /// <summary>The transposed matrices (no data moves: rows and columns swap their strides).</summary>
    public MatrixOperand T => this with { Rows = Cols, Cols = Rows, RowStride = ColStride, ColStride = RowStride };

    /// <summary>Checks a GEMM's operands before any backend runs it: one dtype, shapes that fit, an output with unit
    /// column stride and no overlapping rows, and every operand inside its storage (the CPU kernel reads through raw
    /// pointers, a device kernel would read another tensor's memory).</summary>
    public static void CheckGemm(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv)
    {
        if (a.DType != c.DType || b.DType != c.DType)
            throw new ArgumentException($"Gemm: operands must share one dtype; got {a.DType}, {b.DType} and {c.DType}");
        if (av.Rows != cv.Rows || bv.Cols != cv.Cols || av.Cols != bv.Rows || av.Batch != cv.Batch || bv.Batch != cv.Batch)
            throw new ArgumentException($"Gemm: operands {av} x {bv} -> {cv} do not fit together");
        if (cv.ColStride != 1 || cv.Rows > 1 && cv.RowStride < cv.Cols || cv.Batch > 1 && cv.BatchStride < (long)cv.Rows * cv.RowStride)
            throw new ArgumentException($"Gemm: the output {cv} needs unit column stride and rows and matrices that do not overlap");
        CheckInside(a, av, "a");
        CheckInside(b, bv, "b");
        CheckInside(c, cv, "c");
    }

    private static void CheckInside(Tensor t, MatrixOperand o, string name)
    {
        if (o.Rows < 0 || o.Cols < 0 || o.Batch < 0 || o.Offset < 0 || o.RowStride < 0 || o.ColStride < 0 || o.BatchStride < 0)
            throw new ArgumentException($"Gemm: operand {name} {o} has a negative size, offset or stride");
        if (o.Rows == 0 || o.Cols == 0 || o.Batch == 0) return;
        var last = o.Offset + (long)(o.Batch - 1) * o.BatchStride + (long)(o.Rows - 1) * o.RowStride + (long)(o.Cols - 1) * o.ColStride;
        if (last >= t.Storage.Length)
            throw new ArgumentException($"Gemm: operand {name} {o} reaches element {last} of a storage of {t.Storage.Length}");
    }

    public override string ToString() =>
        $"{Batch}x[{Rows},{Cols}] at {Offset} strides ({BatchStride},{RowStride},{ColStride})";
}
