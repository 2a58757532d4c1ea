using System.Runtime.InteropServices;
using Engine.Bench.Native;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Engine.Bench.Cases;

/// <summary>C = A B for A [m, k], B [k, n], both row-major. Engine and TorchSharp allocate C per call
/// (a.Matmul(b) / a.matmul(b), the result disposed at once, so its buffer goes back to the pool); OpenBLAS writes
/// into a C allocated once, as a BLAS call does.</summary>
public sealed unsafe class GemmCase : BenchCase
{
    private readonly int m, k, n;
    private readonly Tensor a, b;
    private readonly TorchTensor ta, tb;
    private readonly void* pa, pb, pc;

    public GemmCase(DType dtype, int m, int k, int n)
    {
        if (dtype is not (DType.Float32 or DType.Float64)) throw new ArgumentException($"GemmCase: float32 or float64, not {dtype}");
        (this.m, this.k, this.n) = (m, k, n);
        DType = dtype;
        var generator = new Generator(1);
        a = Tensor.Randn([m, k], dtype, generator);
        b = Tensor.Randn([k, n], dtype, generator);
        ta = TorchInterop.ToTorch(a);
        tb = TorchInterop.ToTorch(b);
        var size = dtype == DType.Float32 ? sizeof(float) : sizeof(double);
        pa = NativeMemory.AlignedAlloc((nuint)(m * k * size), 64);
        pb = NativeMemory.AlignedAlloc((nuint)(k * n * size), 64);
        pc = NativeMemory.AlignedAlloc((nuint)(m * n * size), 64);
        if (dtype == DType.Float32)
        {
            a.ToArray<float>().CopyTo(new Span<float>(pa, m * k));
            b.ToArray<float>().CopyTo(new Span<float>(pb, k * n));
        }
        else
        {
            a.ToArray<double>().CopyTo(new Span<double>(pa, m * k));
            b.ToArray<double>().CopyTo(new Span<double>(pb, k * n));
        }
        Native.OpenBlas.Prepare();
    }

    public DType DType { get; }

    /// <summary>"sgemm_1024" for square products, "sgemm_128x784x256" (m x k x n) otherwise.</summary>
    public override string Key => KeyFor(DType, m, k, n);

    public static string KeyFor(DType dtype, int m, int k, int n) =>
        $"{(dtype == DType.Float32 ? "s" : "d")}gemm_{(m == k && k == n ? $"{n}" : $"{m}x{k}x{n}")}";

    public override string Description => $"[{m},{k}] . [{k},{n}] {DType}";

    public override IReadOnlyList<Peer> Peers => Native.OpenBlas.Available ? [Peer.TorchSharp, Peer.OpenBlas] : [Peer.TorchSharp];

    public override double WorkPerCall => 2.0 * m * k * n;

    public override (string Unit, double Scale) Throughput => ("GFLOP/s", 1e9);

    public override void Engine()
    {
        using var c = a.Matmul(b);
    }

    public override void TorchSharp()
    {
        using var c = ta.matmul(tb);
    }

    public override void OpenBlas()
    {
        if (DType == DType.Float32) Native.OpenBlas.Sgemm(m, n, k, (float*)pa, (float*)pb, (float*)pc);
        else Native.OpenBlas.Dgemm(m, n, k, (double*)pa, (double*)pb, (double*)pc);
    }

    public override void Dispose()
    {
        a.Dispose();
        b.Dispose();
        ta.Dispose();
        tb.Dispose();
        NativeMemory.AlignedFree(pa);
        NativeMemory.AlignedFree(pb);
        NativeMemory.AlignedFree(pc);
    }
}
