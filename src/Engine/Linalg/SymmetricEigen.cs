using System.Numerics.Tensors;

namespace Engine;

/// <summary>Symmetric eigendecomposition: Householder reduction to tridiagonal form (A = Q T Q^T), then the
/// implicit QL iteration with Wilkinson shifts on T, whose plane rotations are accumulated into Q. Vectors are kept
/// transposed (one eigenvector per row) so each rotation mixes two contiguous rows.</summary>
internal static class SymmetricEigen
{
    /// <summary>QL sweeps allowed per eigenvalue; convergence is cubic, so a handful suffice in practice.</summary>
    private const int MaxSweeps = 60;

    /// <summary>Double precision's unit roundoff: an off-diagonal entry below it relative to its diagonal
    /// neighbours changes no eigenvalue representably, so the matrix splits there.</summary>
    private const double Unit = 1.1102230246251565e-16;

    /// <summary>Values ascending [n]; vectors [n, n] row-major with the eigenvectors as columns.</summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] a, int n)
    {
        for (var i = 0; i < n; i++)
            for (var j = 0; j < i; j++)
            {
                if (!double.IsFinite(a[i * n + j]) || !double.IsFinite(a[i * n + i]))
                    throw new ArgumentException($"Eigh: the matrix has a non-finite entry in its lower triangle at ({i}, {j})");
                a[j * n + i] = a[i * n + j];
            }
        if (n > 0 && !double.IsFinite(a[0])) throw new ArgumentException("Eigh: the matrix has a non-finite entry at (0, 0)");
        var diagonal = new double[n];
        var offDiagonal = new double[n];
        var rotations = Tridiagonalize(a, n, diagonal, offDiagonal);
        Iterate(diagonal, offDiagonal, rotations, n);
        var order = Enumerable.Range(0, n).OrderBy(i => diagonal[i]).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (var c = 0; c < n; c++)
        {
            values[c] = diagonal[order[c]];
            for (var r = 0; r < n; r++) vectors[r * n + c] = rotations[order[c] * n + r];
        }
        return (values, vectors);
    }

    /// <summary>Reduces a (destroyed) to T: diagonal d, off-diagonal e (e[i] couples i and i + 1). Returns Q^T
    /// (row-major), where A = Q T Q^T.</summary>
    private static double[] Tridiagonalize(double[] a, int n, double[] d, double[] e)
    {
        var reflectors = new double[Math.Max(n - 2, 0)][];
        var scales = new double[Math.Max(n - 2, 0)];
        for (var k = 0; k + 2 < n; k++)
        {
            var m = n - k - 1;
            var v = new double[m];
            for (var i = 0; i < m; i++) v[i] = a[(k + 1 + i) * n + k];
            d[k] = a[k * n + k];
            if (TensorPrimitives.Norm<double>(v.AsSpan(1)) == 0)
            {
                // Column already reduced: no reflection (tau = 0).
                e[k] = v[0];
                reflectors[k] = v;
                continue;
            }
            // alpha takes the sign opposite to v[0], so v[0] - alpha adds magnitudes (no cancellation).
            var alpha = -Math.CopySign(TensorPrimitives.Norm<double>(v), v[0]);
            v[0] -= alpha;
            var tau = 2 / TensorPrimitives.Dot<double>(v, v);
            e[k] = alpha;
            // Trailing block B <- H B H with H = I - tau v v^T: B -= v w^T + w v^T, w = p - (tau/2)(p.v) v, p = tau B v.
            var p = new double[m];
            for (var i = 0; i < m; i++) p[i] = tau * TensorPrimitives.Dot<double>(a.AsSpan((k + 1 + i) * n + k + 1, m), v);
            TensorPrimitives.MultiplyAdd(v, -tau / 2 * TensorPrimitives.Dot<double>(p, v), p, p);
            for (var i = 0; i < m; i++)
            {
                var row = a.AsSpan((k + 1 + i) * n + k + 1, m);
                TensorPrimitives.MultiplyAdd(p, -v[i], row, row);
                TensorPrimitives.MultiplyAdd(v, -p[i], row, row);
            }
            reflectors[k] = v;
            scales[k] = tau;
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 1) * n + n - 2];
        }
        if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1];

        // Q = H_0 H_1 ... accumulated from the right end; H_k is symmetric, so Q^T = ... H_1 H_0 and the same
        // loop applied to rows builds Q^T: each H_k touches rows/columns k+1.. only.
        var qt = new double[n * n];
        for (var i = 0; i < n; i++) qt[i * n + i] = 1;
        for (var k = n - 3; k >= 0; k--)
        {
            if (scales[k] == 0) continue;
            var v = reflectors[k];
            var m = v.Length;
            // Q_sub <- H Q_sub = Q_sub - tau v (v^T Q_sub): Q = H_0 (H_1 (...)), then transposed below.
            var t = new double[m];
            for (var i = 0; i < m; i++) TensorPrimitives.MultiplyAdd(qt.AsSpan((k + 1 + i) * n + k + 1, m), v[i], t, t);
            for (var i = 0; i < m; i++)
            {
                var row = qt.AsSpan((k + 1 + i) * n + k + 1, m);
                TensorPrimitives.MultiplyAdd(t, -scales[k] * v[i], row, row);
            }
        }
        // qt holds Q now; transpose in place to Q^T.
        for (var i = 0; i < n; i++)
            for (var j = 0; j < i; j++)
                (qt[i * n + j], qt[j * n + i]) = (qt[j * n + i], qt[i * n + j]);
        return qt;
    }

    /// <summary>Implicit QL with Wilkinson shifts on the tridiagonal (d, e); rotations applied to the rows of z.</summary>
    private static void Iterate(double[] d, double[] e, double[] z, int n)
    {
        var scratch = new double[n];
        for (var l = 0; l < n; l++)
        {
            for (var sweep = 0; ; sweep++)
            {
                var m = l;
                while (m < n - 1 && Math.Abs(e[m]) > Unit * (Math.Abs(d[m]) + Math.Abs(d[m + 1]))) m++;
                if (m == l) break;
                if (sweep == MaxSweeps)
                    throw new ArgumentException($"Eigh: the QL iteration did not converge for eigenvalue {l} after {MaxSweeps} sweeps");
                // Wilkinson shift from the leading 2x2 block, in the cancellation-free form.
                var g = (d[l + 1] - d[l]) / (2 * e[l]);
                var r = double.Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.CopySign(r, g));
                double s = 1, c = 1, p = 0;
                var i = m - 1;
                var deflated = false;
                for (; i >= l; i--)
                {
                    var f = s * e[i];
                    var b = c * e[i];
                    r = double.Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // Underflow: the matrix splits here; undo the partial shift and restart the sweep.
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    Rotate(z.AsSpan(i * n, n), z.AsSpan((i + 1) * n, n), c, s, scratch);
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }


    /// <summary>(x, y) &lt;- (c x - s y, s x + c y): the rotation of columns i, i + 1 of the eigenvector matrix.</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s, Span<double> scratch)
    {
        x.CopyTo(scratch);
        TensorPrimitives.Multiply(x, c, x);
        TensorPrimitives.MultiplyAdd(y, -s, x, x);
        TensorPrimitives.Multiply(y, c, y);
        TensorPrimitives.MultiplyAdd(scratch, s, y, y);
    }
}
