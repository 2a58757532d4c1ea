using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/conv2d.comp, byte for byte: the geometry, the implicit GEMM's sizes
/// (M x Cols with reduction K, cut into Splits chunks of Chunk) and the element offsets of bindings 0-3.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConvParams
{
    public int N, C, H, W;
    public int O, KH, KW, Groups;
    public int OH, OW, StrideH, StrideW;
    public int PadH, PadW, DilationH, DilationW;
    public int M, Cols, K, Chunk;
    public int Splits, HasBias;
    public int Offset0, Offset1, Offset2, Offset3;
}
