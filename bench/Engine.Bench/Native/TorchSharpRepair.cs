using System.Diagnostics;
using System.Security.Cryptography;

namespace Engine.Bench.Native;

/// <summary>Makes a copy of TorchSharp's libLibTorchSharp.so that loads with a libstdc++ older than GCC 13. The
/// library needs GLIBCXX_3.4.32 for one symbol, std::ios_base_library_init(), which it never calls (it is referenced
/// only so that libstdc++ initialises the standard streams). The copy gets three edits: the GLIBCXX_3.4.32 version
/// need is marked weak, that symbol's version is cleared, and a small library defining the function (and
/// constructing a std::ios_base::Init) is added as DT_NEEDED. The result is cached by the original's hash.</summary>
public static class TorchSharpRepair
{
    public const string MissingVersion = "GLIBCXX_3.4.32";
    public const string Symbol = "_ZSt21ios_base_library_initv";
    public const string ShimName = "libengine_ios_init.so";

    // Bump when the edits change, so old cache entries are not reused.
    private const string RepairFormat = "repair-v1";

    /// <summary>The repaired copy of <paramref name="original"/> under <paramref name="cacheRoot"/>, made now if it is
    /// not cached yet (<paramref name="built"/> says which).</summary>
    public static string Ensure(string original, string cacheRoot, out bool built)
    {
        var dir = Path.Combine(cacheRoot, Key(original));
        var repaired = Path.Combine(dir, Path.GetFileName(original));
        built = false;
        if (File.Exists(repaired) && File.Exists(Path.Combine(dir, ShimName))) return repaired;

        // Build in a private folder and move it into place whole, so a half-made entry is never used.
        var staging = $"{dir}.staging-{Environment.ProcessId}";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            BuildShim(staging);
            Edit(original, Path.Combine(staging, Path.GetFileName(original)));
            // An existing folder here is incomplete (a file removed by hand): replace it.
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(staging, dir);
            built = true;
        }
        catch (IOException) when (File.Exists(repaired) && File.Exists(Path.Combine(dir, ShimName)))
        {
            // Another bench process finished the same entry first; use its copy.
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return repaired;
    }

    /// <summary>Writes the edited copy of <paramref name="original"/> to <paramref name="target"/>.</summary>
    public static void Edit(string original, string target)
    {
        var elf = Elf64.Read(original);
        elf.MarkVersionNeedWeak("libstdc++.so.6", MissingVersion);
        if (elf.ClearSymbolVersion(Symbol) == 0)
            throw new InvalidDataException($"{original}: no versioned dynamic symbol {Symbol} to clear");
        // The copy lives in the cache, so of the RUNPATH only $ORIGIN (where the shim is) still means anything; the
        // other components are folders on TorchSharp's build machine.
        elf.AddNeededInRunpathTail(ShimName, "$ORIGIN/");
        elf.Write(target);
        Verify(target);
    }

    /// <summary>Reads the edited file back and checks the three edits, so a mistake in the editor shows up here
    /// rather than as a loader error.</summary>
    private static void Verify(string path)
    {
        var elf = Elf64.Read(path);
        var need = elf.VersionNeeds().Single(n => n.Library == "libstdc++.so.6" && n.Version == MissingVersion);
        if ((need.Flags & Elf64.VerFlagWeak) == 0) throw new InvalidDataException($"{path}: {MissingVersion} is not weak");
        var names = elf.DynamicSymbolNames();
        for (var i = 0; i < names.Count; i++)
            if (names[i] == Symbol && elf.SymbolVersionIndex(i) != Elf64.VersionIndexGlobal)
                throw new InvalidDataException($"{path}: {Symbol} still has version index {elf.SymbolVersionIndex(i)}");
        var (entries, _) = elf.DynamicEntries();
        var needed = entries.Where(e => e.Tag == Elf64.DtNeeded).Select(elf.DynamicString).ToList();
        var runpath = entries.Where(e => e.Tag == Elf64.DtRunpath).Select(elf.DynamicString).SingleOrDefault();
        if (!needed.Contains(ShimName) || !needed.Contains("libtorch.so") || runpath != "$ORIGIN/")
            throw new InvalidDataException($"{path}: NEEDED [{string.Join(", ", needed)}], RUNPATH '{runpath}' after the edit");
    }

    private static void BuildShim(string dir)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Native", "ios_base_library_init.cpp");
        var output = Path.Combine(dir, ShimName);
        var psi = new ProcessStartInfo("g++", ["-shared", "-fPIC", "-O2", "-o", output, source])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("g++ did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"TorchSharp repair: g++ is needed to build {ShimName} (apt-get install g++): {e.Message}", e);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"TorchSharp repair: g++ failed building {ShimName}:\n{errors.Result}");
        }
    }

    private static string Key(string original)
    {
        byte[] keyed = [.. File.ReadAllBytes(original), .. System.Text.Encoding.UTF8.GetBytes(RepairFormat)];
        return Convert.ToHexStringLower(SHA256.HashData(keyed))[..16];
    }
}
