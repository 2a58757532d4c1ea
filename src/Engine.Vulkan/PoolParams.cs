using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/pool.comp, byte for byte.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PoolParams
{
    public int Total, H, W, OH, OW;
    public int KH, KW, StrideH, StrideW, PadH, PadW, DilationH, DilationW;
    public int CountIncludePad;
    public int OffsetIn, OffsetOut, OffsetIndex;
}
