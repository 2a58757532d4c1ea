using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of the kernels that give one workgroup to each row along a dim (shaders/softmax.comp,
/// argreduce.comp), byte for byte: row count and length, three operands' offsets and strides along the dim, and the
/// other dims collapsed and left-padded to rank 4.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RowParams
{
    public const int Rank = 4;

    public int Rows;
    public int Inner;
    public fixed int Offset[3];
    public fixed int InnerStride[3];
    public fixed int Shape[Rank];
    public fixed int Strides[3 * Rank];
}
