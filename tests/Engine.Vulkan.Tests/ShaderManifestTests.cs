using System.Security.Cryptography;

namespace Engine.Vulkan.Tests;

/// <summary>The committed SPIR-V must come from the committed shader sources: shaders/compile.sh writes a manifest
/// of the sources' hashes beside the modules, and this test recomputes it.</summary>
[TestClass]
public sealed class ShaderManifestTests
{
    private static string ShadersDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) return Path.Combine(dir.FullName, "shaders");
        throw new DirectoryNotFoundException("Engine.sln not found above the test binaries");
    }

    [TestMethod]
    public void ManifestMatchesSources()
    {
        var dir = ShadersDir();
        var manifest = File.ReadAllLines(Path.Combine(dir, "spirv", "manifest.sha256"))
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1], p => p[0]);
        var sources = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".comp") || f.EndsWith(".glsl") || f.EndsWith("variants.txt") || f.EndsWith("compile.sh"))
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .ToList();
        CollectionAssert.AreEquivalent(manifest.Keys.ToList(), sources, "shader sources were added or removed without running shaders/compile.sh");
        foreach (var source in sources)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, source))));
            Assert.AreEqual(manifest[source], hash, $"shaders/{source} changed without recompiling: run shaders/compile.sh and commit shaders/spirv");
        }
    }

    [TestMethod]
    public void EveryVariantIsEmbedded()
    {
        var names = File.ReadAllLines(Path.Combine(ShadersDir(), "variants.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':')[0]);
        foreach (var name in names)
        {
            var spirv = PipelineCache.LoadSpirv(name);
            Assert.AreEqual(0x07230203u, BitConverter.ToUInt32(spirv, 0), $"{name}.spv does not start with the SPIR-V magic number");
        }
    }
}
