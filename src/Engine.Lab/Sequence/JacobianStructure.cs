namespace Engine.Lab.Sequence;

/// <summary>The sparsity of a cell's state Jacobian J_t = d h_t / d h_{t-1}, which fixes the cost of one composition
/// in the parallel reduction: O(n) for diagonal, O(n) with 2x2 blocks, O(n^3) dense.</summary>
public enum JacobianStructure
{
    /// <summary>[rows, n]: every unit depends only on its own previous value (ParaGRU).</summary>
    Diagonal,

    /// <summary>[rows, n/2, 2, 2]: units of two state entries stored side by side (ParaLSTM's (c, h) pairs).</summary>
    BlockDiagonal2,

    /// <summary>[rows, n, n]: any cell, affordable for small n.</summary>
    Dense,
}
