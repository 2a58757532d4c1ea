using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Engine.Backends.Cpu;

namespace Engine.Bench.Native;

/// <summary>OpenBLAS's cblas_sgemm / cblas_dgemm through P/Invoke (Debian libopenblas0-pthread), the GEMM ceiling
/// the bench compares against; not a dependency of the engine.
///
/// OpenBLAS 0.3.21 (Debian 12) does not recognise newer Xeons and falls back to its Prescott (SSE3) kernel, about
/// an eighth of the machine's speed. OpenBLAS picks the kernel once, when the library loads, from
/// OPENBLAS_CORETYPE, so the bench sets that variable in its own process first: by default ("auto") to the kernel
/// for the instruction set the CPU has (SkylakeX for AVX-512, Haswell for AVX2); "detect" leaves OpenBLAS's own
/// detection; any other value is passed through. The library's chosen kernel is printed with every run.</summary>
public static partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101;
    private const int NoTrans = 111;

    private static readonly Lock Gate = new();
    private static string? status;

    /// <summary>"auto", "detect" or an OpenBLAS core name; read when the library is first loaded.</summary>
    public static string CoreTypeChoice { get; set; } = "auto";

    /// <summary>Whether the library loaded (<see cref="Prepare"/> has run).</summary>
    public static bool Available { get; private set; }

    /// <summary>One line saying which kernel OpenBLAS uses and why.</summary>
    public static string Status => Prepare();

    public static string Prepare()
    {
        lock (Gate)
        {
            if (status is not null) return status;
            var before = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
            var chosen = CoreTypeChoice switch
            {
                "auto" => Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported ? "Haswell" : null,
                "detect" => null,
                var name => name,
            };
            NativeLibraries.SetEnvironment("OPENBLAS_CORETYPE", chosen);
            if (!NativeLibrary.TryLoad(Library, out _))
            {
                status = $"OpenBLAS: {Library} not found (apt-get install libopenblas0-pthread); OpenBLAS cases skipped";
                return status;
            }
            openblas_set_num_threads(CpuParallel.MaxThreads);
            Available = true;
            var why = chosen is null
                ? "OPENBLAS_CORETYPE unset: OpenBLAS's own CPU detection"
                : $"OPENBLAS_CORETYPE={chosen} set by the bench ({CoreTypeChoice})";
            if (before is not null && before != chosen) why += $", replacing OPENBLAS_CORETYPE={before} from the environment";
            status = $"OpenBLAS: kernel {Marshal.PtrToStringUTF8(openblas_get_corename())} ({why}); " +
                $"{openblas_get_num_threads()} threads; {Marshal.PtrToStringUTF8(openblas_get_config())}";
            return status;
        }
    }

    public static unsafe void Sgemm(int m, int n, int k, float* a, float* b, float* c) =>
        cblas_sgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1f, a, k, b, n, 0f, c, n);

    public static unsafe void Dgemm(int m, int n, int k, double* a, double* b, double* c) =>
        cblas_dgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);

    [LibraryImport(Library)]
    private static unsafe partial void cblas_sgemm(
        int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static unsafe partial void cblas_dgemm(
        int order, int transA, int transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial int openblas_get_num_threads();

    [LibraryImport(Library)]
    private static partial IntPtr openblas_get_corename();

    [LibraryImport(Library)]
    private static partial IntPtr openblas_get_config();
}
