using Engine.Tests.Ops;

namespace Engine.Tests;

[TestClass]
public sealed class MatmulTests
{
    /// <summary>PyTorch's matmul by plain loops: 1-D operands become a row (left) or column (right) whose dim is
    /// dropped afterwards; batch dims broadcast.</summary>
    private static RefArray Matmul(RefArray a, RefArray b)
    {
        var a2 = a.Rank == 1 ? new RefArray([1, a.Shape[0]], a.Data) : a;
        var b2 = b.Rank == 1 ? new RefArray([b.Shape[0], 1], b.Data) : b;
        int m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        var batchA = a2.Shape[..^2];
        var batchB = b2.Shape[..^2];
        var rank = Math.Max(batchA.Length, batchB.Length);
        var batch = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - batchA.Length ? 1 : batchA[i - (rank - batchA.Length)];
            var db = i < rank - batchB.Length ? 1 : batchB[i - (rank - batchB.Length)];
            batch[i] = Math.Max(da, db);
        }
        int[] Pick(int[] own, int[] idx) => own.Select((s, j) => s == 1 ? 0 : idx[rank - own.Length + j]).ToArray();
        var result = RefArray.Generate([.. batch, m, n], idx =>
        {
            var bi = idx[..rank];
            int i = idx[rank], j = idx[rank + 1];
            var sum = 0.0;
            for (var p = 0; p < k; p++) sum += a2[[.. Pick(batchA, bi), i, p]] * b2[[.. Pick(batchB, bi), p, j]];
            return sum;
        });
        var shape = result.Shape.ToList();
        if (b.Rank == 1) shape.RemoveAt(shape.Count - 1);
        if (a.Rank == 1) shape.RemoveAt(shape.Count - (b.Rank == 1 ? 1 : 2));
        return new RefArray(shape.ToArray(), result.Data);
    }

    private static readonly (int[] A, int[] B, int[] Out)[] Cases =
    [
        ([4], [4], []),
        ([4], [4, 3], [3]),
        ([3, 4], [4], [3]),
        ([3, 4], [4, 5], [3, 5]),
        ([2, 3, 4], [2, 4, 5], [2, 3, 5]),
        ([2, 1, 3, 4], [5, 4, 2], [2, 5, 3, 2]),
        ([2, 3, 3, 4], [4, 2], [2, 3, 3, 2]),
        ([3, 4], [2, 4, 5], [2, 3, 5]),
        ([4], [2, 4, 3], [2, 3]),
        ([2, 3, 4], [4], [2, 3]),
        ([1, 3, 4], [2, 1, 4, 2], [2, 1, 3, 2]),
    ];

    [TestMethod]
    public void ShapesAndValuesFollowPyTorchRules()
    {
        var g = new Generator(41);
        foreach (var (sa, sb, so) in Cases)
        {
            var a = OpCheck.Randn(g, sa);
            var b = OpCheck.Randn(g, sb);
            var y = a.Matmul(b);
            var what = $"{Shape.Format(sa)} x {Shape.Format(sb)}";
            CollectionAssert.AreEqual(so, y.Shape.ToArray(), what);
            OpCheck.Close(Matmul(RefArray.Of(a), RefArray.Of(b)), y, 1e-12, what);
            OpCheck.Close(Matmul(RefArray.Of(a), RefArray.Of(b)), a.To(DType.Float32).Matmul(b.To(DType.Float32)), 1e-5, "Float32 " + what);
        }
    }

    [TestMethod]
    public void LargerOddSizedProductsMatchReference()
    {
        // Sizes that are not multiples of any tile or vector width, large enough to use several threads.
        var g = new Generator(49);
        foreach (var (sa, sb) in new[] { (new[] { 67, 45 }, new[] { 45, 39 }), ([3, 17, 20], [20, 9]), ([2, 33, 70], [2, 70, 31]) })
        {
            var a = OpCheck.Randn(g, sa);
            var b = OpCheck.Randn(g, sb);
            var expected = Matmul(RefArray.Of(a), RefArray.Of(b));
            var what = $"{Shape.Format(sa)} x {Shape.Format(sb)}";
            OpCheck.Close(expected, a.Matmul(b), 1e-12, what);
            OpCheck.Close(expected, a.To(DType.Float32).Matmul(b.To(DType.Float32)), 1e-4, "Float32 " + what);
            OpCheck.Close(expected, a.MT.Contiguous().MT.Matmul(b.MT.Contiguous().MT), 1e-12, "column-major " + what);
        }
    }

    [TestMethod]
    public void TransposedSlicedAndExpandedOperands()
    {
        var g = new Generator(42);
        var baseA = OpCheck.Randn(g, 4, 3);
        var baseB = OpCheck.Randn(g, 8, 6);
        var a = baseA.T;                                // (3,4), column-major
        var b = baseB.Slice(0, 0, 8, 2).Slice(1, 1, 6); // (4,5), strided rows
        var ra = RefArray.Of(baseA).Transpose(0, 1);
        var rb = RefArray.Of(baseB).Slice(0, 0, 8, 2).Slice(1, 1, 6);
        OpCheck.Close(Matmul(ra, rb), a.Matmul(b), 1e-12, "2-D");
        OpCheck.Close(Matmul(ra, rb), a.To(DType.Float32).Matmul(b.To(DType.Float32)), 1e-5, "Float32 2-D");

        var baseC = OpCheck.Randn(g, 4, 2, 3);
        var c = baseC.Permute(1, 0, 2); // (2,4,3), batch dim not outermost in memory
        var rc = RefArray.Of(baseC).Transpose(0, 1);
        OpCheck.Close(Matmul(ra, rc), a.Matmul(c), 1e-12, "2-D x permuted 3-D");
        OpCheck.Close(Matmul(rc.Transpose(1, 2), rb), c.MT.Matmul(b), 1e-12, "batched transposed x 2-D");

        var e = baseA.T.Unsqueeze(0).Expand(5, 3, 4); // stride-0 batch
        var re = RefArray.Generate([5, 3, 4], i => ra[i[1], i[2]]);
        OpCheck.Close(Matmul(re, rb), e.Matmul(b), 1e-12, "expanded batch");
        OpCheck.Close(Matmul(re, rc.Slice(0, 0, 1)), e.Matmul(c.Slice(0, 0, 1)), 1e-12, "expanded x size-1 batch");
    }

    [TestMethod]
    public void BatchDimsWithUnusualSize1StridesAreNotMisread()
    {
        // (2,1,3) batch dims whose size-1 dim has a stride equal to the outer one: merging them into one batch stride
        // would read the wrong matrices.
        var g = new Generator(43);
        var baseA = OpCheck.Randn(g, 3, 2, 2, 3);
        var a = baseA.AsStrided([2, 1, 3, 2, 3], [6, 6, 12, 3, 1], 0);
        var ra = RefArray.Generate([2, 1, 3, 2, 3], i => RefArray.Of(baseA)[i[2], i[0], i[3], i[4]]);
        var b = OpCheck.Randn(g, 3, 3, 4);
        OpCheck.Close(Matmul(ra, RefArray.Of(b)), a.Matmul(b), 1e-12);
    }

    [TestMethod]
    public void EmptyDimsGiveZerosOrEmptyResults()
    {
        var y = Tensor.Zeros([2, 3, 4, 0], DType.Float64).Matmul(Tensor.Ones([2, 3, 0, 5], DType.Float64));
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 5 }, y.Shape.ToArray());
        Assert.IsTrue(y.ToArray<double>().All(v => v == 0));
        var e = Tensor.Zeros([0, 3], DType.Float64).Matmul(Tensor.Ones([3, 2], DType.Float64));
        CollectionAssert.AreEqual(new[] { 0, 2 }, e.Shape.ToArray());
        var folded = Tensor.Zeros([2, 3, 0], DType.Float64).Matmul(Tensor.Ones([0, 5], DType.Float64));
        CollectionAssert.AreEqual(new[] { 2, 3, 5 }, folded.Shape.ToArray());
        Assert.IsTrue(folded.ToArray<double>().All(v => v == 0));
        var bias = Tensor.FromArray(new double[] { 1, 2, 3 });
        var linear = Tensor.Linear(Tensor.Zeros([2, 0], DType.Float64), Tensor.Zeros([3, 0], DType.Float64), bias);
        CollectionAssert.AreEqual(new double[] { 1, 2, 3, 1, 2, 3 }, linear.ToArray<double>(), "no inputs: the bias alone");
        CollectionAssert.AreEqual(new[] { 0, 3 }, Tensor.Linear(Tensor.Zeros([0, 4], DType.Float64), Tensor.Zeros([3, 4], DType.Float64), bias).Shape.ToArray());
    }

    [TestMethod]
    public void MatmulGradCheck()
    {
        var g = new Generator(44);
        (int[], int[])[] cases =
        [
            ([3], [3]), ([3], [3, 2]), ([2, 3], [3]), ([2, 3], [3, 2]), ([2, 2, 3], [2, 3, 2]),
            ([2, 1, 2, 3], [3, 3, 2]), ([2, 2, 3], [3, 2]), ([3], [2, 3, 2]),
        ];
        foreach (var (sa, sb) in cases)
            OpCheck.Grad(t => t[0].Matmul(t[1]), OpCheck.Randn(g, sa), OpCheck.Randn(g, sb));
        OpCheck.Grad(t => t[0].T.Matmul(t[1].Slice(0, 0, 6, 2)), OpCheck.Randn(g, 3, 2), OpCheck.Randn(g, 6, 2));
        OpCheck.Grad(t => t[0].Unsqueeze(0).Expand(2, 2, 3).Matmul(t[1]), OpCheck.Randn(g, 2, 3), OpCheck.Randn(g, 2, 3, 2));
    }

    [TestMethod]
    public void MatmulHasDoubleBackward()
    {
        var g = new Generator(45);
        var a = OpCheck.Randn(g, 2, 3);
        var b = OpCheck.Randn(g, 3, 2);
        OpCheck.Grad(t =>
        {
            using (Autograd.EnableGrad())
            {
                var x = t[0].RequiresGrad ? t[0] : t[0].Detach().RequiresGrad_();
                return Autograd.Grad([x.Matmul(t[1]).Square().Sum()], [x], createGraph: true)[0]!;
            }
        }, a, b);
    }

    [TestMethod]
    public void MmBmmDotMatchMatmul()
    {
        var g = new Generator(46);
        var a = OpCheck.Randn(g, 3, 4);
        var b = OpCheck.Randn(g, 4, 2);
        OpCheck.Close(Matmul(RefArray.Of(a), RefArray.Of(b)), a.Mm(b), 1e-12, "Mm");
        var p = OpCheck.Randn(g, 2, 3, 4);
        var q = OpCheck.Randn(g, 2, 4, 5);
        OpCheck.Close(Matmul(RefArray.Of(p), RefArray.Of(q)), p.Bmm(q), 1e-12, "Bmm");
        var u = OpCheck.Randn(g, 5);
        var v = OpCheck.Randn(g, 5);
        var dot = u.Dot(v);
        Assert.AreEqual(0, dot.Rank);
        Assert.AreEqual(u.ToArray<double>().Zip(v.ToArray<double>(), (x, y) => x * y).Sum(), dot.Item(), 1e-12);
        OpCheck.Throws<ArgumentException>(() => p.Mm(b), "Mm", "(2,3,4)", "(4,2)");
        OpCheck.Throws<ArgumentException>(() => p.Bmm(OpCheck.Randn(g, 3, 4, 5)), "Bmm", "(2,3,4)", "(3,4,5)");
        OpCheck.Throws<ArgumentException>(() => a.Dot(v), "Dot", "(3,4)", "(5)");
    }

    // ---- Linear ------------------------------------------------------------------------------------------------

    private static RefArray LinearRef(RefArray x, RefArray w, RefArray? b)
    {
        var y = Matmul(x, w.Transpose(0, 1));
        return b is null ? y : RefArray.Generate(y.Shape, i => y[i] + b[i[^1]]);
    }

    [TestMethod]
    public void LinearMatchesReferenceWithAndWithoutBias()
    {
        var g = new Generator(47);
        var w = OpCheck.Randn(g, 5, 4);
        var b = OpCheck.Randn(g, 5);
        foreach (var xs in new[] { new[] { 4 }, [3, 4], [2, 3, 4] })
        {
            var x = OpCheck.Randn(g, xs);
            var what = Shape.Format(xs);
            OpCheck.Close(LinearRef(RefArray.Of(x), RefArray.Of(w), RefArray.Of(b)), Tensor.Linear(x, w, b), 1e-12, what + " with bias");
            OpCheck.Close(LinearRef(RefArray.Of(x), RefArray.Of(w), null), Tensor.Linear(x, w), 1e-12, what + " without bias");
        }
        var xt = OpCheck.Randn(g, 4, 3);
        OpCheck.Close(LinearRef(RefArray.Of(xt).Transpose(0, 1), RefArray.Of(w), RefArray.Of(b)), Tensor.Linear(xt.T, w, b), 1e-12, "transposed x");
        OpCheck.Close(LinearRef(RefArray.Of(xt).Transpose(0, 1), RefArray.Of(w), RefArray.Of(b)),
            Tensor.Linear(xt.T.To(DType.Float32), w.To(DType.Float32), b.To(DType.Float32)), 1e-5, "Float32");
    }

    [TestMethod]
    public void LinearGradCheck()
    {
        var g = new Generator(48);
        var w = OpCheck.Randn(g, 3, 4);
        var b = OpCheck.Randn(g, 3);
        OpCheck.Grad(t => Tensor.Linear(t[0], t[1], t[2]), OpCheck.Randn(g, 2, 2, 4), w, b);
        OpCheck.Grad(t => Tensor.Linear(t[0], t[1]), OpCheck.Randn(g, 2, 4), w);
        OpCheck.Grad(t => Tensor.Linear(t[0].T, t[1], t[2]), OpCheck.Randn(g, 4, 2), w, b);
        OpCheck.Grad(t => Tensor.Linear(t[0], t[1], t[2]), OpCheck.Randn(g, 4), w, b);
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    [TestMethod]
    public void IncompatibleShapesNameBothShapes()
    {
        var msg = OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Matmul(Tensor.Zeros(5, 6)));
        Assert.Contains("Matmul: shapes (3,4) and (5,6) are incompatible: 4 != 5", msg);
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3).Matmul(Tensor.Zeros(4)), "Matmul", "(3)", "(4)", "3 != 4");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(2, 3, 4).Matmul(Tensor.Zeros(3, 4, 5)), "Matmul", "(2,3,4)", "(3,4,5)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Matmul(Tensor.Scalar(2)), "Matmul", "(3,4)", "()");
    }

    [TestMethod]
    public void IntegerAndMixedDTypesAreRejected()
    {
        var ints = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        OpCheck.Throws<ArgumentException>(() => ints.Matmul(ints), "Matmul", "Int64");
        OpCheck.Throws<ArgumentException>(() => Tensor.Zeros(2, 2).Matmul(Tensor.Zeros([2, 2], DType.Float64)), "Matmul", "Float32", "Float64");
        OpCheck.Throws<ArgumentException>(() => Tensor.Linear(ints, ints), "Linear", "Int64");
    }

    [TestMethod]
    public void LinearShapeMismatchesNameTheShapes()
    {
        var w = Tensor.Zeros(5, 4);
        OpCheck.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(3, 6), w), "Linear", "(3,6)", "(5,4)", "6 != 4");
        OpCheck.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(3, 4), Tensor.Zeros(5, 4, 1)), "Linear", "(5,4,1)");
        OpCheck.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(3, 4), w, Tensor.Zeros(4)), "Linear", "bias", "(4)", "(5)");
    }

    /// <summary>Without a graph a product's temporaries are freed inside Matmul, so disposing the result hands its
    /// storage back to the pool at once (a regression: a 3-D product behind the returned view kept it alive until
    /// the garbage collector ran, so every product allocated fresh memory).</summary>
    [TestMethod]
    [DataRow(new[] { 4, 5 }, new[] { 5, 3 })]
    [DataRow(new[] { 2, 4, 5 }, new[] { 5, 3 })]
    [DataRow(new[] { 2, 1, 4, 5 }, new[] { 3, 5, 2 })]
    [DataRow(new[] { 5 }, new[] { 5, 3 })]
    public void DisposingAProductWithoutAGraphReleasesItsStorage(int[] shapeA, int[] shapeB)
    {
        var g = new Generator(4);
        using var a = Tensor.Randn(shapeA, DType.Float32, g);
        using var b = Tensor.Randn(shapeB, DType.Float32, g);
        var y = a.Matmul(b);
        var storage = y.Storage;
        Assert.AreEqual(1, storage.References, "the result is the only tensor holding its storage");
        y.Dispose();
        Assert.IsTrue(storage.IsReleased);

        // With a graph the temporaries stay (backward needs them), and the values are the same.
        using var ag = a.Detach().RequiresGrad_();
        var withGraph = ag.Matmul(b);
        CollectionAssert.AreEqual(a.Matmul(b).ToArray<float>(), withGraph.ToArray<float>());
    }
}
