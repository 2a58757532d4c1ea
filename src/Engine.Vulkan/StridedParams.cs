using System.Runtime.InteropServices;

namespace Engine.Vulkan;

/// <summary>The push constants of every elementwise kernel, byte for byte as shaders/include/strided.glsl declares
/// them: element count, four operand offsets, padding, a rank-4 shape, four stride vectors, and 16 bytes of scalars
/// (128 bytes, the push-constant size every Vulkan device supports).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct StridedParams
{
    public const int Rank = 4;
    public const int Operands = 4;

    public int Numel;
    public fixed int Offset[Operands];
    public fixed int Padding[3];
    public fixed int Shape[Rank];
    public fixed int Strides[Operands * Rank];
    public fixed byte Tail[16];

    public void SetScalars(DType dtype, double alpha, double beta)
    {
        fixed (byte* t = Tail)
        {
            if (dtype == DType.Float64)
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

    public void SetWords(ulong value)
    {
        fixed (byte* t = Tail) *(ulong*)t = value;
    }
}
