namespace Engine;

/// <summary>Dropout with a Philox mask: each element is kept with probability 1 - p and scaled by 1 / (1 - p).</summary>
public sealed partial class Tensor
{
    public Tensor Dropout(double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: p must be in [0, 1]; got {p}");
        if (!DType.IsFloatingPoint()) throw new ArgumentException($"Dropout: needs a floating-point tensor; got {DType}");
        if (!training || p == 0) return this;
        if (p == 1) return this * 0.0;
        Tensor mask;
        using (Autograd.NoGrad())
            mask = Rand(shape, DType, generator, Device).Ge(p).To(DType) * (1.0 / (1.0 - p));
        return this * mask;
    }
}
