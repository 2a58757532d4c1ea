using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Engine.Backends.Cpu;

/// <summary>A matrix view over raw memory: element (i, j) at Ptr[i * RowStride + j * ColStride].</summary>
internal readonly unsafe struct StridedMatrix<T>(T* ptr, nint rowStride, nint colStride)
    where T : unmanaged
{
    public readonly T* Ptr = ptr;
    public readonly nint RowStride = rowStride;
    public readonly nint ColStride = colStride;

    public T* At(int i, int j) => Ptr + i * RowStride + j * ColStride;
}

/// <summary>BLIS-style GEMM on one thread: C[m,n] (+)= A[m,k] B[k,n] for A and B with any strides, C with unit
/// column stride. B is packed KC x NC at a time into NR-column panels, A MC x KC at a time into MR-row panels; the
/// micro-kernel multiplies one A panel by one B panel. Transposed or strided operands cost only a different
/// packing loop.</summary>
/// <remarks>Blocking (L1 48 KB, L2 2 MB per core on the reference machine): a B micro-panel KC x NR
/// (256 x 128 bytes = 32 KB with AVX-512) stays in L1 while the ir loop streams A micro-panels from the MC x KC
/// A block in L2; the KC x NC B block (4 MB) lives in L3 and its micro-panels pass through L2. The A block is a
/// quarter of L2 (512 KB) rather than half, which measured a few percent faster: it leaves L2 room for the B
/// micro-panels in flight. KC = 256 also amortises the load/store of the C tile over 256 K steps.</remarks>
internal static unsafe class PackedGemm<T, TL, TV>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : struct, IGemmLanes<TV, T>
    where TV : unmanaged
{
    private static int MR => GemmMicroKernel<T, TL, TV>.MR;
    private const int KC = 256;

    private static int NR => GemmMicroKernel<T, TL, TV>.NR;

    private static int MC => (512 << 10) / (KC * Unsafe.SizeOf<T>()) / MR * MR;

    private static int NC => (4 << 20) / (KC * Unsafe.SizeOf<T>()) / NR * NR;

    /// <summary>Up to this many rows B is read in place when its rows are contiguous: each B element then serves
    /// so few rows of A that copying it into panels costs more than the strided reads it saves.</summary>
    private static int DirectBMaxRows => 4 * MR;

    /// <summary>A is read in place when its block is this small (it stays in cache unpacked) or when C has so
    /// few columns that each A element is used by at most two micro-tiles, too few to pay for packing it.</summary>
    private const int DirectABlockBytes = 128 << 10;

    // Fully optimised from the first call (AggressiveOptimization, as on every loop method of the GEMM): a product
    // runs long loops a few times, and tiered compilation left the early calls on slower code (n = 256 on one
    // thread: calls 10 to 100 took about 25% longer; the steady state is the same either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(StridedMatrix<T> a, StridedMatrix<T> b, T* c, nint ldc, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (var i = 0; i < m; i++) new Span<T>(c + i * ldc, n).Clear();
            return;
        }
        // Equal blocks rather than full ones plus a sliver: a thin last block pays the fixed costs for little work.
        var mcMax = Balanced(m, MC, MR);
        var ncMax = Balanced(n, NC, NR);
        var kcMax = Balanced(k, KC, 1);
        var directA = ReadsAInPlace(m, n, k);
        var directB = b.ColStride == 1 && m <= DirectBMaxRows;
        var buffers = GemmBuffers<T>.ForThread;
        var packedA = buffers.A.Get((directA ? MR : RoundUp(mcMax, MR)) * kcMax);
        var packedB = buffers.B.Get((directB ? NR : RoundUp(ncMax, NR)) * kcMax);
        var edge = stackalloc T[MR * NR];
        for (var jc = 0; jc < n; jc += ncMax)
        {
            var nc = Math.Min(ncMax, n - jc);
            for (var pc = 0; pc < k; pc += kcMax)
            {
                var kc = Math.Min(kcMax, k - pc);
                var acc = accumulate || pc > 0;
                if (!directB) PackPanels(b.At(pc, jc), b.ColStride, b.RowStride, nc, NR, kc, packedB);
                for (var ic = 0; ic < m; ic += mcMax)
                {
                    var mc = Math.Min(mcMax, m - ic);
                    // Read in place, A still packs its last partial panel: the kernel always reads MR rows.
                    var fullRows = directA ? mc / MR * MR : 0;
                    PackPanels(a.At(ic + fullRows, pc), a.RowStride, a.ColStride, mc - fullRows, MR, kc, packedA);
                    for (var jr = 0; jr < nc; jr += NR)
                    {
                        var cols = Math.Min(NR, nc - jr);
                        T* bp = packedB + jr * kc;
                        nint ldb = NR;
                        if (directB && cols == NR)
                        {
                            bp = b.At(pc, jc + jr);
                            ldb = b.RowStride;
                        }
                        else if (directB)
                        {
                            PackPanels(b.At(pc, jc + jr), 1, b.RowStride, cols, NR, kc, packedB);
                            bp = packedB;
                        }
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var rows = Math.Min(MR, mc - ir);
                            T* ap = packedA + (ir - fullRows) * kc;
                            nint aLine = 1, aStep = MR;
                            if (ir < fullRows)
                            {
                                ap = a.At(ic + ir, pc);
                                aLine = a.RowStride;
                                aStep = a.ColStride;
                            }
                            var ct = c + (ic + ir) * ldc + jc + jr;
                            if (rows == MR && cols == NR)
                            {
                                GemmMicroKernel<T, TL, TV>.Tile(kc, ap, aLine, aStep, bp, ldb, ct, ldc, acc);
                                continue;
                            }
                            GemmMicroKernel<T, TL, TV>.Tile(kc, ap, aLine, aStep, bp, ldb, edge, NR, accumulate: false);
                            for (var r = 0; r < rows; r++)
                            for (var j = 0; j < cols; j++)
                                ct[r * ldc + j] = acc ? ct[r * ldc + j] + edge[r * NR + j] : edge[r * NR + j];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Whether an m x k A is read in place rather than packed for a product with n columns (see
    /// <see cref="DirectABlockBytes"/>).</summary>
    public static bool ReadsAInPlace(int m, int n, int k)
        => n <= 2 * NR || (long)Balanced(m, MC, MR) * Balanced(k, KC, 1) * sizeof(T) <= DirectABlockBytes;

    /// <summary>Packs <paramref name="count"/> lines of a strided source (line l, step p at
    /// src[l * lineStride + p * stepStride]) into panels of <paramref name="width"/> lines, each stored step-major:
    /// panel q holds dst[q * width * kc + p * width + l]. Lines past count in the last panel are zero, so the
    /// micro-kernel can always run full width. A packs its rows (width MR); B its columns (width NR).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanels(T* src, nint lineStride, nint stepStride, int count, int width, int kc, T* dst)
    {
        for (var l0 = 0; l0 < count; l0 += width, src += width * lineStride, dst += width * kc)
        {
            var lines = Math.Min(width, count - l0);
            if (lines < width) new Span<T>(dst, width * kc).Clear();
            if (lineStride == 1 && lines == width && width == NR)
            {
                // Rows of a row-major B: each step is a contiguous run of NR elements.
                for (var p = 0; p < kc; p++)
                {
                    TL.Store(dst + p * width, TL.Load(src + p * stepStride));
                    TL.Store(dst + p * width + TL.Count, TL.Load(src + p * stepStride + TL.Count));
                }
                continue;
            }
            if (stepStride == 1 && lines == width && PanelTranspose.TryPack(src, lineStride, width, kc, dst)) continue;
            if (stepStride == 1)
            {
                // Lines contiguous along K (row-major A): read each line sequentially. The lines are short runs
                // (KC elements) far apart, which the hardware prefetcher picks up late, so each cache line of the
                // next panel's matching line is requested while this one is copied.
                var lineElements = 64 / sizeof(T);
                var prefetch = Sse.IsSupported && l0 + 2 * width <= count;
                for (var l = 0; l < lines; l++)
                {
                    T* s = src + l * lineStride, d = dst + l, next = s + width * lineStride;
                    var p = 0;
                    for (; p + lineElements <= kc; p += lineElements)
                    {
                        if (prefetch) Sse.Prefetch0(next + p);
                        for (var q = 0; q < lineElements; q++, d += width) *d = s[p + q];
                    }
                    for (; p < kc; p++, d += width) *d = s[p];
                }
            }
            else
            {
                T* s = src, d = dst;
                for (var p = 0; p < kc; p++, s += stepStride, d += width)
                {
                    T* sl = s;
                    for (var l = 0; l < lines; l++, sl += lineStride) d[l] = *sl;
                }
            }
        }
    }

    /// <summary>The size of each of the fewest blocks of at most <paramref name="max"/> that cover
    /// <paramref name="length"/>, rounded up to a multiple of <paramref name="unit"/>.</summary>
    private static int Balanced(int length, int max, int unit)
    {
        var blocks = (length + max - 1) / max;
        return RoundUp((length + blocks - 1) / blocks, unit);
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}

/// <summary>Per-thread packing buffers, reused across calls: pinned (so raw pointers stay valid) and aligned to
/// 64 bytes (so packed panels load without splitting cache lines).</summary>
internal sealed unsafe class GemmBuffers<T>
    where T : unmanaged
{
    [ThreadStatic] private static GemmBuffers<T>? current;

    public readonly Buffer A = new();
    public readonly Buffer B = new();

    public static GemmBuffers<T> ForThread => current ??= new GemmBuffers<T>();

    public sealed class Buffer
    {
        private const int Alignment = 64;
        private T[] array = [];
        private T* aligned;

        public T* Get(int length)
        {
            var pad = Alignment / sizeof(T);
            if (array.Length < length + pad)
            {
                array = GC.AllocateUninitializedArray<T>(length + pad, pinned: true);
                var address = (nint)Unsafe.AsPointer(ref array[0]);
                aligned = (T*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
            }
            return aligned;
        }
    }
}
