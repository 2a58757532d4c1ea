using Engine.Nn;
using static Engine.Tests.NnTests.RecurrentReference;

namespace Engine.Tests.NnTests;

/// <summary>RNNCell, GRUCell and LSTMCell: PyTorch's parameter layout and initialisation, single-step values against
/// plain double arithmetic, float64 gradient checks, weight masks and bad input.</summary>
[TestClass]
public sealed class RecurrentCellTests
{
    private static Module Cell(Kind kind, int input, int hidden, bool bias = true, ulong seed = 1) => kind switch
    {
        Kind.RnnTanh => new RnnCell(input, hidden, bias, RnnNonlinearity.Tanh, DType.Float64, generator: new Generator(seed)),
        Kind.RnnRelu => new RnnCell(input, hidden, bias, RnnNonlinearity.Relu, DType.Float64, generator: new Generator(seed)),
        Kind.Gru => new GruCell(input, hidden, bias, DType.Float64, generator: new Generator(seed)),
        _ => new LstmCell(input, hidden, bias, DType.Float64, generator: new Generator(seed)),
    };

    /// <summary>Runs a cell: the new h, and for the LSTM the new c.</summary>
    private static Tensor[] Run(Module cell, Tensor x, Tensor? h, Tensor? c) => cell switch
    {
        RnnCell r => [r.Forward(x, h)],
        GruCell g => [g.Forward(x, h)],
        LstmCell l => l.Forward(x, h is null ? null : new LstmState(h, c!)) is var s ? [s.H, s.C] : [],
        _ => throw new ArgumentException(cell.TypeName),
    };

    /// <summary>Selects the fused CPU step kernels or the composed ops.</summary>
    private static void SetFused(Module m, bool fused) => ((IFusedRecurrence)m).FusedKernels = fused;

    [TestMethod]
    public void ParametersHavePyTorchNamesAndShapes()
    {
        NnCheck.StateDict(new RnnCell(3, 5), ("weight_ih", [5, 3]), ("weight_hh", [5, 5]), ("bias_ih", [5]), ("bias_hh", [5]));
        NnCheck.StateDict(new GruCell(3, 5), ("weight_ih", [15, 3]), ("weight_hh", [15, 5]), ("bias_ih", [15]), ("bias_hh", [15]));
        NnCheck.StateDict(new LstmCell(3, 5), ("weight_ih", [20, 3]), ("weight_hh", [20, 5]), ("bias_ih", [20]), ("bias_hh", [20]));
        NnCheck.StateDict(new LstmCell(3, 5, bias: false), ("weight_ih", [20, 3]), ("weight_hh", [20, 5]));
        Assert.AreEqual("LSTMCell(3, 5)", new LstmCell(3, 5).ToString());
        Assert.AreEqual("RNNCell(3, 5, bias=False, nonlinearity=relu)", new RnnCell(3, 5, false, RnnNonlinearity.Relu).ToString());
    }

    [TestMethod]
    public void InitIsUniformOverOneOverSqrtHidden()
    {
        var cell = new GruCell(7, 64, generator: new Generator(3));
        var bound = 1 / Math.Sqrt(64);
        foreach (var (name, p) in cell.NamedParameters())
        {
            var v = p.ToArray<float>();
            Assert.IsLessThanOrEqualTo(bound, v.Max(Math.Abs), name);
            Assert.IsGreaterThan(0.9 * bound, v.Max(Math.Abs), $"{name} fills the range");
        }
        Assert.IsTrue(new GruCell(7, 64, generator: new Generator(3)).WeightHh.Equal(cell.WeightHh), "same seed, same weights");
    }

    [TestMethod]
    public void RnnCellStepByHand()
    {
        // h' = tanh(w_ih x + b_ih + w_hh h + b_hh) = tanh(0.5 * 2 + 0.1 - 0.3 * 1 + 0.2) = tanh(1).
        var cell = new RnnCell(1, 1, dtype: DType.Float64);
        cell.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih"] = Tensor.FromArray(new[] { 0.5 }, 1, 1),
            ["weight_hh"] = Tensor.FromArray(new[] { -0.3 }, 1, 1),
            ["bias_ih"] = Tensor.FromArray(new[] { 0.1 }),
            ["bias_hh"] = Tensor.FromArray(new[] { 0.2 }),
        });
        var h = cell.Forward(Tensor.FromArray(new[] { 2.0 }, 1, 1), Tensor.FromArray(new[] { 1.0 }, 1, 1));
        NnCheck.Close([Math.Tanh(1)], h, 1e-15);
    }

    [TestMethod]
    [DataRow(Kind.RnnTanh, true)]
    [DataRow(Kind.RnnTanh, false)]
    [DataRow(Kind.RnnRelu, true)]
    [DataRow(Kind.RnnRelu, false)]
    [DataRow(Kind.Gru, true)]
    [DataRow(Kind.Gru, false)]
    [DataRow(Kind.Lstm, true)]
    [DataRow(Kind.Lstm, false)]
    public void StepMatchesPlainArithmetic(Kind kind, bool fused)
    {
        const int input = 3, hidden = 4, batch = 2;
        foreach (var bias in new[] { true, false })
        {
            var cell = Cell(kind, input, hidden, bias);
            SetFused(cell, fused);
            var gen = new Generator(7);
            var x = Tensor.Randn([batch, input], DType.Float64, gen);
            var h = Tensor.Randn([batch, hidden], DType.Float64, gen);
            var c = Tensor.Randn([batch, hidden], DType.Float64, gen);
            var result = Run(cell, x, h, c);
            var w = Read(cell, "", input, hidden);
            var expectedH = new List<double>();
            var expectedC = new List<double>();
            for (var b = 0; b < batch; b++)
            {
                var (hn, cn) = Step(kind, w, Row(x, b), Row(h, b), Row(c, b));
                expectedH.AddRange(hn);
                expectedC.AddRange(cn);
            }
            NnCheck.Close([.. expectedH], result[0], 1e-13, $"{kind} bias={bias} h'");
            if (kind == Kind.Lstm) NnCheck.Close([.. expectedC], result[1], 1e-13, $"{kind} bias={bias} c'");

            // Unbatched input gives the first row, and no state means zeros.
            var single = Run(cell, x.Select(0, 0), h.Select(0, 0), c.Select(0, 0));
            NnCheck.Close(expectedH.Take(hidden).ToArray(), single[0], 1e-13, $"{kind} unbatched");
            var fromZero = Run(cell, x, null, null);
            var (h0, _) = Step(kind, w, Row(x, 1), new double[hidden], new double[hidden]);
            NnCheck.Close(h0, fromZero[0].Select(0, 1), 1e-13, $"{kind} zero state");
        }
    }

    [TestMethod]
    [DataRow(Kind.RnnTanh, true)]
    [DataRow(Kind.RnnTanh, false)]
    [DataRow(Kind.RnnRelu, true)]
    [DataRow(Kind.RnnRelu, false)]
    [DataRow(Kind.Gru, true)]
    [DataRow(Kind.Gru, false)]
    [DataRow(Kind.Lstm, true)]
    [DataRow(Kind.Lstm, false)]
    public void GradientsMatchFiniteDifferences(Kind kind, bool fused)
    {
        var cell = Cell(kind, 3, 2);
        SetFused(cell, fused);
        var gen = new Generator(11);
        var x = Tensor.Randn([2, 3], DType.Float64, gen);
        var h = Tensor.Randn([2, 2], DType.Float64, gen);
        var c = Tensor.Randn([2, 2], DType.Float64, gen);
        var r = GradCheck.Run(ts => Tensor.Cat(Run(cell, ts[0], ts[1], ts[2]), 1), [x, h, c]);
        Assert.IsLessThanOrEqualTo(1e-6, r.MaxError, $"{kind} input and state gradients: {r}");
        NnCheck.ParameterGrads(cell, () => Tensor.Cat(Run(cell, x, h, c), 1));
    }

    [TestMethod]
    public void WeightMaskHidesEntriesFromOutputAndGradient()
    {
        var cell = (LstmCell)Cell(Kind.Lstm, 3, 2);
        var mask = Tensor.Bernoulli([8, 2], 0.5, DType.Float64, new Generator(4));
        cell.SetWeightMask("weight_hh", mask);
        var gen = new Generator(5);
        var x = Tensor.Randn([2, 3], DType.Float64, gen);
        var state = new LstmState(Tensor.Randn([2, 2], DType.Float64, gen), Tensor.Randn([2, 2], DType.Float64, gen));
        var before = cell.Forward(x, state).H;
        cell.Forward(x, state).H.Sum().Backward();
        var grad = cell.WeightHh.Grad!.ToArray<double>();
        var m = mask.ToArray<double>();
        for (var i = 0; i < m.Length; i++)
            if (m[i] == 0) Assert.AreEqual(0.0, grad[i], $"masked entry {i} got a gradient");
        Assert.IsTrue(grad.Where((g, i) => m[i] != 0).Any(g => g != 0), "unmasked entries get gradients");
        using (Autograd.NoGrad()) cell.WeightHh.Add_(Tensor.OnesLike(mask) - mask);
        Assert.IsTrue(cell.Forward(x, state).H.AllClose(before, 0, 0), "masked entries do not affect the output");
        cell.SetWeightMask("weight_hh", null);
        Assert.IsFalse(cell.Forward(x, state).H.AllClose(before), "removing the mask restores the weights");
    }

    [TestMethod]
    public void BadInputIsRejected()
    {
        var cell = new LstmCell(3, 4);
        var x = Tensor.Zeros(2, 3);
        var good = new LstmState(Tensor.Zeros(2, 4), Tensor.Zeros(2, 4));
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.Forward(Tensor.Zeros(2, 5), good)).Message, "[batch, 3]");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.Forward(Tensor.Zeros(1, 2, 3))).Message, "got shape (1,2,3)");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.Forward(x, good with { C = Tensor.Zeros(2, 5) })).Message, "c must have shape (2,4)");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.Forward(x, good with { H = Tensor.Zeros(3, 4) })).Message, "h must have shape (2,4)");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.Forward(x.Double(), null)).Message, "Float64");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new GruCell(3, 4).Forward(x, Tensor.Zeros(4))).Message, "hx must have shape (2,4)");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.SetWeightMask("weight_hh", Tensor.Ones(4, 4))).Message, "(16,4)");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => cell.SetWeightMask("bias_hh", Tensor.Ones(16))).Message, "weight_ih, weight_hh");
        Assert.Throws<ArgumentException>(() => new RnnCell(0, 4));
    }

    private static double[] Row(Tensor t, int b) => t.Select(0, b).ToArray<double>();
}
