using System.Diagnostics;

namespace Engine.Lab.Convex;

/// <summary>The time budget of <see cref="SolverOptions"/>, shared by the first-order solvers.</summary>
internal static class SolverChecks
{
    public static bool OutOfTime(Stopwatch clock, SolverOptions o) => o.TimeBudget is { } budget && clock.Elapsed >= budget;
}
