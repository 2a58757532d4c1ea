using System.Numerics;
using System.Runtime.Intrinsics;
using Engine.Backends.Cpu;

namespace Engine.Tests.Backends;

/// <summary>The packed GEMM against a naive float64 triple loop: every transpose combination, odd sizes that leave
/// partial micro-tiles, sizes that cross the K/M/N cache blocks, strided and broadcast operands, accumulation.</summary>
[TestClass]
public sealed class GemmTests
{
    private const double Float32Tolerance = 1e-5;
    private const double Float64Tolerance = 1e-12;

    // (m, k, n): 1 and 3 fall below one micro-tile, 17 and 255 leave partial tiles, 1000 crosses KC = 256. Small
    // products read A and B in place, (255, 1000, 255) packs both; the last three (float32 only) are split across
    // threads by columns, reading A in place and packing it respectively, and the last with M > N because its
    // column slices read A in place.
    private static readonly (int M, int K, int N)[] OddSizes =
    [
        (1, 1, 1), (3, 17, 255), (17, 1000, 3), (255, 3, 17), (1000, 17, 1), (1, 255, 1000), (255, 1000, 255),
        (17, 255, 1000), (64, 300, 1000), (300, 300, 700), (256, 100, 128),
    ];

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void Float32MatchesReferenceForTransposeCombination(bool transposeA, bool transposeB)
    {
        var g = new Generator(11);
        foreach (var (m, k, n) in OddSizes)
        {
            var a = Matrix(m, k, transposeA, DType.Float32, g);
            var b = Matrix(k, n, transposeB, DType.Float32, g);
            AssertClose(a.Matmul(b), a, b, Float32Tolerance, $"{m}x{k}x{n} tA={transposeA} tB={transposeB}");
        }
    }

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void Float64MatchesReferenceForTransposeCombination(bool transposeA, bool transposeB)
    {
        var g = new Generator(12);
        foreach (var (m, k, n) in OddSizes[..^3])
        {
            var a = Matrix(m, k, transposeA, DType.Float64, g);
            var b = Matrix(k, n, transposeB, DType.Float64, g);
            AssertClose(a.Matmul(b), a, b, Float64Tolerance, $"{m}x{k}x{n} tA={transposeA} tB={transposeB}");
        }
    }

    [TestMethod]
    [DataRow(1030, 3, 30, DType.Float32)] // M crosses the MC block (512 rows for float32 with AVX-512, 510 with AVX2)
    [DataRow(1030, 3, 30, DType.Float64)] // (256 and 252 rows for float64)
    [DataRow(30, 3, 8300, DType.Float32)] // N crosses the NC block (4096 columns for float32)
    [DataRow(30, 520, 70, DType.Float64)] // K crosses KC = 256 twice
    public void MatchesReferenceAcrossCacheBlocks(int m, int k, int n, DType dtype)
    {
        var g = new Generator(13);
        var a = Matrix(m, k, false, dtype, g);
        var b = Matrix(k, n, true, dtype, g);
        AssertClose(a.Matmul(b), a, b, dtype == DType.Float32 ? Float32Tolerance : Float64Tolerance, $"{m}x{k}x{n}");
    }

    /// <summary>The micro-tile has 8 rows with 512-bit lanes and 6 otherwise; each lane width is run here directly,
    /// accelerated or not, so every tile shape and its edges are checked whatever machine runs the tests.</summary>
    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, true)]
    public void EveryLaneWidthMatchesReference(bool transposeA, bool transposeB)
    {
        // 37 and 70 leave partial tiles in M and N; K = 270 is two KC blocks; (37, ...) reads A in place and
        // (300, ...) packs it.
        foreach (var (m, k, n) in new[] { (37, 270, 70), (300, 270, 70) })
        {
            var what = $"{m}x{k}x{n} tA={transposeA} tB={transposeB}";
            CheckLanes<float, Lanes512<float>, Vector512<float>>(m, k, n, transposeA, transposeB, Float32Tolerance, $"float 512 {what}");
            CheckLanes<float, Lanes256<float>, Vector256<float>>(m, k, n, transposeA, transposeB, Float32Tolerance, $"float 256 {what}");
            CheckLanes<float, ScalarLanes<float>, float>(m, k, n, transposeA, transposeB, Float32Tolerance, $"float scalar {what}");
            CheckLanes<double, Lanes512<double>, Vector512<double>>(m, k, n, transposeA, transposeB, Float64Tolerance, $"double 512 {what}");
            CheckLanes<double, Lanes256<double>, Vector256<double>>(m, k, n, transposeA, transposeB, Float64Tolerance, $"double 256 {what}");
            CheckLanes<double, ScalarLanes<double>, double>(m, k, n, transposeA, transposeB, Float64Tolerance, $"double scalar {what}");
        }
    }

    private static unsafe void CheckLanes<T, TL, TV>(int m, int k, int n, bool transposeA, bool transposeB, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : struct, IGemmLanes<TV, T>
        where TV : unmanaged
    {
        var random = new Random(17);
        var a = Enumerable.Range(0, m * k).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray();
        var c = new T[m * n];
        // Element (i, p) of A and (p, j) of B, stored row-major or as the transpose.
        nint aRow = transposeA ? 1 : k, aCol = transposeA ? m : 1, bRow = transposeB ? 1 : n, bCol = transposeB ? k : 1;
        fixed (T* pa = a, pb = b, pc = c)
            PackedGemm<T, TL, TV>.Multiply(new StridedMatrix<T>(pa, aRow, aCol), new StridedMatrix<T>(pb, bRow, bCol), pc, n, m, n, k, false);
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double sum = 0, scale = 0;
            for (var p = 0; p < k; p++)
            {
                var term = double.CreateTruncating(a[i * aRow + p * aCol]) * double.CreateTruncating(b[p * bRow + j * bCol]);
                sum += term;
                scale += Math.Abs(term);
            }
            var actual = double.CreateTruncating(c[i * n + j]);
            Assert.IsTrue(Math.Abs(actual - sum) <= tolerance * scale, $"{what}: c[{i},{j}] is {actual}, expected {sum}");
        }
    }

    [TestMethod]
    public void StridedOperandsMatchReference()
    {
        var g = new Generator(14);
        foreach (var (m, k, n) in new[] { (5, 7, 3), (40, 33, 70), (130, 257, 45) })
        {
            // Every other column of A; a window of B with a row pitch wider than its width.
            var a = Tensor.Randn([m, 2 * k], DType.Float32, g).Slice(1, 0, 2 * k, 2);
            var b = Tensor.Randn([k + 2, n + 9], DType.Float32, g).Narrow(0, 1, k).Narrow(1, 4, n);
            AssertClose(a.Matmul(b), a, b, Float32Tolerance, $"sliced {m}x{k}x{n}");
            // Both strides of B non-unit: B is every third column of a transposed matrix.
            var bt = Tensor.Randn([3 * n, k], DType.Float32, g).T.Slice(1, 0, 3 * n, 3);
            AssertClose(a.Matmul(bt), a, bt, Float32Tolerance, $"strided transposed {m}x{k}x{n}");
        }
    }

    [TestMethod]
    public void BroadcastBatchMatchesReference()
    {
        var g = new Generator(15);
        foreach (var (m, k, n) in new[] { (3, 5, 7), (33, 70, 65), (100, 300, 50) })
        {
            // A batch of 3 against one shared B (batch stride 0) and a shared transposed A against a batch of B.
            var a = Tensor.Randn([3, m, k], DType.Float32, g);
            var b = Tensor.Randn([1, k, n], DType.Float32, g);
            AssertClose(a.Matmul(b), a, b.Expand(3, k, n), Float32Tolerance, $"shared B {m}x{k}x{n}");
            var at = Tensor.Randn([1, k, m], DType.Float32, g).MT;
            var bs = Tensor.Randn([3, n, k], DType.Float32, g).MT;
            AssertClose(at.Matmul(bs), at.Expand(3, m, k), bs, Float32Tolerance, $"shared A {m}x{k}x{n}");
        }
    }

    [TestMethod]
    public void AccumulateAddsToExistingOutput()
    {
        var g = new Generator(16);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (17, 300, 40), (70, 20, 300) })
        {
            var a = Tensor.Randn([2, k, m], DType.Float64, g).MT;
            var b = Tensor.Randn([1, k, n], DType.Float64, g).Expand(2, k, n);
            var c = Tensor.Randn([2, m, n], DType.Float64, g);
            var before = c.ToArray<double>();
            CpuBackend.Instance.Matmul(a, b, c, accumulate: true);
            var expected = Reference(a, b);
            var scale = AbsReference(a, b);
            var actual = c.ToArray<double>();
            for (var i = 0; i < actual.Length; i++)
            {
                var want = before[i] + expected[i];
                Assert.IsTrue(Math.Abs(actual[i] - want) <= Float64Tolerance * (scale[i] + Math.Abs(before[i])),
                    $"{m}x{k}x{n} element {i}: got {actual[i]}, expected {want}");
            }
        }
    }

    [TestMethod]
    [DataRow(DType.Float32)]
    [DataRow(DType.Float64)]
    public void EmptyInnerDimensionClearsOrKeepsOutput(DType dtype)
    {
        foreach (var (m, n) in new[] { (1, 1), (7, 40) })
        {
            var a = Tensor.Zeros([1, m, 0], dtype);
            var b = Tensor.Zeros([1, 0, n], dtype);
            var c = Tensor.Full([1, m, n], 7.0, dtype);
            CpuBackend.Instance.Matmul(a, b, c, accumulate: true);
            Assert.IsTrue(c.ToArray<double>().All(v => v == 7.0), $"accumulate with K = 0 must leave c unchanged ({m}x{n})");
            CpuBackend.Instance.Matmul(a, b, c, accumulate: false);
            Assert.IsTrue(c.ToArray<double>().All(v => v == 0.0), $"K = 0 must give zeros ({m}x{n})");
        }
    }

    /// <summary>A random rows x cols matrix, optionally built as the transpose of a cols x rows one.</summary>
    private static Tensor Matrix(int rows, int cols, bool transposed, DType dtype, Generator g)
        => transposed ? Tensor.Randn([cols, rows], dtype, g).T : Tensor.Randn([rows, cols], dtype, g);

    /// <summary>Checks |c - a@b| &lt;= tolerance * sum_p |a_ip b_pj| elementwise: the scale of the rounding error of any
    /// summation order, while a dropped or doubled term moves an element by about 1/K of it.</summary>
    private static void AssertClose(Tensor c, Tensor a, Tensor b, double tolerance, string what)
    {
        var expected = Reference(a, b);
        var scale = AbsReference(a, b);
        var actual = c.ToArray<double>();
        Assert.HasCount(expected.Length, actual, what);
        for (var i = 0; i < actual.Length; i++)
            Assert.IsTrue(Math.Abs(actual[i] - expected[i]) <= tolerance * scale[i] + 1e-300,
                $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static double[] Reference(Tensor a, Tensor b) => NaiveProduct(a, b, x => x);

    private static double[] AbsReference(Tensor a, Tensor b) => NaiveProduct(a, b, Math.Abs);

    /// <summary>sum_p f(a_ip) f(b_pj) in float64 for a [..., m, k] and b [..., k, n] with equal batch dims.</summary>
    private static double[] NaiveProduct(Tensor a, Tensor b, Func<double, double> f)
    {
        int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
        var batch = a.Numel / (m * k);
        var av = a.ToArray<double>().Select(f).ToArray();
        var bv = b.ToArray<double>().Select(f).ToArray();
        var c = new double[batch * m * n];
        for (var t = 0; t < batch; t++)
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var s = 0.0;
            for (var p = 0; p < k; p++) s += av[(t * m + i) * k + p] * bv[(t * k + p) * n + j];
            c[(t * m + i) * n + j] = s;
        }
        return c;
    }

    /// <summary>IBackend.Gemm on operands described by strides inside larger storages (no view tensors): a
    /// transposed left operand at an offset, a right operand read with swapped strides, and an output written into
    /// a padded row layout, against a float64 loop; the padding around the output stays untouched.</summary>
    [TestMethod]
    public void GemmOnMatrixOperandsMatchesReference()
    {
        const int m = 5, k = 7, n = 33, ldc = 40;
        var g = new Generator(21);
        var aStore = Tensor.Randn([3 + k * m], DType.Float64, g); // A^T [k, m] stored at offset 3
        var bStore = Tensor.Randn([n * k], DType.Float64, g);     // B^T [n, k]
        var c = Tensor.Full([m * ldc + 1], -7.0, DType.Float64);
        var av = new Engine.Backends.MatrixOperand(3, k, m, m, 1).T;
        var bv = new Engine.Backends.MatrixOperand(0, n, k, k, 1).T;
        var cv = new Engine.Backends.MatrixOperand(1, m, n, ldc, 1);
        CpuBackend.Instance.Gemm(aStore, av, bStore, bv, c, cv, accumulate: false);
        var a = aStore.ToArray<double>();
        var b = bStore.ToArray<double>();
        var got = c.ToArray<double>();
        for (var i = 0; i < m; i++)
        for (var j = 0; j < ldc; j++)
        {
            var index = 1 + i * ldc + j;
            if (j >= n)
            {
                Assert.AreEqual(-7.0, got[index], $"padding at ({i},{j}) was written");
                continue;
            }
            var expected = 0.0;
            for (var p = 0; p < k; p++) expected += a[3 + p * m + i] * b[j * k + p];
            Assert.AreEqual(expected, got[index], 1e-12, $"({i},{j})");
        }
        Assert.AreEqual(-7.0, got[0]);
    }

    [TestMethod]
    public void GemmRejectsOperandsOutsideTheirStorageOrNotFittingTogether()
    {
        var a = Tensor.Zeros([12], DType.Float32);
        var b = Tensor.Zeros([12], DType.Float32);
        var c = Tensor.Zeros([9], DType.Float32);
        var fits = (A: Engine.Backends.MatrixOperand.Dense(0, 3, 4), B: Engine.Backends.MatrixOperand.Dense(0, 4, 3), C: Engine.Backends.MatrixOperand.Dense(0, 3, 3));
        CpuBackend.Instance.Gemm(a, fits.A, b, fits.B, c, fits.C, accumulate: false);
        Engine.Tests.Ops.OpCheck.Throws<ArgumentException>(() => CpuBackend.Instance.Gemm(a, fits.A with { Offset = 1 }, b, fits.B, c, fits.C, false), "Gemm", "operand a", "element 12", "storage of 12");
        Engine.Tests.Ops.OpCheck.Throws<ArgumentException>(() => CpuBackend.Instance.Gemm(a, fits.A, b, fits.B, c, fits.C with { RowStride = 2 }, false), "Gemm", "overlap");
        Engine.Tests.Ops.OpCheck.Throws<ArgumentException>(() => CpuBackend.Instance.Gemm(a, fits.A, b, fits.B with { Rows = 3 }, c, fits.C, false), "Gemm", "do not fit");
        Engine.Tests.Ops.OpCheck.Throws<ArgumentException>(() => CpuBackend.Instance.Gemm(a, fits.A with { ColStride = -1 }, b, fits.B, c, fits.C, false), "Gemm", "negative");
        Engine.Tests.Ops.OpCheck.Throws<ArgumentException>(() => CpuBackend.Instance.Gemm(a.To(DType.Float64), fits.A, b, fits.B, c, fits.C, false), "Gemm", "Float64");
    }
}
