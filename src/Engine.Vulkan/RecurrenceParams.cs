using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/recurrence.comp, byte for byte (112 bytes): row count, length, chunk length
/// and count, the offsets of y, a and b at step 0 of row 0 and h0's, their strides along the scanned dim, and the
/// other dims collapsed and left-padded to rank 4 with the three operands' strides.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RecurrenceParams
{
    public const int Rank = 4;

    public int Rows;
    public int Length;
    public int Chunk;
    public int Chunks;
    public fixed int Offset[3];
    public int H0Offset;
    public fixed int Step[3];
    public int Padding;
    public fixed int Shape[Rank];
    public fixed int Strides[3 * Rank];
}
