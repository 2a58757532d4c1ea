namespace Engine.Lab.Experiments;

/// <summary>One cell of a sweep or phase chart: one experiment, named by a key that is unique within the grid and
/// safe as a file name (e.g. "width=3_seed=1").</summary>
public sealed record CodesCell(string Key, CodesOptions Options);

/// <summary>What a run folder computes: a sweep of one variable, or the width x train-size phase chart. Stored as
/// grid.json in the folder, so a rerun or a merge can check that the cells it finds belong to the same grid.</summary>
public sealed record GridSpec(CodesSweepOptions? Sweep = null, PhaseChartOptions? Phase = null)
{
    public IReadOnlyList<CodesCell> Cells()
        => Sweep?.Cells() ?? Phase?.Cells() ?? throw new ArgumentException("GridSpec: names neither a sweep nor a phase chart");

    public string Kind => Sweep is not null ? "codes-sweep" : "phase-chart";
}
