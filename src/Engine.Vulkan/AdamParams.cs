using System.Runtime.InteropServices;
using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>The push constants of shaders/adam.comp, byte for byte: the element count, five operand offsets, the
/// maximize flag, then the step's scalars as float32 or float64 (<see cref="SetScalars"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct AdamParams
{
    public int Numel;
    public fixed int Offset[5];
    public int Maximize;
    public int Unused;
    public fixed byte Scalars[8 * sizeof(double)];

    /// <summary>The scalars the CPU backend derives from an <see cref="AdamStep"/>, computed in double and stored in
    /// the kernel's precision.</summary>
    public void SetScalars(AdamStep s, bool float64)
    {
        var bias1 = 1 - Math.Pow(s.Beta1, s.Step);
        var bias2 = 1 - Math.Pow(s.Beta2, s.Step);
        ReadOnlySpan<double> values =
        [
            s.Decoupled ? 0 : s.WeightDecay,
            1 - s.Beta1,
            s.Beta2,
            1 - s.Beta2,
            s.Decoupled ? 1 - s.Lr * s.WeightDecay : 1,
            s.Lr / bias1,
            Math.Sqrt(bias2),
            s.Eps,
        ];
        fixed (byte* t = Scalars)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (float64) ((double*)t)[i] = values[i];
                else ((float*)t)[i] = (float)values[i];
            }
        }
    }
}
