namespace Engine;

/// <summary>Dense linear algebra on the CPU for float64 and float32 matrices: Cholesky factorisation, triangular and
/// Cholesky solves, and the symmetric eigendecomposition. No autograd: these serve solvers and data preparation
/// (convex training, PCA), which need values, not gradients.</summary>
/// <remarks>float32 inputs are computed in float64 and rounded once at the end: the kernels are memory- and
/// latency-bound at the sizes used here, so the wider type costs little and removes the float32 error growth of
/// the O(n) recurrences.</remarks>
public static class Linalg
{
    /// <summary>The lower-triangular L with <paramref name="a"/> = L L^T for a symmetric positive-definite
    /// <paramref name="a"/> [n, n] (only its lower triangle is read). Throws an <see cref="ArgumentException"/>
    /// when a pivot is not positive (not positive definite, or NaN).</summary>
    public static Tensor Cholesky(Tensor a)
    {
        var n = CheckSquare(a, "Cholesky", "a");
        var work = ToDoubles(a);
        CholeskyKernel.Factor(work, n);
        return FromDoubles(work, [n, n], a.DType);
    }

    /// <summary>Solves (L L^T) x = b given the Cholesky factor <paramref name="l"/> [n, n] (lower) and
    /// <paramref name="b"/> [n] or [n, k].</summary>
    public static Tensor CholeskySolve(Tensor l, Tensor b)
    {
        var n = CheckSquare(l, "CholeskySolve", "l");
        var k = CheckRightHandSide(l, b, n, "CholeskySolve");
        var factor = ToDoubles(l);
        var x = ToDoubles(b);
        TriangularSolver.Solve(factor, n, x, k, lower: true, transpose: false, "CholeskySolve");
        TriangularSolver.Solve(factor, n, x, k, lower: true, transpose: true, "CholeskySolve");
        return FromDoubles(x, b.ShapeArray.ToArray(), b.DType);
    }

    /// <summary>Solves op(A) x = b for triangular <paramref name="a"/> [n, n] (only the triangle named by
    /// <paramref name="lower"/> is read), op(A) = A^T when <paramref name="transpose"/>; b is [n] or [n, k].
    /// A zero on the diagonal throws (the system is singular).</summary>
    public static Tensor SolveTriangular(Tensor a, Tensor b, bool lower, bool transpose = false)
    {
        var n = CheckSquare(a, "SolveTriangular", "a");
        var k = CheckRightHandSide(a, b, n, "SolveTriangular");
        var matrix = ToDoubles(a);
        var x = ToDoubles(b);
        TriangularSolver.Solve(matrix, n, x, k, lower, transpose);
        return FromDoubles(x, b.ShapeArray.ToArray(), b.DType);
    }

    /// <summary>Eigenvalues (ascending, [n]) and eigenvectors (the columns of an orthogonal [n, n] matrix) of a
    /// symmetric <paramref name="a"/> [n, n] (only its lower triangle is read): Householder tridiagonalisation,
    /// then the implicit QL iteration with Wilkinson shifts.</summary>
    public static (Tensor Values, Tensor Vectors) Eigh(Tensor a)
    {
        var n = CheckSquare(a, "Eigh", "a");
        var (values, vectors) = SymmetricEigen.Decompose(ToDoubles(a), n);
        return (FromDoubles(values, [n], a.DType), FromDoubles(vectors, [n, n], a.DType));
    }

    private static int CheckSquare(Tensor a, string op, string name)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        CheckOperand(a, op, name);
        if (a.Rank != 2 || a.ShapeArray[0] != a.ShapeArray[1])
            throw new ArgumentException($"{op}: {name} must be a square matrix [n, n]; got shape {Shape.Format(a.ShapeArray.ToArray())}");
        return a.ShapeArray[0];
    }

    private static int CheckRightHandSide(Tensor a, Tensor b, int n, string op)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckOperand(b, op, "b");
        if (b.DType != a.DType)
            throw new ArgumentException($"{op}: the matrix and b must share one dtype; got {a.DType} and {b.DType}");
        if (b.Rank is not (1 or 2) || b.ShapeArray[0] != n)
            throw new ArgumentException(
                $"{op}: b must be [n] or [n, k] with n = {n} for a matrix of shape {Shape.Format(a.ShapeArray.ToArray())}; got shape {Shape.Format(b.ShapeArray.ToArray())}");
        return b.Rank == 1 ? 1 : b.ShapeArray[1];
    }

    private static void CheckOperand(Tensor t, string op, string name)
    {
        if (t.DType is not (DType.Float64 or DType.Float32))
            throw new ArgumentException($"{op}: {name} must be float64 or float32; got {t.DType}");
        if (t.Device != Device.Cpu)
            throw new ArgumentException($"{op}: {name} must be on the CPU; got {t.Device}");
        if (t.RequiresGrad && Autograd.IsEnabled)
            throw new ArgumentException($"{op}: has no gradient; {name} requires grad (detach it or call inside Autograd.NoGrad())");
    }

    private static double[] ToDoubles(Tensor t) => t.ToArray<double>();

    private static Tensor FromDoubles(double[] data, int[] shape, DType dtype)
    {
        var result = Tensor.Wrap(data, shape);
        return dtype == DType.Float64 ? result : result.To(dtype);
    }
}
