namespace Engine.Tests;

[TestClass]
public sealed class LinalgTests
{
    /// <summary>B B^T + n I for a random B: symmetric and well conditioned.</summary>
    private static double[,] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var b = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) b[i, j] = rng.NextDouble() * 2 - 1;
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var s = i == j ? n : 0.0;
                for (var k = 0; k < n; k++) s += b[i, k] * b[j, k];
                a[i, j] = s;
            }
        return a;
    }

    private static double[,] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var m = new double[rows, cols];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++) m[i, j] = rng.NextDouble() * 2 - 1;
        return m;
    }

    private static double[,] ToMatrix(Tensor t)
    {
        var (rows, cols) = (t.Shape[0], t.Rank == 1 ? 1 : t.Shape[1]);
        var data = t.ToArray<double>();
        var m = new double[rows, cols];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++) m[i, j] = data[i * cols + j];
        return m;
    }

    private static double[,] Product(double[,] a, double[,] b, bool transposeA = false)
    {
        int rows = transposeA ? a.GetLength(1) : a.GetLength(0), inner = b.GetLength(0), cols = b.GetLength(1);
        var c = new double[rows, cols];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
            {
                var s = 0.0;
                for (var k = 0; k < inner; k++) s += (transposeA ? a[k, i] : a[i, k]) * b[k, j];
                c[i, j] = s;
            }
        return c;
    }

    private static double MaxAbsDifference(double[,] a, double[,] b)
    {
        var max = 0.0;
        for (var i = 0; i < a.GetLength(0); i++)
            for (var j = 0; j < a.GetLength(1); j++) max = Math.Max(max, Math.Abs(a[i, j] - b[i, j]));
        return max;
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(97)]
    [DataRow(250)]
    public void CholeskyReconstructsTheMatrix(int n)
    {
        // 97 and 250 cross the 96-column panels: the blocked trailing update is exercised.
        var a = RandomSpd(n, n);
        var l = ToMatrix(Linalg.Cholesky(Tensor.FromArray(a)));
        var reconstructed = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                if (j > i) Assert.AreEqual(0.0, l[i, j], $"L[{i},{j}] above the diagonal");
                var s = 0.0;
                for (var k = 0; k < n; k++) s += l[i, k] * l[j, k];
                reconstructed[i, j] = s;
            }
        for (var i = 0; i < n; i++) Assert.IsGreaterThan(0.0, l[i, i]);
        Assert.IsLessThan(1e-12 * n, MaxAbsDifference(reconstructed, a));
    }

    [TestMethod]
    public void CholeskyReadsOnlyTheLowerTriangleAndKeepsFloat32()
    {
        var a = RandomSpd(7, 3);
        var junkAbove = (double[,])a.Clone();
        for (var i = 0; i < 7; i++)
            for (var j = i + 1; j < 7; j++) junkAbove[i, j] = 1e6;
        var expected = Linalg.Cholesky(Tensor.FromArray(a)).ToArray<double>();
        CollectionAssert.AreEqual(expected, Linalg.Cholesky(Tensor.FromArray(junkAbove)).ToArray<double>());
        var single = Linalg.Cholesky(Tensor.FromArray(a).Float());
        Assert.AreEqual(DType.Float32, single.DType);
        var got = single.ToArray<float>();
        for (var i = 0; i < got.Length; i++) Assert.AreEqual(expected[i], got[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])));
    }

    [TestMethod]
    public void CholeskyRejectsAMatrixThatIsNotPositiveDefinite()
    {
        // Eigenvalues 3 and -1: symmetric but indefinite; the second pivot is 1 - 4 = -3.
        var e = Assert.ThrowsExactly<ArgumentException>(() => Linalg.Cholesky(Tensor.FromArray(new double[,] { { 1, 2 }, { 2, 1 } })));
        StringAssert.Contains(e.Message, "Cholesky");
        StringAssert.Contains(e.Message, "not positive definite");
        StringAssert.Contains(e.Message, "pivot 1");
        var nan = Assert.ThrowsExactly<ArgumentException>(() => Linalg.Cholesky(Tensor.FromArray(new double[,] { { double.NaN } })));
        StringAssert.Contains(nan.Message, "not positive definite");
    }

    [TestMethod]
    public void InvalidInputsAreRejectedWithTheOpShapesAndDtypes()
    {
        var rect = Assert.ThrowsExactly<ArgumentException>(() => Linalg.Cholesky(Tensor.Zeros([2, 3], DType.Float64)));
        StringAssert.Contains(rect.Message, "Cholesky");
        StringAssert.Contains(rect.Message, "(2,3)");
        var ints = Assert.ThrowsExactly<ArgumentException>(() => Linalg.Eigh(Tensor.Zeros([2, 2], DType.Int64)));
        StringAssert.Contains(ints.Message, "Eigh");
        StringAssert.Contains(ints.Message, "Int64");
        var eye = Tensor.Eye(3, dtype: DType.Float64);
        var rhs = Assert.ThrowsExactly<ArgumentException>(() => Linalg.CholeskySolve(eye, Tensor.Zeros([4, 2], DType.Float64)));
        StringAssert.Contains(rhs.Message, "CholeskySolve");
        StringAssert.Contains(rhs.Message, "(4,2)");
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => Linalg.SolveTriangular(eye, Tensor.Zeros([3], DType.Float32), lower: true));
        StringAssert.Contains(mixed.Message, "Float64 and Float32");
        var grad = Assert.ThrowsExactly<ArgumentException>(() => Linalg.Cholesky(Tensor.Eye(2, dtype: DType.Float64).RequiresGrad_()));
        StringAssert.Contains(grad.Message, "requires grad");
        var singular = Assert.ThrowsExactly<ArgumentException>(
            () => Linalg.SolveTriangular(Tensor.FromArray(new double[,] { { 1, 0 }, { 5, 0 } }), Tensor.Ones([2], DType.Float64), lower: true));
        StringAssert.Contains(singular.Message, "diagonal entry 1");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void CholeskySolveLeavesATinyResidual(int columns)
    {
        const int n = 120;
        var a = RandomSpd(n, 11);
        var b = RandomMatrix(n, columns, 12);
        var bTensor = columns == 1 ? Tensor.FromArray(Enumerable.Range(0, n).Select(i => b[i, 0]).ToArray()) : Tensor.FromArray(b);
        var x = Linalg.CholeskySolve(Linalg.Cholesky(Tensor.FromArray(a)), bTensor);
        CollectionAssert.AreEqual(bTensor.Shape.ToArray(), x.Shape.ToArray());
        Assert.IsLessThan(1e-10, MaxAbsDifference(Product(a, ToMatrix(x)), b));
    }

    [TestMethod]
    [DataRow(true, false)]
    [DataRow(true, true)]
    [DataRow(false, false)]
    [DataRow(false, true)]
    public void SolveTriangularSolvesEachOrientation(bool lower, bool transpose)
    {
        const int n = 40;
        var full = RandomMatrix(n, n, 21);
        // The triangle in use gets a dominant diagonal (well conditioned); the other triangle holds junk that must
        // be ignored.
        var triangle = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            full[i, i] = 4 + Math.Abs(full[i, i]);
            for (var j = 0; j < n; j++)
                if (i == j || lower == (j < i)) triangle[i, j] = full[i, j];
        }
        var b = RandomMatrix(n, 2, 22);
        var x = ToMatrix(Linalg.SolveTriangular(Tensor.FromArray(full), Tensor.FromArray(b), lower, transpose));
        Assert.IsLessThan(1e-12, MaxAbsDifference(Product(triangle, x, transposeA: transpose), b));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(60)]
    public void EighGivesOrthonormalEigenpairsInAscendingOrder(int n)
    {
        var b = RandomMatrix(n, n, 31 + n);
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) a[i, j] = b[i, j] + b[j, i];
        var (values, vectors) = Linalg.Eigh(Tensor.FromArray(a));
        var lambda = values.ToArray<double>();
        var v = ToMatrix(vectors);
        for (var i = 1; i < n; i++) Assert.IsLessThanOrEqualTo(lambda[i], lambda[i - 1]);
        var av = Product(a, v);
        var scale = lambda.Max(Math.Abs) + 1;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) Assert.AreEqual(av[i, j], lambda[j] * v[i, j], 1e-12 * scale, $"(A v - lambda v)[{i},{j}]");
        var gram = Product(v, v, transposeA: true);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) Assert.AreEqual(i == j ? 1.0 : 0.0, gram[i, j], 1e-13, $"(V^T V)[{i},{j}]");
        var trace = Enumerable.Range(0, n).Sum(i => a[i, i]);
        Assert.AreEqual(trace, lambda.Sum(), 1e-12 * scale * n);
    }

    [TestMethod]
    public void EighMatchesHandComputedEigenvalues()
    {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3 with vectors (1, -1)/sqrt2 and (1, 1)/sqrt2.
        var (values, vectors) = Linalg.Eigh(Tensor.FromArray(new double[,] { { 2, 1 }, { 1, 2 } }));
        var lambda = values.ToArray<double>();
        Assert.AreEqual(1.0, lambda[0], 1e-15);
        Assert.AreEqual(3.0, lambda[1], 1e-15);
        var v = vectors.ToArray<double>();
        Assert.AreEqual(1 / Math.Sqrt(2), Math.Abs(v[0]), 1e-15);
        Assert.AreEqual(-v[0], v[2], 1e-15);
        Assert.AreEqual(v[1], v[3], 1e-15);
        // Repeated eigenvalues and an already diagonal matrix: values exact, vectors still orthonormal.
        var (repeatedValues, repeatedVectors) = Linalg.Eigh(Tensor.FromArray(new double[,] { { 5, 0, 0 }, { 0, -1, 0 }, { 0, 0, 5 } }));
        CollectionAssert.AreEqual(new double[] { -1, 5, 5 }, repeatedValues.ToArray<double>());
        var q = ToMatrix(repeatedVectors);
        Assert.IsLessThan(1e-15, MaxAbsDifference(Product(q, q, transposeA: true), new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }));
    }
}
