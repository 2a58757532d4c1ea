using Engine.Lab.Sequence;

namespace Engine.Lab.Tests.Sequence;

[TestClass]
public sealed class ParaRnnTests
{
    private static double Tolerance(DType dtype) => dtype == DType.Float64 ? 1e-10 : 1e-5;

    [TestMethod]
    [DataRow("paragru", 64, DType.Float32)]
    [DataRow("paragru", 64, DType.Float64)]
    [DataRow("paragru", 1024, DType.Float32)]
    [DataRow("paragru", 1024, DType.Float64)]
    [DataRow("paragru", 16384, DType.Float32)]
    [DataRow("paragru", 16384, DType.Float64)]
    [DataRow("paralstm", 64, DType.Float32)]
    [DataRow("paralstm", 64, DType.Float64)]
    [DataRow("paralstm", 1024, DType.Float32)]
    [DataRow("paralstm", 1024, DType.Float64)]
    [DataRow("paralstm", 16384, DType.Float32)]
    [DataRow("paralstm", 16384, DType.Float64)]
    [DataRow("gru-dense", 64, DType.Float64)]
    [DataRow("gru-dense", 1024, DType.Float32)]
    public void NewtonForwardEqualsSequentialWithinFourIterations(string kind, int steps, DType dtype)
    {
        var cell = ParaCells.Create(kind, dtype);
        var x = ParaCells.Inputs(2, steps, dtype);
        using var _ = Autograd.NoGrad();
        var expected = ParaRnn.Sequential(cell, x);
        var result = ParaRnn.Parallel(cell, x, options: new ParaRnnOptions { Iterations = 4 });
        Assert.AreEqual(4, result.Iterations);
        var diff = ParaCells.MaxAbsDiff(expected, result.States);
        Assert.IsTrue(diff <= Tolerance(dtype), $"{kind} T={steps} {dtype}: max |parallel - sequential| = {diff:E3}");
        // With one iteration the solution is not there yet: the test can tell converged from not.
        var early = ParaRnn.Parallel(cell, x, options: new ParaRnnOptions { Iterations = 1 });
        Assert.IsTrue(ParaCells.MaxAbsDiff(expected, early.States) > 10 * Tolerance(dtype), "one iteration should not suffice");
    }

    [TestMethod]
    [DataRow("paragru", 64, DType.Float64)]
    [DataRow("paragru", 1024, DType.Float32)]
    [DataRow("paragru", 1024, DType.Float64)]
    [DataRow("paralstm", 64, DType.Float64)]
    [DataRow("paralstm", 1024, DType.Float32)]
    [DataRow("paralstm", 1024, DType.Float64)]
    [DataRow("paragru", 16384, DType.Float64)]
    [DataRow("paralstm", 16384, DType.Float32)]
    [DataRow("gru-dense", 64, DType.Float64)]
    [DataRow("gru-dense", 256, DType.Float32)]
    public void GradientsEqualBackpropagationThroughTime(string kind, int steps, DType dtype)
    {
        var cell = ParaCells.Create(kind, dtype);
        var x = ParaCells.Inputs(2, steps, dtype).RequiresGrad_();
        var h0 = (0.5 * Tensor.Randn([2, cell.StateSize], dtype, new Generator(5))).RequiresGrad_();
        var weights = Tensor.Randn([2, steps, cell.OutputSize], dtype, new Generator(7));
        Tensor[] wrt = [x, h0, .. cell.Parameters()];

        var sequential = Autograd.Grad([(cell.Output(ParaRnn.Sequential(cell, x, h0)) * weights).Sum()], wrt);
        var parallel = ParaRnn.Parallel(cell, x, h0, new ParaRnnOptions { Iterations = 4 });
        var grads = Autograd.Grad([(cell.Output(parallel.States) * weights).Sum()], wrt);
        for (var i = 0; i < wrt.Length; i++)
        {
            // Sums over many steps: compare relative to the gradient's size.
            var scale = Math.Max(1, sequential[i]!.Abs().Max().Item());
            var diff = ParaCells.MaxAbsDiff(sequential[i]!, grads[i]!) / scale;
            Assert.IsTrue(diff <= Tolerance(dtype), $"{kind} T={steps} {dtype}: gradient {i} differs by {diff:E3} (relative)");
        }
    }

    [TestMethod]
    public void GradientsMatchFiniteDifferences()
    {
        foreach (var kind in new[] { "paragru", "paralstm", "gru-dense" })
        {
            var cell = ParaCells.Create(kind, DType.Float64);
            var weights = Tensor.Randn([1, 5, cell.OutputSize], DType.Float64, new Generator(2));
            var result = GradCheck.Run(
                inputs => (cell.Output(ParaRnn.Parallel(cell, inputs[0], inputs[1], new ParaRnnOptions { Iterations = 30, Tolerance = 1e-14 }).States) * weights).Sum(),
                [ParaCells.Inputs(1, 5, DType.Float64), 0.3 * Tensor.Randn([1, cell.StateSize], DType.Float64, new Generator(4))]);
            Assert.IsTrue(result.Passed(1e-6), $"{kind}: {result}");
        }
    }

    [TestMethod]
    [DataRow("paragru")]
    [DataRow("paralstm")]
    public void AnalyticJacobiansEqualAutogradOnes(string kind)
    {
        var cell = ParaCells.Create(kind, DType.Float64);
        var rows = 6;
        var state = Tensor.Randn([rows, cell.StateSize], DType.Float64, new Generator(9));
        var projected = cell.ProjectInput(Tensor.Randn([rows, ParaCells.Input], DType.Float64, new Generator(10)));
        var analytic = cell.StateJacobian(state, projected).ToArray<double>();
        var n = cell.StateSize;
        for (var m = 0; m < rows; m++)
        {
            var full = Autograd.Jacobian(h => cell.Step(h, projected.Narrow(0, m, 1).Detach()), state.Narrow(0, m, 1).Contiguous())
                .Reshape(n, n).ToArray<double>();
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                {
                    var expected = full[i * n + j];
                    double got = cell.Structure switch
                    {
                        JacobianStructure.Diagonal => i == j ? analytic[m * n + i] : 0,
                        _ => i / 2 == j / 2 ? analytic[m * 2 * n + (i / 2) * 4 + (i % 2) * 2 + j % 2] : 0,
                    };
                    Assert.AreEqual(expected, got, 1e-12, $"{kind} row {m} entry [{i}, {j}]");
                }
        }
    }

    [TestMethod]
    public void ResidualStopEndsWhenConverged()
    {
        var cell = ParaCells.Create("paragru", DType.Float64);
        var x = ParaCells.Inputs(2, 256, DType.Float64);
        using var _ = Autograd.NoGrad();
        var result = ParaRnn.Parallel(cell, x, options: new ParaRnnOptions { Iterations = 50, Tolerance = 1e-12 });
        Assert.IsTrue(result.Iterations is >= 2 and < 50, $"{result.Iterations} iterations");
        Assert.IsTrue(ParaCells.MaxAbsDiff(ParaRnn.Sequential(cell, x), result.States) <= 1e-10);
    }

    [TestMethod]
    public void ModuleForwardUsesTheChosenSolver()
    {
        var cell = (ParaLstm)ParaCells.Create("paralstm", DType.Float64);
        var x = ParaCells.Inputs(3, 40, DType.Float64);
        cell.Options = new ParaRnnOptions { Iterations = 4 };
        var parallel = cell.Forward(x);
        Assert.AreEqual(4, cell.LastIterations);
        CollectionAssert.AreEqual(new[] { 3, 40, ParaCells.Hidden }, parallel.Shape.ToArray());
        cell.Solver = ParaRnnSolver.Sequential;
        Assert.IsTrue(ParaCells.MaxAbsDiff(cell.Forward(x), parallel) <= 1e-10);
    }

    [TestMethod]
    public void BadInputsAreRejectedWithTheirShapes()
    {
        var cell = ParaCells.Create("paragru", DType.Float32);
        var wrongSize = Tensor.Zeros([2, 5, 3], DType.Float32);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, wrongSize));
        StringAssert.Contains(e.Message, "(2,5,3)");
        Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Sequential(cell, wrongSize));
        Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([5, 4], DType.Float32)));
        Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([2, 0, 4], DType.Float32)));
        e = Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([2, 5, 4], DType.Float64)));
        StringAssert.Contains(e.Message, "Float64");
        e = Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([2, 5, 4], DType.Float32), Tensor.Zeros([3, 8], DType.Float32)));
        StringAssert.Contains(e.Message, "h0");
        e = Assert.ThrowsExactly<ArgumentException>(() => cell.Step(Tensor.Zeros([3, 7], DType.Float32), Tensor.Zeros([3, 24], DType.Float32)));
        StringAssert.Contains(e.Message, "(3,7)");
        e = Assert.ThrowsExactly<ArgumentException>(() => cell.ProjectInput(Tensor.Zeros([3, 5], DType.Float32)));
        StringAssert.Contains(e.Message, "(3,5)");
        Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([2, 5, 4], DType.Float32), options: new ParaRnnOptions { Iterations = -1 }));
        Assert.ThrowsExactly<ArgumentException>(() => ParaRnn.Parallel(cell, Tensor.Zeros([2, 5, 4], DType.Float32), options: new ParaRnnOptions { Tolerance = double.NaN }));
        Assert.ThrowsExactly<ArgumentException>(() => new ParaGru(6, 8, heads: 4));
        Assert.ThrowsExactly<ArgumentException>(() => new DenseGru(4, DenseGru.MaxHiddenSize + 1));
    }
}
