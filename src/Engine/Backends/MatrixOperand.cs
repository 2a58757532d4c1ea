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

    public override string ToString() =>
        $"{Batch}x[{Rows},{Cols}] at {Offset} strides ({BatchStride},{RowStride},{ColStride})";
}
