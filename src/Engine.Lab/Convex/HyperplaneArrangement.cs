namespace Engine.Lab.Convex;

/// <summary>Gates that visit every face of the arrangement of the hyperplanes {g : x_k . g = 0} through the origin
/// of R^d, for d &lt;= 3: the activation pattern 1[X g &gt;= 0] is constant on each face (open cell, or a piece of
/// a hyperplane where some x_k . g = 0 exactly), so one gate per face yields every realisable pattern. Patterns are
/// invariant under positive scaling of g, so it suffices to visit the faces on the unit sphere.</summary>
internal static class HyperplaneArrangement
{
    /// <summary>Row limits: d = 3 visits about 4 n^2 gates and can realise about n^2 patterns, each an n-column
    /// mask, so the set grows as n^3.</summary>
    public static int MaxRows(int d) => d <= 2 ? 100_000 : 400;

    public static IReadOnlyList<double[]> FaceGates(double[] x, int n, int d)
    {
        if (d > 3)
            throw new ArgumentException($"PatternSet.Enumerate: exact enumeration supports d <= 3 (a bias column counts); got d = {d}; use PatternSet.Sample");
        if (n > MaxRows(d))
            throw new ArgumentException($"PatternSet.Enumerate: at most {MaxRows(d)} rows for d = {d}; got n = {n}; use PatternSet.Sample");
        return d switch
        {
            1 => [[1.0], [-1.0]],
            2 => [.. CircleFaces(Enumerable.Range(0, n).Select(k => (x[2 * k], x[2 * k + 1])).ToList()).Select(f => new[] { f.X, f.Y })],
            _ => SphereFaces(x, n),
        };
    }

    /// <summary>A point of every face on the unit circle for the lines through the origin perpendicular to
    /// <paramref name="points"/>: each vertex (a direction perpendicular to a point, computed as (-p.y, p.x) so that
    /// p . g is exactly 0 in floating point) and the midpoint of each arc between consecutive vertices.</summary>
    private static List<(double X, double Y, bool Vertex)> CircleFaces(List<(double X, double Y)> points)
    {
        var vertices = new List<(double Angle, double X, double Y)>();
        foreach (var (px, py) in points)
        {
            if (px == 0 && py == 0) continue;
            vertices.Add((Math.Atan2(px, -py), -py, px));
            vertices.Add((Math.Atan2(-px, py), py, -px));
        }
        // No lines: the whole circle is one face.
        if (vertices.Count == 0) return [(1, 0, false)];
        vertices.Sort((a, b) => a.Angle.CompareTo(b.Angle));
        var faces = new List<(double, double, bool)>();
        for (var i = 0; i < vertices.Count; i++)
        {
            var (angle, vx, vy) = vertices[i];
            faces.Add((vx, vy, true));
            var next = i + 1 < vertices.Count ? vertices[i + 1].Angle : vertices[0].Angle + 2 * Math.PI;
            if (next > angle)
            {
                var mid = (angle + next) / 2;
                faces.Add((Math.Cos(mid), Math.Sin(mid), false));
            }
        }
        return faces;
    }

    /// <summary>d = 3: every open cell on the sphere has an edge, an open arc of some great circle x_a . g = 0, so
    /// the faces of each great circle (found by <see cref="CircleFaces"/> in an orthonormal basis of the plane
    /// x_a^perp) plus, at each arc's midpoint g, the points g +- delta x_a/|x_a| just off the circle reach every
    /// face. delta is half the distance at which g + t x_a/|x_a| would reach another hyperplane, so the
    /// perturbation changes the sign of x_a . g (and of rows parallel to x_a) only.</summary>
    private static List<double[]> SphereFaces(double[] x, int n)
    {
        var gates = new List<double[]>();
        for (var a = 0; a < n; a++)
        {
            var normal = Row(x, a);
            var length = Norm(normal);
            if (length == 0) continue;
            for (var j = 0; j < 3; j++) normal[j] /= length;
            var (e1, e2) = PlaneBasis(normal);
            var projected = Enumerable.Range(0, n).Select(k => (Dot(Row(x, k), e1), Dot(Row(x, k), e2))).ToList();
            foreach (var (cx, cy, vertex) in CircleFaces(projected))
            {
                var g = new double[3];
                for (var j = 0; j < 3; j++) g[j] = cx * e1[j] + cy * e2[j];
                gates.Add(g);
                if (vertex) continue;
                var delta = 1.0;
                for (var k = 0; k < n; k++)
                {
                    var row = Row(x, k);
                    var (onPlane, along) = (Math.Abs(Dot(row, g)), Math.Abs(Dot(row, normal)));
                    // Rows on the great circle (parallel to x_a) flip together with x_a: they bound nothing here.
                    if (onPlane > 1e-12 * Norm(row) && along > 0) delta = Math.Min(delta, 0.5 * onPlane / along);
                }
                gates.Add([g[0] + delta * normal[0], g[1] + delta * normal[1], g[2] + delta * normal[2]]);
                gates.Add([g[0] - delta * normal[0], g[1] - delta * normal[1], g[2] - delta * normal[2]]);
            }
        }
        // No hyperplanes at all (X = 0): one face, the whole sphere.
        if (gates.Count == 0) gates.Add([1.0, 0, 0]);
        return gates;
    }

    /// <summary>An orthonormal basis of the plane perpendicular to the unit vector n.</summary>
    private static (double[] E1, double[] E2) PlaneBasis(double[] n)
    {
        // Start from the coordinate axis least aligned with n, so the projection is far from zero.
        var axis = new double[3];
        axis[Enumerable.Range(0, 3).MinBy(j => Math.Abs(n[j]))] = 1;
        var along = Dot(axis, n);
        var e1 = new double[3];
        for (var j = 0; j < 3; j++) e1[j] = axis[j] - along * n[j];
        var length = Norm(e1);
        for (var j = 0; j < 3; j++) e1[j] /= length;
        double[] e2 = [n[1] * e1[2] - n[2] * e1[1], n[2] * e1[0] - n[0] * e1[2], n[0] * e1[1] - n[1] * e1[0]];
        return (e1, e2);
    }

    private static double[] Row(double[] x, int k) => [x[3 * k], x[3 * k + 1], x[3 * k + 2]];

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
