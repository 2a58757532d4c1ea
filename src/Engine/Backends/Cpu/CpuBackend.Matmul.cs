using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>Batched matrix multiplication. Floating-point products go through <see cref="Gemm"/>.</summary>
public sealed partial class CpuBackend
{
    public void Matmul(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        switch (c.DType)
        {
            case DType.Float32: Gemm.Batched<float>(a, b, c, accumulate); break;
            case DType.Float64: Gemm.Batched<double>(a, b, c, accumulate); break;
            default: ThrowUnsupported("Matmul", c.DType); break;
        }
    }
}

/// <summary>Row-oriented GEMM: each output row is accumulated as a sum of rows of B scaled by one element of A,
/// with contiguous B rows (B is packed when its rows are strided). Parallel over output rows.</summary>
internal static class Gemm
{
    public static void Batched<T>(Tensor a, Tensor b, Tensor c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = c.ShapeArray[0], m = c.ShapeArray[1], n = c.ShapeArray[2], k = a.ShapeArray[2];
        var cs = CpuBackend.Dense<T>(c);
        if (!accumulate) cs.Clear();
        if (m == 0 || n == 0 || k == 0) return;
        int sab = a.StrideArray[0], sam = a.StrideArray[1], sak = a.StrideArray[2];
        for (var bi = 0; bi < batch; bi++)
        {
            var bMat = b.AsStrided([k, n], [b.StrideArray[1], b.StrideArray[2]], b.Offset + bi * b.StrideArray[0]);
            var packed = CpuBackend.Instance.Densify(bMat);
            var bOffset = packed.Offset;
            var aOffset = a.Offset + bi * sab;
            var cOffset = bi * m * n;
            CpuParallel.For(m, (long)n * k, (r0, r1) =>
            {
                var bs = CpuBackend.Buffer<T>(packed);
                var aa = CpuBackend.Buffer<T>(a);
                var cc = CpuBackend.Dense<T>(c);
                for (var i = r0; i < r1; i++)
                {
                    var row = cc.Slice(cOffset + i * n, n);
                    for (var p = 0; p < k; p++)
                    {
                        var s = aa[aOffset + i * sam + p * sak];
                        TensorPrimitives.MultiplyAdd(bs.Slice(bOffset + p * n, n), s, row, row);
                    }
                }
            });
        }
    }
}
