using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/softmax.comp, byte for byte: row count and length, the three operands'
/// offsets and strides along the softmax dim, and the other dims collapsed and left-padded to rank 4.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SoftmaxParams
{
    public const int Rank = 4;

    public int Rows;
    public int Inner;
    public fixed int Offset[3];
    public fixed int InnerStride[3];
    public fixed int Shape[Rank];
    public fixed int Strides[3 * Rank];
}
