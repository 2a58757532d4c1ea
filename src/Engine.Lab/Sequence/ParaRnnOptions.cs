namespace Engine.Lab.Sequence;

/// <summary>How the Newton solver of <see cref="ParaRnn"/> runs.</summary>
public sealed record ParaRnnOptions
{
    /// <summary>Newton iterations (each one linearisation and one parallel solve); the reference implementation uses a
    /// fixed 3. With <see cref="Tolerance"/> this is the most it runs.</summary>
    public int Iterations { get; init; } = 3;

    /// <summary>When set, stop as soon as the largest residual |f(h_{t-1}, x_t) - h_t| is at most this.</summary>
    public double? Tolerance { get; init; }

    public void Validate()
    {
        if (Iterations < 0)
            throw new ArgumentException($"ParaRnn: iterations must be non-negative; got {Iterations}");
        if (Tolerance is { } tol && !(tol >= 0))
            throw new ArgumentException($"ParaRnn: the tolerance must be a non-negative number; got {tol}");
    }
}
