using System.Numerics;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Batched matrix multiplication. Floating-point products go through <see cref="BatchedGemm"/>.</summary>
public sealed partial class CpuBackend
{
    public void Matmul(Tensor a, Tensor b, Tensor c, bool accumulate)
        => Gemm(a, MatrixOperand.Of(a), b, MatrixOperand.Of(b), c, MatrixOperand.Of(c), accumulate);

    public void Gemm(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate)
    {
        MatrixOperand.CheckGemm(a, av, b, bv, c, cv);
        switch (c.DType)
        {
            case DType.Float32: BatchedGemm.Run<float>(a, av, b, bv, c, cv, accumulate); break;
            case DType.Float64: BatchedGemm.Run<double>(a, av, b, bv, c, cv, accumulate); break;
            default: ThrowUnsupported("Gemm", c.DType); break;
        }
    }
}

/// <summary>Batched GEMM c[B,M,N] (+)= a[B,M,K] b[B,K,N] for strided a and b (transposed, sliced, batch stride 0)
/// and contiguous c. Picks the widest accelerated SIMD width and splits the work across threads; each piece is a
/// single-threaded <see cref="PackedGemm{T, TL, TV}"/>.</summary>
internal static class BatchedGemm
{
    /// <summary>Multiply-adds a thread must have before a second one is worth waking (about 10 us of work).</summary>
    private const long MinMacsPerThread = 1 << 20;

    public static void Run<T>(Tensor a, Tensor b, Tensor c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run<T>(a, MatrixOperand.Of(a), b, MatrixOperand.Of(b), c, MatrixOperand.Of(c), accumulate);

    public static void Run<T>(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) Batched<T, Lanes512<T>, Vector512<T>>(a, av, b, bv, c, cv, accumulate);
        else if (Vector256.IsHardwareAccelerated) Batched<T, Lanes256<T>, Vector256<T>>(a, av, b, bv, c, cv, accumulate);
        else Batched<T, ScalarLanes<T>, T>(a, av, b, bv, c, cv, accumulate);
    }

    /// <summary>Work items are (matrix, slice) pairs: when there are fewer matrices than threads each matrix is cut
    /// into slices along an output dim (whole micro-tiles), so every slice packs only its share of the operand that
    /// is split and the threads never synchronise.</summary>
    private static unsafe void Batched<T, TL, TV>(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : struct, IGemmLanes<TV, T>
        where TV : unmanaged
    {
        int batch = cv.Batch, m = cv.Rows, n = cv.Cols, k = av.Cols;
        if (batch == 0 || m == 0 || n == 0) return;
        var macs = (long)m * n * k;
        var threads = (int)Math.Clamp(batch * macs / MinMacsPerThread, 1, CpuParallel.MaxThreads);
        var slices = batch >= threads ? 1 : (threads + batch - 1) / batch;
        // Slices of the longer output dim, except where column slices read A in place and split into whole panels:
        // then no slice packs anything twice, while row slices would each pack all of B (n = 128: 10% less time
        // per slice).
        var nr = GemmMicroKernel<T, TL, TV>.NR;
        var splitRows = m >= n
            && !(slices > 1 && n % (slices * nr) == 0 && PackedGemm<T, TL, TV>.ReadsAInPlace(m, n / slices, k));
        var tile = splitRows ? GemmMicroKernel<T, TL, TV>.MR : nr;
        var length = splitRows ? m : n;
        var step = ((length + slices - 1) / slices + tile - 1) / tile * tile;
        slices = (length + step - 1) / step;

        int sab = av.BatchStride, sam = av.RowStride, sak = av.ColStride;
        int sbb = bv.BatchStride, sbk = bv.RowStride, sbn = bv.ColStride;
        int scb = cv.BatchStride, ldc = cv.RowStride;
        // CpuParallel counts cost in units where Threshold is one thread's worth; MinMacsPerThread is ours.
        var costPerItem = Math.Max(1, macs / slices * CpuParallel.Threshold / MinMacsPerThread);
        CpuParallel.For(batch * slices, costPerItem, (start, end) =>
        {
            fixed (T* pa = CpuBackend.Buffer<T>(a), pb = CpuBackend.Buffer<T>(b), pc = CpuBackend.Buffer<T>(c))
            {
                for (var item = start; item < end; item++)
                {
                    var bi = item / slices;
                    var s0 = item % slices * step;
                    var s = Math.Min(step, length - s0);
                    int i0 = splitRows ? s0 : 0, j0 = splitRows ? 0 : s0;
                    var am = new StridedMatrix<T>(pa + av.Offset + (nint)bi * sab + (nint)i0 * sam, sam, sak);
                    var bm = new StridedMatrix<T>(pb + bv.Offset + (nint)bi * sbb + (nint)j0 * sbn, sbk, sbn);
                    var cp = pc + cv.Offset + (nint)bi * scb + (nint)i0 * ldc + j0;
                    PackedGemm<T, TL, TV>.Multiply(am, bm, cp, ldc, splitRows ? s : m, splitRows ? n : s, k, accumulate);
                }
            }
        });
    }
}
