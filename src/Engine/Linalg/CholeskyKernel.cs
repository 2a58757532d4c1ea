using System.Numerics.Tensors;
using Engine.Backends.Cpu;

namespace Engine;

/// <summary>Blocked right-looking Cholesky on a row-major double matrix. The matrix is held as column panels of
/// <see cref="BlockSize"/> columns, each panel storing its rows from the diagonal down as one contiguous row-major
/// block: the trailing update of a panel is then a single GEMM into contiguous memory (what the engine's packed
/// GEMM writes), and those updates are nearly all of the n^3/3 work.</summary>
internal static class CholeskyKernel
{
    /// <summary>Wide enough that the trailing GEMMs run near peak, small enough that the unblocked diagonal
    /// factorisation and the panel solve (O(n b^2) in total) stay minor.</summary>
    private const int BlockSize = 96;

    /// <summary>Overwrites <paramref name="a"/> [n, n] with L (lower, zeros above the diagonal).</summary>
    public static void Factor(double[] a, int n)
    {
        var panelCount = (n + BlockSize - 1) / BlockSize;
        var panels = new double[panelCount][];
        for (var p = 0; p < panelCount; p++)
        {
            var (c0, width) = (p * BlockSize, Math.Min(BlockSize, n - p * BlockSize));
            var panel = panels[p] = new double[(n - c0) * width];
            for (var i = c0; i < n; i++)
                a.AsSpan(i * n + c0, Math.Min(width, i - c0 + 1)).CopyTo(panel.AsSpan((i - c0) * width));
        }
        for (var p = 0; p < panelCount; p++)
        {
            var (c0, width) = (p * BlockSize, Math.Min(BlockSize, n - p * BlockSize));
            var panel = panels[p];
            FactorDiagonal(panel, width, c0);
            SolvePanel(panel, width, n - c0);
            UpdateTrailing(panels, p, n);
        }
        Array.Clear(a);
        for (var p = 0; p < panelCount; p++)
        {
            var (c0, width) = (p * BlockSize, Math.Min(BlockSize, n - p * BlockSize));
            for (var i = c0; i < n; i++)
                panels[p].AsSpan((i - c0) * width, Math.Min(width, i - c0 + 1)).CopyTo(a.AsSpan(i * n + c0));
        }
    }

    /// <summary>Unblocked Cholesky of the panel's top width x width block (row stride width).</summary>
    private static void FactorDiagonal(double[] panel, int width, int c0)
    {
        for (var i = 0; i < width; i++)
        {
            var row = panel.AsSpan(i * width, width);
            for (var j = 0; j < i; j++)
            {
                var pivotRow = panel.AsSpan(j * width, j);
                row[j] = (row[j] - TensorPrimitives.Dot<double>(row[..j], pivotRow)) / panel[j * width + j];
            }
            var pivot = row[i] - TensorPrimitives.Dot<double>(row[..i], row[..i]);
            if (!(pivot > 0))
                throw new ArgumentException(
                    $"Cholesky: the matrix is not positive definite: pivot {c0 + i} is {pivot:G6} after elimination (it must be > 0 and not NaN)");
            row[i] = Math.Sqrt(pivot);
            row[(i + 1)..].Clear();
        }
    }

    /// <summary>Rows below the diagonal block: L21 = A21 L11^-T, one independent forward substitution per row.</summary>
    private static void SolvePanel(double[] panel, int width, int rows)
    {
        CpuParallel.For(rows - width, (long)width * width, (start, end) =>
        {
            for (var r = width + start; r < width + end; r++)
            {
                var row = panel.AsSpan(r * width, width);
                for (var j = 0; j < width; j++)
                    row[j] = (row[j] - TensorPrimitives.Dot<double>(row[..j], panel.AsSpan(j * width, j))) / panel[j * width + j];
            }
        });
    }

    /// <summary>Subtracts L21 L21^T of panel p from every later panel q: rows from q's diagonal down, columns of q.</summary>
    private static void UpdateTrailing(double[][] panels, int p, int n)
    {
        var c0 = p * BlockSize;
        var width = Math.Min(BlockSize, n - c0);
        var below = n - c0 - width;
        if (below == 0) return;
        // GEMM accumulates c += a b: feed it -L21 so the update subtracts.
        var negated = new double[below * width];
        TensorPrimitives.Negate<double>(panels[p].AsSpan(width * width), negated);
        var source = Tensor.Wrap(panels[p], panels[p].Length);
        var negatedSource = Tensor.Wrap(negated, negated.Length);
        for (var q = p + 1; q < panels.Length; q++)
        {
            var q0 = q * BlockSize;
            var qWidth = Math.Min(BlockSize, n - q0);
            var rows = n - q0;
            var target = Tensor.Wrap(panels[q], 1, rows, qWidth);
            var left = negatedSource.AsStrided([1, rows, width], [0, width, 1], (q0 - c0 - width) * width);
            var right = source.AsStrided([1, width, qWidth], [0, 1, width], (q0 - c0) * width);
            CpuBackend.Instance.Matmul(left, right, target, accumulate: true);
        }
    }
}
