using Engine.IO;

namespace Engine.Lab.Experiments;

/// <summary>The folder of a sweep or phase chart: grid.json (the <see cref="GridSpec"/>) and cells/&lt;key&gt;.json,
/// one <see cref="CodesResult"/> per finished cell, each written atomically (temporary file, then rename) so a run
/// killed at any moment leaves only whole cells, and a rerun skips them.</summary>
public sealed class RunFolder
{
    public const string SpecFile = "grid.json";
    public const string CellsDirectory = "cells";

    private RunFolder(string path, GridSpec spec)
    {
        Path = path;
        Spec = spec;
    }

    public string Path { get; }

    public GridSpec Spec { get; }

    private string CellsPath => System.IO.Path.Combine(Path, CellsDirectory);

    /// <summary>Creates the folder for <paramref name="spec"/>, or reopens it to resume when it already holds the same
    /// grid.</summary>
    /// <exception cref="ArgumentException">The folder holds a different grid (other values, seeds or options).</exception>
    public static RunFolder Create(string path, GridSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Cells(); // validates the spec before anything is written
        var specPath = System.IO.Path.Combine(path, SpecFile);
        var json = LabJson.Serialize(spec);
        if (File.Exists(specPath))
        {
            if (File.ReadAllText(specPath) != json)
                throw new ArgumentException(
                    $"RunFolder: {path} holds a different {Read(specPath).Kind} ({specPath}); use another --out folder, or the same arguments to resume it");
        }
        else
        {
            Directory.CreateDirectory(path);
            AtomicFile.WriteAllText(specPath, json);
        }
        Directory.CreateDirectory(System.IO.Path.Combine(path, CellsDirectory));
        return new RunFolder(path, spec);
    }

    /// <summary>Opens an existing run folder.</summary>
    public static RunFolder Open(string path)
    {
        var specPath = System.IO.Path.Combine(path, SpecFile);
        if (!File.Exists(specPath))
            throw new ArgumentException($"RunFolder: {path} is not a sweep or phase-chart run folder (no {SpecFile})");
        return new RunFolder(path, Read(specPath));
    }

    public bool Has(string key) => File.Exists(CellPath(key));

    public void Save(string key, CodesResult result) => AtomicFile.WriteAllText(CellPath(key), LabJson.Serialize(result));

    /// <summary>The finished cells of the grid, by key, in the grid's cell order.</summary>
    public IReadOnlyList<(CodesCell Cell, CodesResult Result)> Finished()
        => Spec.Cells().Where(c => Has(c.Key))
            .Select(c => (c, LabJson.Deserialize<CodesResult>(File.ReadAllText(CellPath(c.Key)), CellPath(c.Key))))
            .ToList();

    /// <summary>Joins shard folders of one grid into <paramref name="destination"/> (created, or resumed when it holds
    /// the same grid): every finished cell of every source is copied there; returns the merged folder.</summary>
    /// <exception cref="ArgumentException">No sources, or sources of different grids.</exception>
    public static RunFolder Merge(IReadOnlyList<string> sources, string destination)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) throw new ArgumentException("RunFolder.Merge: no folders to merge");
        var folders = sources.Select(Open).ToList();
        var json = LabJson.Serialize(folders[0].Spec);
        for (var i = 1; i < folders.Count; i++)
            if (LabJson.Serialize(folders[i].Spec) != json)
                throw new ArgumentException($"RunFolder.Merge: {sources[i]} holds a different grid from {sources[0]}; only shards of one sweep can be merged");
        var merged = Create(destination, folders[0].Spec);
        foreach (var folder in folders)
        {
            if (System.IO.Path.GetFullPath(folder.Path) == System.IO.Path.GetFullPath(destination)) continue;
            foreach (var (cell, result) in folder.Finished())
                if (!merged.Has(cell.Key)) merged.Save(cell.Key, result);
        }
        return merged;
    }

    private string CellPath(string key) => System.IO.Path.Combine(CellsPath, key + ".json");

    private static GridSpec Read(string specPath) => LabJson.Deserialize<GridSpec>(File.ReadAllText(specPath), specPath);
}
