using System.Runtime.InteropServices;

namespace Engine.Bench.Native;

/// <summary>Process-level helpers for native libraries: where a loaded library's file is, and the C environment
/// (which native libraries read with getenv; .NET's Environment.SetEnvironmentVariable does not reach it on Unix).</summary>
public static partial class NativeLibraries
{
    /// <summary>Loads <paramref name="name"/> the way the dynamic linker resolves it for any other library and
    /// returns the file that was mapped (from /proc/self/maps; a versioned name such as libstdc++.so.6.0.30
    /// counts as a match for libstdc++.so.6).</summary>
    public static string LoadedPath(string name)
    {
        NativeLibrary.Load(name);
        var fileName = System.IO.Path.GetFileName(name);
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..];
            var mapped = System.IO.Path.GetFileName(path);
            if (mapped == fileName || mapped.StartsWith(fileName + ".", StringComparison.Ordinal))
                return path;
        }
        throw new InvalidOperationException($"{name} was loaded but does not appear in /proc/self/maps");
    }

    /// <summary>Sets a variable in the process's C environment and in .NET's view of it.</summary>
    public static void SetEnvironment(string name, string? value)
    {
        if (value is null)
        {
            if (unsetenv(name) != 0) throw new InvalidOperationException($"unsetenv({name}) failed");
        }
        else if (setenv(name, value, 1) != 0) throw new InvalidOperationException($"setenv({name}) failed");
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Fixes glibc malloc's mmap threshold at <paramref name="mmapThreshold"/> bytes and its trim threshold at
    /// twice that (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD). Returns false where the C library is not glibc.</summary>
    public static unsafe bool SetMallocThresholds(int mmapThreshold)
    {
        const int trimThreshold = -1, mmapThresholdParam = -3;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out var export))
            return false;
        var mallopt = (delegate* unmanaged<int, int, int>)export;
        return mallopt(mmapThresholdParam, mmapThreshold) == 1 && mallopt(trimThreshold, 2 * mmapThreshold) == 1;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);
}
