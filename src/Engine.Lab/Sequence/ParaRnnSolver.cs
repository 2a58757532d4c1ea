namespace Engine.Lab.Sequence;

/// <summary>How a <see cref="ParaCell"/> module evaluates its sequence.</summary>
public enum ParaRnnSolver
{
    /// <summary>All steps at once by Newton's method with parallel linear solves.</summary>
    Newton,

    /// <summary>A plain loop over time, trained by backpropagation through time (the reference).</summary>
    Sequential,
}
