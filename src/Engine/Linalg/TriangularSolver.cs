using System.Numerics.Tensors;

namespace Engine;

/// <summary>Substitution for op(A) X = B with triangular A [n, n] and B [n, k], both row-major doubles, X written
/// over B. Every case reads A by rows (contiguous): op(A) = A works row by row (each x_i from the solved rows),
/// op(A) = A^T column by column (each solved x_j is removed from the rows still to solve with row j of A), so a
/// transposed solve needs no transposed copy.</summary>
internal static class TriangularSolver
{
    public static void Solve(double[] a, int n, double[] b, int k, bool lower, bool transpose, string op = "SolveTriangular")
    {
        // op(A) is lower-triangular exactly when (lower XOR transpose): then the solve runs forward.
        var forward = lower != transpose;
        for (var step = 0; step < n; step++)
        {
            var i = forward ? step : n - 1 - step;
            var diagonal = a[i * n + i];
            if (diagonal == 0 || !double.IsFinite(diagonal))
                throw new ArgumentException($"{op}: the triangular matrix is singular or not finite: diagonal entry {i} is {diagonal}");
            var xi = b.AsSpan(i * k, k);
            if (!transpose)
            {
                // x_i = (b_i - sum over solved j of A[i, j] x_j) / A[i, i]; the solved j lie on the triangle's side.
                var (j0, j1) = lower ? (0, i) : (i + 1, n);
                if (k == 1)
                    xi[0] -= TensorPrimitives.Dot<double>(a.AsSpan(i * n + j0, j1 - j0), b.AsSpan(j0, j1 - j0));
                else
                    for (var j = j0; j < j1; j++) TensorPrimitives.MultiplyAdd(b.AsSpan(j * k, k), -a[i * n + j], xi, xi);
                TensorPrimitives.Divide(xi, diagonal, xi);
            }
            else
            {
                // Row i of A holds column i of A^T: once x_i is final, remove it from the unsolved rows.
                TensorPrimitives.Divide(xi, diagonal, xi);
                var (r0, r1) = lower ? (0, i) : (i + 1, n);
                if (k == 1)
                    TensorPrimitives.MultiplyAdd(a.AsSpan(i * n + r0, r1 - r0), -xi[0], b.AsSpan(r0, r1 - r0), b.AsSpan(r0, r1 - r0));
                else
                    for (var r = r0; r < r1; r++) TensorPrimitives.MultiplyAdd(xi, -a[i * n + r], b.AsSpan(r * k, k), b.AsSpan(r * k, k));
            }
        }
    }
}
