using System.Runtime.InteropServices;
using Engine.Backends.Cpu;
using TorchSharp;

namespace Engine.Bench.Native;

/// <summary>Gets TorchSharp's native library loaded before the first torch call: as shipped where the system
/// libstdc++ defines GLIBCXX_3.4.32, otherwise the repaired copy from <see cref="TorchSharpRepair"/>. Then sets
/// torch's intra-op threads to the engine's thread count and checks that torch computes.
///
/// libtorch runs its intra-op work on OpenMP (its bundled libgomp). With libgomp's default wait policy its idle
/// threads spin before sleeping; on a 2-core machine that also runs Engine's threads (or anything else) a spinning
/// thread takes the core a working one needs, and a 128x128 matmul measured 8 ms instead of 40 us. The bench sets
/// OMP_WAIT_POLICY=PASSIVE (idle threads sleep at once) unless the environment sets it; libgomp reads it when it
/// loads, so it is set in the C environment before TorchSharp's first call.
///
/// libtorch allocates its tensors and temporaries with malloc. glibc serves a block above its mmap threshold (128
/// KiB at first) with a fresh mmap, whose pages fault in on every call, and raises the threshold only after such a
/// block has been freed; so TorchSharp's speed depended on what ran before (conv 1->32 forward+backward: 8 ms in a
/// fresh process, 1.7 ms after one 1024x1024 matmul). The bench fixes the thresholds where a long-running
/// process's would settle (mmap 32 MiB, glibc's ceiling for the dynamic threshold; trim 64 MiB). Engine allocates
/// from the .NET heap and is not affected.</summary>
public static class TorchSharpRuntime
{
    private const string NativeName = "libLibTorchSharp.so";

    // Loaded by full path before the repaired copy, whose RUNPATH no longer points at the package folder: a
    // library already in the process satisfies a DT_NEEDED of the same soname.
    private static readonly string[] Dependencies = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    private const int MallocMmapThreshold = 32 << 20;

    private static readonly Lock Gate = new();
    private static string? status;

    /// <summary>One line saying how TorchSharp was loaded (for the bench's output).</summary>
    public static string Status => Prepare();

    public static string Prepare()
    {
        lock (Gate)
        {
            if (status is not null) return status;
            var waitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
            var policyNote = waitPolicy is { Length: > 0 }
                ? $"OMP_WAIT_POLICY={waitPolicy} from the environment"
                : "OMP_WAIT_POLICY=PASSIVE set by the bench";
            if (waitPolicy is not { Length: > 0 }) NativeLibraries.SetEnvironment("OMP_WAIT_POLICY", "PASSIVE");
            var mallocNote = NativeLibraries.SetMallocThresholds(MallocMmapThreshold)
                ? $"glibc malloc thresholds fixed by the bench (mmap {MallocMmapThreshold >> 20} MiB, trim {2 * MallocMmapThreshold >> 20} MiB)"
                : "malloc left as it is (not glibc)";
            var libstdcxx = NativeLibraries.LoadedPath("libstdc++.so.6");
            var versions = Elf64.Read(libstdcxx).VersionDefinitions();
            var loaded = versions.Contains(TorchSharpRepair.MissingVersion)
                ? $"{libstdcxx} defines {TorchSharpRepair.MissingVersion}: TorchSharp's {NativeName} used as shipped"
                : LoadRepaired($"{libstdcxx} (newest {Newest(versions, "GLIBCXX_")})");
            torch.set_num_threads(CpuParallel.MaxThreads);
            using (var check = torch.ones(2).sum())
                if (check.item<float>() != 2f) throw new InvalidOperationException("TorchSharp check failed: ones(2).sum() != 2");
            status = $"{loaded}; torch {torch.__version__}, {torch.get_num_threads()} intra-op threads, {policyNote}, {mallocNote}";
            return status;
        }
    }

    private static string LoadRepaired(string libstdcxx)
    {
        var nativeDir = NativeDirectory();
        var repaired = TorchSharpRepair.Ensure(Path.Combine(nativeDir, NativeName), CacheRoot(), out var built);
        foreach (var dependency in Dependencies) NativeLibrary.Load(Path.Combine(nativeDir, dependency));
        var handle = NativeLibrary.Load(repaired);
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
            name is "LibTorchSharp" or NativeName ? handle : IntPtr.Zero);
        return $"{libstdcxx} lacks {TorchSharpRepair.MissingVersion}: using a repaired copy of {NativeName} " +
            $"({(built ? "made now" : "cached")}: {repaired}; GLIBCXX_3.4.32 need made weak, " +
            $"{TorchSharpRepair.Symbol} unversioned, {TorchSharpRepair.ShimName} added as NEEDED)";
    }

    /// <summary>The highest of the versions named prefix + dotted numbers, e.g. GLIBCXX_3.4.30.</summary>
    private static string Newest(IEnumerable<string> versions, string prefix) =>
        versions.Where(v => v.StartsWith(prefix, StringComparison.Ordinal) && Version.TryParse(v[prefix.Length..], out _))
            .MaxBy(v => Version.Parse(v[prefix.Length..])) ?? $"no {prefix} version";

    private static string NativeDirectory()
    {
        string[] candidates = [Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"), AppContext.BaseDirectory];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, NativeName)))
            ?? throw new FileNotFoundException($"TorchSharp: {NativeName} not found in {string.Join(" or ", candidates)}");
    }

    private static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "engine-bench", "torchsharp");
    }
}
