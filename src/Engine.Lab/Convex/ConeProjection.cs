namespace Engine.Lab.Convex;

/// <summary>Euclidean projection onto a polyhedral cone C = {w : A w &gt;= 0} (A [m, d] row-major), exact up to
/// rounding. By Moreau's decomposition the projection of v is v + A^T mu with mu = argmin over mu &gt;= 0 of
/// ||A^T mu + v||: a nonnegative least-squares problem with m unknowns but only d equations, solved by the
/// Lawson-Hanson active-set method, which ends after finitely many steps on the exact optimum (no tolerance on an
/// iterate, unlike Dykstra's or coordinate-descent projections). At that optimum the NNLS gradient is A w, so the
/// projected point w violates no constraint by more than the stopping tolerance (1e-13 relative), and is exactly
/// orthogonal (to rounding) to the rows it lies on.</summary>
internal static class ConeProjection
{
    private const double RelativeTolerance = 1e-13;

    public static double[] Project(ReadOnlySpan<double> a, int m, int d, ReadOnlySpan<double> v)
    {
        var rowNorms = new double[m];
        for (var k = 0; k < m; k++) rowNorms[k] = Math.Sqrt(Dot(a.Slice(k * d, d), a.Slice(k * d, d)));
        var scale = Math.Sqrt(Dot(v, v));
        var w = v.ToArray();
        if (scale == 0) return w;
        var mu = new double[m];
        var passive = new List<int>();
        var isPassive = new bool[m];
        // Each outer step adds one row and strictly decreases the NNLS objective, so the method is finite; the cap
        // only guards against rounding in degenerate cones.
        for (var outer = 0; outer < 3 * (m + d); outer++)
        {
            // w = v + A^T mu; the NNLS negative gradient of row k is -(A w)_k: the most violated row enters.
            var entering = -1;
            var worst = RelativeTolerance * scale;
            for (var k = 0; k < m; k++)
            {
                if (isPassive[k] || rowNorms[k] == 0) continue;
                var violation = -Dot(a.Slice(k * d, d), w) / rowNorms[k];
                if (violation > worst) (entering, worst) = (k, violation);
            }
            if (entering < 0 || !Enter(a, d, v, mu, passive, isPassive, entering)) break;
            Residual(a, d, v, mu, w);
        }
        return w;
    }

    /// <summary>Adds row <paramref name="entering"/> to the passive set and re-solves the least squares on it,
    /// removing the rows whose coefficient the step drives to zero (Lawson-Hanson's inner loop). False, with
    /// nothing changed, when the row cannot enter: in exact arithmetic a violated row is independent of the passive
    /// rows and gets a positive coefficient, so this only happens when the violation is at the rounding level.</summary>
    private static bool Enter(ReadOnlySpan<double> a, int d, ReadOnlySpan<double> v, double[] mu, List<int> passive, bool[] isPassive, int entering)
    {
        passive.Add(entering);
        isPassive[entering] = true;
        var first = true;
        while (passive.Count > 0)
        {
            var s = LeastSquares(a, d, passive, v);
            if (first && (s is null || s[^1] <= 0))
            {
                passive.RemoveAt(passive.Count - 1);
                isPassive[entering] = false;
                return false;
            }
            first = false;
            if (s is null) throw new InvalidOperationException("ConeProjection: a subset of independent rows became dependent");
            // Step from mu towards s as far as every coefficient stays >= 0; the first to reach 0 leaves.
            var alpha = 1.0;
            var blocking = -1;
            for (var i = 0; i < passive.Count; i++)
            {
                if (s[i] > 0) continue;
                var limit = mu[passive[i]] / (mu[passive[i]] - s[i]);
                if (limit < alpha) (alpha, blocking) = (limit, i);
            }
            for (var i = 0; i < passive.Count; i++) mu[passive[i]] += alpha * (s[i] - mu[passive[i]]);
            if (blocking < 0) return true;
            mu[passive[blocking]] = 0;
            for (var i = passive.Count - 1; i >= 0; i--)
            {
                if (mu[passive[i]] > 0) continue;
                mu[passive[i]] = 0;
                isPassive[passive[i]] = false;
                passive.RemoveAt(i);
            }
        }
        return true;
    }

    /// <summary>w = v + A^T mu.</summary>
    private static void Residual(ReadOnlySpan<double> a, int d, ReadOnlySpan<double> v, double[] mu, double[] w)
    {
        v.CopyTo(w);
        for (var k = 0; k < mu.Length; k++)
        {
            if (mu[k] == 0) continue;
            for (var c = 0; c < d; c++) w[c] += mu[k] * a[k * d + c];
        }
    }

    /// <summary>argmin over s of ||sum_i s_i a_{P_i} + v|| by Householder QR of the d x |P| matrix whose columns are
    /// the passive rows; null when those columns are (numerically) dependent.</summary>
    private static double[]? LeastSquares(ReadOnlySpan<double> a, int d, List<int> passive, ReadOnlySpan<double> v)
    {
        var p = passive.Count;
        if (p > d) return null;
        // Column-major copy: column i is row passive[i] of A.
        var q = new double[p * d];
        for (var i = 0; i < p; i++) a.Slice(passive[i] * d, d).CopyTo(q.AsSpan(i * d, d));
        var rhs = new double[d];
        for (var c = 0; c < d; c++) rhs[c] = -v[c];
        var diagonal = new double[p];
        for (var i = 0; i < p; i++)
        {
            var column = q.AsSpan(i * d, d);
            var original = Math.Sqrt(Dot(a.Slice(passive[i] * d, d), a.Slice(passive[i] * d, d)));
            var norm = Math.Sqrt(Dot(column[i..], column[i..]));
            // What remains of the column after removing the earlier columns' span is its independent part.
            if (norm <= 1e-12 * original) return null;
            var alpha = column[i] > 0 ? -norm : norm;
            column[i] -= alpha;
            var vnorm2 = Dot(column[i..], column[i..]);
            // Reflect the later columns and the right-hand side by H = I - 2 u u^T / (u^T u), u = column[i..].
            for (var j = i + 1; j < p; j++) Reflect(column[i..], vnorm2, q.AsSpan(j * d + i, d - i));
            Reflect(column[i..], vnorm2, rhs.AsSpan(i));
            diagonal[i] = alpha;
        }
        var s = new double[p];
        for (var i = p - 1; i >= 0; i--)
        {
            var sum = rhs[i];
            for (var j = i + 1; j < p; j++) sum -= q[j * d + i] * s[j];
            s[i] = sum / diagonal[i];
        }
        return s;
    }

    private static void Reflect(ReadOnlySpan<double> u, double uu, Span<double> x)
    {
        var f = 2 * Dot(u, x) / uu;
        for (var c = 0; c < x.Length; c++) x[c] -= f * u[c];
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
