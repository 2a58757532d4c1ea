namespace Engine.Lab.Analysis;

/// <summary>The assignment problem (Kuhn-Munkres with row/column potentials, O(n^3)): a one-to-one mapping of rows
/// to columns of a square cost matrix with the least total cost. Integer costs keep it exact.</summary>
internal static class Hungarian
{
    /// <summary>For each row, the column it is assigned to.</summary>
    public static int[] MinCostAssignment(long[,] cost)
    {
        var n = cost.GetLength(0);
        if (cost.GetLength(1) != n)
            throw new ArgumentException($"Hungarian.MinCostAssignment: expected a square matrix; got {n} x {cost.GetLength(1)}");
        const long inf = long.MaxValue / 4;
        // 1-based, with row/column 0 a virtual start: rowPotential[i] + colPotential[j] <= cost[i, j] throughout,
        // and each row is added by growing an alternating path along tight edges (the e-maxx formulation).
        var rowPotential = new long[n + 1];
        var colPotential = new long[n + 1];
        var rowOfCol = new int[n + 1];
        var previous = new int[n + 1];
        for (var i = 1; i <= n; i++)
        {
            rowOfCol[0] = i;
            var col = 0;
            var minSlack = new long[n + 1];
            Array.Fill(minSlack, inf);
            var used = new bool[n + 1];
            do
            {
                used[col] = true;
                var row = rowOfCol[col];
                var delta = inf;
                var next = 0;
                for (var j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    var slack = cost[row - 1, j - 1] - rowPotential[row] - colPotential[j];
                    if (slack < minSlack[j])
                    {
                        minSlack[j] = slack;
                        previous[j] = col;
                    }
                    if (minSlack[j] < delta)
                    {
                        delta = minSlack[j];
                        next = j;
                    }
                }
                for (var j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        rowPotential[rowOfCol[j]] += delta;
                        colPotential[j] -= delta;
                    }
                    else minSlack[j] -= delta;
                }
                col = next;
            }
            while (rowOfCol[col] != 0);
            // Flip the alternating path back to the start.
            do
            {
                var prior = previous[col];
                rowOfCol[col] = rowOfCol[prior];
                col = prior;
            }
            while (col != 0);
        }
        var assignment = new int[n];
        for (var j = 1; j <= n; j++) assignment[rowOfCol[j] - 1] = j - 1;
        return assignment;
    }
}
