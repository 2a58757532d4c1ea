using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/reduce.comp, byte for byte: output and reduced element counts, offsets,
/// and the kept (x and y strides) and reduced (x strides) dims, each collapsed and left-padded to rank 4.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ReduceParams
{
    public const int Rank = 4;

    public int OutCount;
    public int ReduceCount;
    public int OffsetX;
    public int OffsetY;
    public fixed int OutShape[Rank];
    public fixed int OutStrideX[Rank];
    public fixed int OutStrideY[Rank];
    public fixed int ReduceShape[Rank];
    public fixed int ReduceStrideX[Rank];
}
