using System.Diagnostics;

namespace Engine.Lab.Experiments;

/// <summary>Progress of a grid run: after each cell (<see cref="Result"/> set, or <see cref="Skipped"/> when it was
/// already in the folder), and the running cell's own progress (<see cref="Inner"/>).</summary>
public sealed record GridProgress(int Position, int Total, CodesCell Cell, CodesProgress? Inner, CodesResult? Result, bool Skipped);

/// <summary>How a grid run ended: cells of this shard, how many ran and were skipped (already finished), and whether
/// it was cancelled (the cells finished before that are saved).</summary>
public sealed record GridRunSummary(int ShardCells, int Ran, int Skipped, bool Cancelled, double Seconds);

/// <summary>Runs the cells of a grid that belong to a shard and are not yet in the run folder, saving each as it
/// finishes.</summary>
public static class GridRunner
{
    public static GridRunSummary Run(RunFolder folder, Shard shard, IProgress<GridProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var clock = Stopwatch.StartNew();
        var cells = folder.Spec.Cells().Where((_, i) => shard.Selects(i)).ToList();
        int ran = 0, skipped = 0;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (folder.Has(cell.Key))
            {
                skipped++;
                progress?.Report(new GridProgress(i + 1, cells.Count, cell, null, null, Skipped: true));
                continue;
            }
            CodesResult result;
            try
            {
                var position = i + 1;
                var inner = progress is null ? null : new InlineProgress<CodesProgress>(p => progress.Report(new GridProgress(position, cells.Count, cell, p, null, false)));
                result = CodesExperiment.Run(cell.Options, inner, cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return new GridRunSummary(cells.Count, ran, skipped, Cancelled: true, clock.Elapsed.TotalSeconds);
            }
            folder.Save(cell.Key, result);
            ran++;
            progress?.Report(new GridProgress(i + 1, cells.Count, cell, null, result, Skipped: false));
        }
        return new GridRunSummary(cells.Count, ran, skipped, Cancelled: false, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (System.Progress posts to the thread
/// pool, which would reorder reports and outlive the run).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
