using System.Runtime.InteropServices;
using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/gemm.comp, byte for byte.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GemmParams
{
    public int M, N, K, Accumulate;
    public int OffsetA, OffsetB, OffsetC, Unused;
    public int BatchStrideA, RowStrideA, ColStrideA;
    public int BatchStrideB, RowStrideB, ColStrideB;
    public int BatchStrideC, RowStrideC;

    public static GemmParams Of(MatrixOperand a, MatrixOperand b, MatrixOperand c, bool accumulate) => new()
    {
        M = c.Rows,
        N = c.Cols,
        K = a.Cols,
        Accumulate = accumulate ? 1 : 0,
        OffsetA = a.Offset,
        OffsetB = b.Offset,
        OffsetC = c.Offset,
        BatchStrideA = a.BatchStride,
        RowStrideA = a.RowStride,
        ColStrideA = a.ColStride,
        BatchStrideB = b.BatchStride,
        RowStrideB = b.RowStride,
        ColStrideB = b.ColStride,
        BatchStrideC = c.BatchStride,
        RowStrideC = c.RowStride,
    };
}
