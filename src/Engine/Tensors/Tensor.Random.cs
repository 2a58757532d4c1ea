using Engine.Backends;

namespace Engine;

/// <summary>Random tensors from the Philox stream of a <see cref="Generator"/> (the default one when none is given).</summary>
public sealed partial class Tensor
{
    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor Rand(params int[] shape) => Rand(shape, DType.Float32);

    public static Tensor Rand(int[] shape, DType dtype, Generator? generator = null, Device? device = null)
        => RandomTensor(shape, RandomKind.Uniform, 0, 1, dtype, generator, device, "Rand");

    /// <summary>Standard normal.</summary>
    public static Tensor Randn(params int[] shape) => Randn(shape, DType.Float32);

    public static Tensor Randn(int[] shape, DType dtype, Generator? generator = null, Device? device = null)
        => RandomTensor(shape, RandomKind.Normal, 0, 1, dtype, generator, device, "Randn");

    /// <summary>Integers uniform on [low, high) (Int64 by default, as PyTorch).</summary>
    public static Tensor RandInt(long low, long high, int[] shape, DType dtype = DType.Int64, Generator? generator = null, Device? device = null)
    {
        if (high <= low) throw new ArgumentException($"RandInt: the range [{low}, {high}) is empty");
        if (high - low > uint.MaxValue) throw new ArgumentException($"RandInt: the range [{low}, {high}) is wider than 2^32");
        return RandomTensor(shape, RandomKind.Integer, low, high, dtype, generator, device, "RandInt");
    }

    /// <summary>1 with probability p and 0 otherwise, elementwise (Float32 unless dtype says otherwise).</summary>
    public static Tensor Bernoulli(int[] shape, double p, DType dtype = DType.Float32, Generator? generator = null, Device? device = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Bernoulli: p must be in [0, 1]; got {p}");
        using (Autograd.NoGrad())
            return Rand(shape, DType.Float32, generator, device).Lt(p).To(dtype);
    }

    /// <summary>Bernoulli draws with per-element probabilities taken from this tensor.</summary>
    public Tensor Bernoulli(Generator? generator = null)
    {
        using (Autograd.NoGrad())
            return Rand(shape, DType.IsFloatingPoint() ? DType : DType.Float32, generator, Device).Lt(Detach()).To(DType);
    }

    /// <summary>A random permutation of 0..n-1 (Int64), by Fisher-Yates on the host from the Philox stream.</summary>
    public static Tensor RandPerm(int n, Generator? generator = null, Device? device = null)
    {
        if (n < 0) throw new ArgumentException($"RandPerm: n must be non-negative; got {n}");
        var gen = generator ?? Generator.Default;
        var perm = new long[n];
        for (var i = 0; i < n; i++) perm[i] = i;
        var block = gen.Advance((ulong)(n + 3) / 4);
        for (var i = n - 1; i > 0; i--)
        {
            var k = n - 1 - i;
            var (w0, w1, w2, w3) = Philox.Block(gen.Seed, block + (ulong)(k / 4));
            var w = (k % 4) switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
            var j = (int)(((ulong)w * (ulong)(i + 1)) >> 32);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        var t = FromArray(perm);
        return device is { } d && d != Device.Cpu ? t.To(d) : t;
    }

    public static Tensor RandLike(Tensor t, Generator? generator = null) => Rand(t.shape, t.DType, generator, t.Device);

    public static Tensor RandnLike(Tensor t, Generator? generator = null) => Randn(t.shape, t.DType, generator, t.Device);

    /// <summary>Fills this tensor in place with uniform values on [low, high).</summary>
    public Tensor Uniform_(double low, double high, Generator? generator = null) => FillRandom(RandomKind.Uniform, low, high, generator, "Uniform_");

    /// <summary>Fills this tensor in place with normal values.</summary>
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null) => FillRandom(RandomKind.Normal, mean, std, generator, "Normal_");

    private Tensor FillRandom(RandomKind kind, double a, double b, Generator? generator, string op)
    {
        CheckInPlace(op);
        if (!DType.IsFloatingPoint()) throw new ArgumentException($"{op}: needs a floating-point tensor; got {DType}");
        var draw = RandomTensor(shape, kind, a, b, DType, generator, Device, op);
        Backend.Copy(draw, this);
        return this;
    }

    private static Tensor RandomTensor(int[] shape, RandomKind kind, double a, double b, DType dtype, Generator? generator, Device? device, string op)
    {
        if (kind != RandomKind.Integer && !dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: needs a floating-point dtype; got {dtype}");
        if (kind == RandomKind.Integer && !dtype.IsInteger() && !dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: cannot draw integers into dtype {dtype}");
        var t = Empty(CheckShape(shape, op), dtype, device ?? Device.Cpu);
        var gen = generator ?? Generator.Default;
        var start = gen.Advance(Philox.BlocksFor(t.Numel, RandomKindInfo.For(kind, dtype)));
        if (t.Numel > 0) t.Backend.Random(t, kind, gen.Seed, start, a, b);
        return t;
    }
}
