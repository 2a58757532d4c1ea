namespace Engine.Lab.Convex;

/// <summary>All of ADMM's variables at the end of a run (<see cref="Admm.SolveFrom"/>): W = [U, Z] [d, 2P] (the
/// u-step), its group-sparse copy V, the scaled consensus dual lambda (like W), the slack s [n, 2P] and its scaled
/// dual nu. Columns 0..P-1 hold the u blocks, P..2P-1 the z blocks, in the pattern set's order.</summary>
public sealed class AdmmState
{
    internal AdmmState(Tensor w, Tensor v, Tensor lambda, Tensor s, Tensor nu)
    {
        (W, V, Lambda, S, Nu) = (w, v, lambda, s, nu);
    }

    internal Tensor W { get; }

    internal Tensor V { get; }

    internal Tensor Lambda { get; }

    internal Tensor S { get; }

    internal Tensor Nu { get; }

    /// <summary>d, the number of input columns.</summary>
    public int Features => W.Shape[0];

    /// <summary>n, the number of samples.</summary>
    public int Samples => S.Shape[0];

    /// <summary>P, the number of patterns.</summary>
    public int Patterns => W.Shape[1] / 2;

    /// <summary>The state for this pattern set followed by <paramref name="added"/> new patterns (as
    /// <see cref="PatternSet.FromGates(Tensor, Tensor, int)"/> grows a set: old patterns first, in order). The new blocks
    /// start at zero with zero duals, a consistent point (a zero block is feasible, and its slack G w = 0); the old
    /// patterns keep their cone signs, so their variables carry over unchanged.</summary>
    public AdmmState Extend(int added)
    {
        if (added < 0) throw new ArgumentException($"AdmmState.Extend: added must be >= 0; got {added}");
        var (p, next) = (Patterns, Patterns + added);
        var columns = new int[2 * next];
        Array.Fill(columns, -1);
        for (var j = 0; j < p; j++)
        {
            columns[j] = j;
            columns[next + j] = p + j;
        }
        using var _ = Autograd.NoGrad();
        return new AdmmState(Gather(W, columns), Gather(V, columns), Gather(Lambda, columns), Gather(S, columns), Gather(Nu, columns));
    }

    /// <summary>The columns of <paramref name="m"/> listed in <paramref name="columns"/> (-1: a zero column).</summary>
    private static Tensor Gather(Tensor m, int[] columns)
    {
        var (rows, width) = (m.Shape[0], m.Shape[1]);
        var source = m.ToArray<double>();
        var result = new double[rows * columns.Length];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < columns.Length; j++)
                if (columns[j] >= 0) result[r * columns.Length + j] = source[r * width + columns[j]];
        return Tensor.Wrap(result, rows, columns.Length);
    }
}
