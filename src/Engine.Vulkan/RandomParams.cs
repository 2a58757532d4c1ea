using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/random.comp, byte for byte (std430: the 64-bit seed and block offset as
/// (low, high) word pairs at 8-byte alignment, then alpha and beta as doubles, or as floats in the NARROW build,
/// which takes integer draws' range and low bound as words).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RandomParams
{
    public int Numel;
    public int YOffset;
    public uint Range;
    public int Low;
    public uint SeedLow;
    public uint SeedHigh;
    public uint BlockLow;
    public uint BlockHigh;
    public fixed byte Scalars[16];

    public void SetScalars(bool wide, double alpha, double beta)
    {
        fixed (byte* t = Scalars)
        {
            if (wide)
            {
                ((double*)t)[0] = alpha;
                ((double*)t)[1] = beta;
            }
            else
            {
                ((float*)t)[0] = (float)alpha;
                ((float*)t)[1] = (float)beta;
            }
        }
    }
}
