using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/random.comp, byte for byte (std430: the 64-bit seed and block offset as
/// (low, high) word pairs at 8-byte alignment, then alpha and beta as doubles).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RandomParams
{
    public int Numel;
    public int YOffset;
    public int Padding0;
    public int Padding1;
    public uint SeedLow;
    public uint SeedHigh;
    public uint BlockLow;
    public uint BlockHigh;
    public double Alpha;
    public double Beta;
}
