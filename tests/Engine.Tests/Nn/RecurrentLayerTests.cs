using Engine.IO;
using Engine.Nn;
using Engine.Optim;
using static Engine.Tests.NnTests.RecurrentReference;

namespace Engine.Tests.NnTests;

/// <summary>RNN, GRU and LSTM layers: PyTorch's parameter names, values against plain double arithmetic for stacked
/// bidirectional networks with variable lengths, float64 gradient checks, the semantics of lengths, weight masks,
/// dropout, safetensors round trips, bad input, and a small training run.</summary>
[TestClass]
public sealed class RecurrentLayerTests
{
    private static Module Layer(Kind kind, int input, int hidden, int layers = 1, bool bidirectional = false, bool batchFirst = false,
        double dropout = 0, DType dtype = DType.Float64, ulong seed = 1) => kind switch
    {
        Kind.RnnTanh => new Rnn(input, hidden, layers, RnnNonlinearity.Tanh, true, batchFirst, dropout, bidirectional, dtype, generator: new Generator(seed)),
        Kind.RnnRelu => new Rnn(input, hidden, layers, RnnNonlinearity.Relu, true, batchFirst, dropout, bidirectional, dtype, generator: new Generator(seed)),
        Kind.Gru => new Gru(input, hidden, layers, true, batchFirst, dropout, bidirectional, dtype, generator: new Generator(seed)),
        _ => new Lstm(input, hidden, layers, true, batchFirst, dropout, bidirectional, dtype, generator: new Generator(seed)),
    };

    /// <summary>Output, h_n and (LSTM) c_n of a layer module.</summary>
    private static Tensor[] Run(Module m, Tensor x, Tensor? h0 = null, Tensor? c0 = null, Tensor? lengths = null) => m switch
    {
        Rnn r => r.Forward(x, h0, lengths) is var o ? [o.Output, o.HN] : [],
        Gru g => g.Forward(x, h0, lengths) is var o ? [o.Output, o.HN] : [],
        Lstm l => l.Forward(x, h0 is null ? null : new LstmState(h0, c0!), lengths) is var o ? [o.Output, o.HN, o.CN] : [],
        _ => throw new ArgumentException(m.TypeName),
    };

    /// <summary>Selects the fused CPU step kernels or the composed ops.</summary>
    private static void SetFused(Module m, bool fused) => ((IFusedRecurrence)m).FusedKernels = fused;

    [TestMethod]
    public void ParametersHavePyTorchNamesAndOrder()
    {
        NnCheck.StateDict(new Lstm(3, 5, numLayers: 2, bidirectional: true),
            ("weight_ih_l0", [20, 3]), ("weight_hh_l0", [20, 5]), ("bias_ih_l0", [20]), ("bias_hh_l0", [20]),
            ("weight_ih_l0_reverse", [20, 3]), ("weight_hh_l0_reverse", [20, 5]), ("bias_ih_l0_reverse", [20]), ("bias_hh_l0_reverse", [20]),
            ("weight_ih_l1", [20, 10]), ("weight_hh_l1", [20, 5]), ("bias_ih_l1", [20]), ("bias_hh_l1", [20]),
            ("weight_ih_l1_reverse", [20, 10]), ("weight_hh_l1_reverse", [20, 5]), ("bias_ih_l1_reverse", [20]), ("bias_hh_l1_reverse", [20]));
        NnCheck.StateDict(new Gru(3, 5, numLayers: 2, bias: false),
            ("weight_ih_l0", [15, 3]), ("weight_hh_l0", [15, 5]), ("weight_ih_l1", [15, 5]), ("weight_hh_l1", [15, 5]));
        NnCheck.StateDict(new Rnn(3, 5), ("weight_ih_l0", [5, 3]), ("weight_hh_l0", [5, 5]), ("bias_ih_l0", [5]), ("bias_hh_l0", [5]));
        Assert.AreEqual("LSTM(3, 5, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)",
            new Lstm(3, 5, 2, batchFirst: true, dropout: 0.5, bidirectional: true).ToString());
        Assert.AreEqual("GRU(3, 5)", new Gru(3, 5).ToString());
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
    public void StackedBidirectionalWithLengthsMatchesPlainArithmetic(Kind kind, bool fused)
    {
        const int steps = 5, batch = 3, input = 2, hidden = 3, layers = 2;
        var m = Layer(kind, input, hidden, layers, bidirectional: true);
        SetFused(m, fused);
        var gen = new Generator(21);
        var x = Tensor.Randn([steps, batch, input], DType.Float64, gen);
        var h0 = Tensor.Randn([layers * 2, batch, hidden], DType.Float64, gen);
        var c0 = Tensor.Randn([layers * 2, batch, hidden], DType.Float64, gen);
        int[] lengths = [5, 2, 4];
        var result = Run(m, x, h0, c0, Tensor.FromArray(lengths.Select(v => (long)v).ToArray()));
        var expected = RecurrentReference.Run(kind, m, layers, true, input, hidden, Nest(x.ToArray<double>(), steps, batch, input), lengths,
            Nest(h0.ToArray<double>(), layers * 2, batch, hidden), Nest(c0.ToArray<double>(), layers * 2, batch, hidden));
        CollectionAssert.AreEqual(new[] { steps, batch, 2 * hidden }, result[0].Shape.ToArray());
        NnCheck.Close(Flatten(expected.Output), result[0], 1e-12, $"{kind} output");
        NnCheck.Close(Flatten(expected.H), result[1], 1e-12, $"{kind} h_n");
        if (kind == Kind.Lstm) NnCheck.Close(Flatten(expected.C), result[2], 1e-12, $"{kind} c_n");

        // Without lengths or initial state: every sequence runs all steps from zeros.
        var full = Run(m, x);
        var expectedFull = RecurrentReference.Run(kind, m, layers, true, input, hidden, Nest(x.ToArray<double>(), steps, batch, input), [steps, steps, steps]);
        NnCheck.Close(Flatten(expectedFull.Output), full[0], 1e-12, $"{kind} full output");
        NnCheck.Close(Flatten(expectedFull.H), full[1], 1e-12, $"{kind} full h_n");
    }

    [TestMethod]
    public void BatchFirstAndUnbatchedInputAgreeWithTimeMajor()
    {
        var timeMajor = (Gru)Layer(Kind.Gru, 2, 3, 2, bidirectional: true);
        var batchFirst = (Gru)Layer(Kind.Gru, 2, 3, 2, bidirectional: true, batchFirst: true);
        var x = Tensor.Randn([4, 3, 2], DType.Float64, new Generator(2));
        var reference = timeMajor.Forward(x);
        var bf = batchFirst.Forward(x.Transpose(0, 1));
        Assert.IsTrue(bf.Output.Transpose(0, 1).AllClose(reference.Output, 0, 1e-14), "batch-first output");
        Assert.IsTrue(bf.HN.AllClose(reference.HN, 0, 1e-14), "batch-first h_n stays [L*D, B, H]");
        var lengths = Tensor.FromArray(new long[] { 4, 4, 4 });
        Assert.IsTrue(timeMajor.Forward(x, lengths: lengths).Output.AllClose(reference.Output, 0, 0), "full lengths change nothing");
        var single = timeMajor.Forward(x.Select(1, 2));
        CollectionAssert.AreEqual(new[] { 4, 6 }, single.Output.Shape.ToArray());
        Assert.IsTrue(single.Output.AllClose(reference.Output.Select(1, 2), 0, 1e-14), "unbatched output");
        Assert.IsTrue(single.HN.AllClose(reference.HN.Select(1, 2), 0, 1e-14), "unbatched h_n");
    }

    [TestMethod]
    [DataRow(Kind.RnnTanh, true)]
    [DataRow(Kind.RnnTanh, false)]
    [DataRow(Kind.Gru, true)]
    [DataRow(Kind.Gru, false)]
    [DataRow(Kind.Lstm, true)]
    [DataRow(Kind.Lstm, false)]
    public void BidirectionalStackedMaskedGradientsMatchFiniteDifferences(Kind kind, bool fused)
    {
        const int steps = 4, batch = 2, input = 2, hidden = 2, layers = 2;
        var m = Layer(kind, input, hidden, layers, bidirectional: true);
        SetFused(m, fused);
        var gen = new Generator(31);
        var x = Tensor.Randn([steps, batch, input], DType.Float64, gen);
        var h0 = Tensor.Randn([layers * 2, batch, hidden], DType.Float64, gen);
        var c0 = Tensor.Randn([layers * 2, batch, hidden], DType.Float64, gen);
        var lengths = Tensor.FromArray(new long[] { 4, 2 });
        var weights = Enumerable.Range(0, 3).Select(_ => Tensor.Randn([64], DType.Float64, gen)).ToArray();

        // A scalar of every output and final state, with fixed random weights.
        Tensor Loss(Tensor[] r) => r.Select((t, i) => (t * weights[i].Narrow(0, 0, t.Numel).Reshape(t.Shape.ToArray())).Sum()).Aggregate((a, b) => a + b);
        var check = GradCheck.Run(ts => Loss(Run(m, ts[0], ts[1], ts[2], lengths)), [x, h0, c0]);
        Assert.IsLessThanOrEqualTo(1e-6, check.MaxError, $"{kind} input and initial-state gradients: {check}");
        NnCheck.ParameterGrads(m, () => Loss(Run(m, x, h0, c0, lengths)));
    }

    [TestMethod]
    [DataRow(Kind.RnnTanh)]
    [DataRow(Kind.Gru)]
    [DataRow(Kind.Lstm)]
    public void SecondDerivativesMatchFiniteDifferencesOfTheGradient(Kind kind)
    {
        // d/dx of the input gradient of sum(output) (createGraph), through the composed path with lengths.
        var m = Layer(kind, 2, 2, 1, bidirectional: true);
        SetFused(m, false);
        var lengths = Tensor.FromArray(new long[] { 3, 2 });
        var x = Tensor.Randn([3, 2, 2], DType.Float64, new Generator(41));
        Tensor InputGradient(Tensor input)
        {
            // The finite differences evaluate under no-grad with plain tensors: differentiate a leaf copy then.
            var leaf = input.RequiresGrad ? input : input.Detach().RequiresGrad_();
            using (Autograd.EnableGrad()) return Autograd.Grad(Run(m, leaf, lengths: lengths)[0].Square().Sum(), leaf, createGraph: true);
        }
        var check = GradCheck.Run(ts => InputGradient(ts[0]), [x]);
        Assert.IsLessThanOrEqualTo(1e-6, check.MaxError, $"{kind}: {check}");

        SetFused(m, true);
        if (kind != Kind.RnnTanh)
        {
            var leaf = x.Clone().RequiresGrad_();
            StringAssert.Contains(Assert.Throws<NotSupportedException>(() => Autograd.Grad(Run(m, leaf)[0].Sum(), leaf, createGraph: true)).Message,
                "FusedKernels = false");
        }
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void RetainedGraphGivesTheSameGradientsTwice(bool fused)
    {
        // The shared per-direction gradient buffers start afresh for each backward pass.
        var m = (Gru)Layer(Kind.Gru, 2, 3, 2, bidirectional: true);
        m.FusedKernels = fused;
        var x = Tensor.Randn([5, 2, 2], DType.Float64, new Generator(3)).RequiresGrad_();
        var loss = m.Forward(x, null, Tensor.FromArray(new long[] { 5, 3 })).Output.Square().Sum();
        loss.Backward(retainGraph: true);
        var first = m.Parameters().Select(p => p.Grad!.Clone()).Append(x.Grad!.Clone()).ToArray();
        m.ZeroGrad();
        x.Grad = null;
        loss.Backward();
        var second = m.Parameters().Select(p => p.Grad!).Append(x.Grad!).ToArray();
        for (var i = 0; i < first.Length; i++) Assert.IsTrue(first[i].AllClose(second[i], 0, 0), $"gradient {i}");
    }

    [TestMethod]
    public void FusedStepsRunAsOneNodeOnTheCpu()
    {
        var x = Tensor.Randn([3, 2, 2], DType.Float32, new Generator(3));
        var lstm = new Lstm(2, 3);
        CollectionAssert.Contains(GraphNodeNames(lstm.Forward(x).Output), "LstmCell");
        lstm.FusedKernels = false;
        CollectionAssert.DoesNotContain(GraphNodeNames(lstm.Forward(x).Output), "LstmCell");
        CollectionAssert.Contains(GraphNodeNames(new Gru(2, 3).Forward(x).Output), "GruCell");
    }

    [TestMethod]
    [DataRow(Kind.Gru)]
    [DataRow(Kind.Lstm)]
    public void Float32FusedStepsAgreeWithComposedOps(Kind kind)
    {
        var x = Tensor.Randn([6, 3, 4], DType.Float32, new Generator(13));
        var lengths = Tensor.FromArray(new[] { 6, 2, 5 });
        (Tensor[] Results, Tensor[] Grads) Evaluate(bool fused)
        {
            var m = Layer(kind, 4, 5, 2, bidirectional: true, dtype: DType.Float32, seed: 9);
            SetFused(m, fused);
            var r = Run(m, x, lengths: lengths);
            r.Aggregate(Tensor.Scalar(0.0), (acc, t) => acc + t.Square().Sum()).Backward();
            return (r, m.Parameters().Select(p => p.Grad!).ToArray());
        }
        var (fusedResults, fusedGrads) = Evaluate(true);
        var (composedResults, composedGrads) = Evaluate(false);
        for (var i = 0; i < fusedResults.Length; i++)
            Assert.IsTrue(fusedResults[i].AllClose(composedResults[i], 1e-5, 1e-6), $"{kind} result {i}");
        for (var i = 0; i < fusedGrads.Length; i++)
            Assert.IsTrue(fusedGrads[i].AllClose(composedGrads[i], 1e-4, 1e-5), $"{kind} gradient {i}");
    }

    private static List<string> GraphNodeNames(Tensor t)
    {
        var names = new List<string>();
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        if (t.GradFn is { } root) stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            names.Add(node.Name);
            foreach (var input in node.Inputs)
                if (input.GradFn is { } next) stack.Push(next);
        }
        return names;
    }

    [TestMethod]
    public void ReluRnnGradientsMatchFiniteDifferences()
    {
        var m = Layer(Kind.RnnRelu, 2, 3, 1, bidirectional: true);
        var x = Tensor.Randn([3, 2, 2], DType.Float64, new Generator(8));
        var check = GradCheck.Run(ts => Run(m, ts[0], lengths: Tensor.FromArray(new long[] { 3, 1 }))[0], [x]);
        Assert.IsLessThanOrEqualTo(1e-6, check.MaxError, check.ToString());
    }

    [TestMethod]
    [DataRow(Kind.Gru)]
    [DataRow(Kind.Lstm)]
    public void LengthsTruncateEachSequence(Kind kind)
    {
        const int steps = 6, hidden = 3;
        var m = Layer(kind, 2, hidden, 1, bidirectional: true);
        var x = Tensor.Randn([steps, 3, 2], DType.Float64, new Generator(9));
        long[] lengths = [6, 3, 1];
        var r = Run(m, x, lengths: Tensor.FromArray(lengths));
        for (var b = 0; b < lengths.Length; b++)
        {
            var len = (int)lengths[b];
            // Past its end a sequence outputs zeros in both directions.
            if (len < steps) Assert.AreEqual(0.0, r[0].Narrow(0, len, steps - len).Select(1, b).Abs().Max().Item(), $"sequence {b}: zeros past the end");
            // Its own truncated sequence run alone gives the same outputs and final states (both directions).
            var alone = Run(m, x.Narrow(0, 0, len).Narrow(1, b, 1));
            Assert.IsTrue(alone[0].Select(1, 0).AllClose(r[0].Narrow(0, 0, len).Select(1, b), 0, 1e-13), $"sequence {b}: outputs");
            for (var i = 1; i < r.Length; i++)
                Assert.IsTrue(alone[i].Select(1, 0).AllClose(r[i].Select(1, b), 0, 1e-13), $"sequence {b}: final state {i}");
        }

        // The backward direction equals a forward pass, with the reverse weights, over the reversed truncated sequence.
        var forwardOnly = Layer(kind, 2, hidden);
        var state = m.StateDict();
        forwardOnly.LoadStateDict(forwardOnly.StateDict().Keys.ToDictionary(k => k, k => state[k + "_reverse"]));
        for (var b = 0; b < lengths.Length; b++)
        {
            var len = (int)lengths[b];
            var reversed = Tensor.Stack(Enumerable.Range(0, len).Select(t => x.Select(0, len - 1 - t).Narrow(0, b, 1)).ToArray(), 0);
            var f = Run(forwardOnly, reversed);
            for (var t = 0; t < len; t++)
                Assert.IsTrue(f[0].Select(0, len - 1 - t).Select(0, 0).AllClose(r[0].Select(0, t).Select(0, b).Narrow(0, hidden, hidden), 0, 1e-13),
                    $"sequence {b}, step {t}: reverse output");
            Assert.IsTrue(f[1].Select(0, 0).Select(0, 0).AllClose(r[1].Select(0, 1).Select(0, b), 0, 1e-13), $"sequence {b}: reverse h_n");
        }
    }

    [TestMethod]
    public void WeightMasksHideEntriesFromOutputAndGradient()
    {
        var m = (Lstm)Layer(Kind.Lstm, 3, 4, 2, bidirectional: true);
        var gen = new Generator(12);
        var masks = new[] { "weight_ih_l0", "weight_hh_l1_reverse" }.ToDictionary(n => n,
            n => Tensor.Bernoulli(m.StateDict()[n].Shape.ToArray(), 0.5, DType.Float64, gen));
        foreach (var (name, mask) in masks) m.SetWeightMask(name, mask);
        CollectionAssert.AreEquivalent(masks.Keys.ToArray(), m.WeightMasks.Keys.ToArray());
        var x = Tensor.Randn([5, 2, 3], DType.Float64, gen);
        var before = m.Forward(x);
        m.ZeroGrad();
        (before.Output.Sum() + before.CN.Sum()).Backward();
        var parameters = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, mask) in masks)
        {
            var grad = parameters[name].Grad!.ToArray<double>();
            var keep = mask.ToArray<double>();
            for (var i = 0; i < keep.Length; i++)
                if (keep[i] == 0) Assert.AreEqual(0.0, grad[i], $"{name}[{i}] is masked but got a gradient");
            Assert.IsTrue(grad.Where((g, i) => keep[i] != 0).Any(g => g != 0), $"{name}: kept entries get gradients");
            using (Autograd.NoGrad()) parameters[name].Add_((1 - mask) * 5);
        }
        var after = m.Forward(x);
        Assert.IsTrue(after.Output.AllClose(before.Output, 0, 0) && after.HN.AllClose(before.HN, 0, 0), "masked entries do not affect the output");
        Assert.IsNotNull(m.GetWeightMask("weight_ih_l0"));
        Assert.IsEmpty(m.StateDict().Keys.Where(k => k.Contains("mask")), "masks stay out of the state dict");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => m.SetWeightMask("bias_ih_l0", Tensor.Ones(16))).Message, "weight_hh_l1_reverse");
    }

    [TestMethod]
    [DataRow(Kind.RnnTanh)]
    [DataRow(Kind.Gru)]
    [DataRow(Kind.Lstm)]
    public void StateDictRoundTripsThroughSafetensors(Kind kind)
    {
        var source = Layer(kind, 3, 4, 2, bidirectional: true, dtype: DType.Float32, seed: 1);
        var target = Layer(kind, 3, 4, 2, bidirectional: true, dtype: DType.Float32, seed: 2);
        var loaded = Safetensors.Deserialize(Safetensors.Serialize(source.StateDict()));
        CollectionAssert.AreEquivalent(source.StateDict().Keys.ToArray(), loaded.Tensors.Keys.ToArray());
        target.LoadStateDict(loaded.Tensors);
        var x = Tensor.Randn([5, 2, 3], DType.Float32, new Generator(3));
        var a = Run(source, x);
        var b = Run(target, x);
        for (var i = 0; i < a.Length; i++) Assert.IsTrue(a[i].Equal(b[i]), $"{kind}: result {i} after the round trip");
    }

    [TestMethod]
    public void DropoutActsBetweenLayersInTrainingOnly()
    {
        var withDropout = (Lstm)Layer(Kind.Lstm, 3, 8, 2, dropout: 0.5, seed: 4);
        var plain = (Lstm)Layer(Kind.Lstm, 3, 8, 2, seed: 4);
        var x = Tensor.Randn([4, 2, 3], DType.Float64, new Generator(6));
        Assert.IsFalse(withDropout.Forward(x).Output.AllClose(plain.Forward(x).Output), "training mode drops units between layers");
        withDropout.Eval();
        Assert.IsTrue(withDropout.Forward(x).Output.AllClose(plain.Forward(x).Output, 0, 0), "evaluation mode is deterministic and undropped");

        // With one layer there is nothing between layers to drop.
        var single = (Gru)Layer(Kind.Gru, 3, 8, 1, dropout: 0.5, seed: 4);
        Assert.IsTrue(single.Forward(x).Output.AllClose(((Gru)Layer(Kind.Gru, 3, 8, 1, seed: 4)).Forward(x).Output, 0, 0));
    }

    [TestMethod]
    public void ConvertedModuleKeepsItsWeightsAndMasks()
    {
        var lstm = new Lstm(2, 3, generator: new Generator(5));
        lstm.SetWeightMask("weight_hh_l0", Tensor.Bernoulli([12, 3], 0.5, DType.Float32, new Generator(6)));
        var x = Tensor.Randn([4, 2, 2], DType.Float32, new Generator(7));
        var single = lstm.Forward(x).Output;
        lstm.Double();
        var twice = lstm.Forward(x.Double()).Output;
        Assert.AreEqual(DType.Float64, twice.DType);
        Assert.IsTrue(twice.To(DType.Float32).AllClose(single, 1e-5, 1e-6), "the same network in float64");
        Assert.AreEqual(DType.Float64, lstm.GetWeightMask("weight_hh_l0")!.DType, "the mask follows the weights");
    }

    [TestMethod]
    public void LayerEqualsSteppingTheCell()
    {
        var layer = new Lstm(3, 4, dtype: DType.Float64, generator: new Generator(1));
        var cell = new LstmCell(3, 4, dtype: DType.Float64);
        var state = layer.StateDict();
        cell.LoadStateDict(cell.StateDict().Keys.ToDictionary(k => k, k => state[k + "_l0"]));
        var x = Tensor.Randn([6, 2, 3], DType.Float64, new Generator(2));
        var result = layer.Forward(x);
        LstmState? s = null;
        for (var t = 0; t < 6; t++)
        {
            s = cell.Forward(x.Select(0, t), s);
            Assert.IsTrue(s.Value.H.AllClose(result.Output.Select(0, t), 0, 1e-14), $"step {t}");
        }
        Assert.IsTrue(s!.Value.C.AllClose(result.CN.Select(0, 0), 0, 1e-14));
    }

    [TestMethod]
    public void BadInputIsRejected()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, bidirectional: true);
        var x = Tensor.Zeros(5, 2, 3);
        var good = new LstmState(Tensor.Zeros(4, 2, 4), Tensor.Zeros(4, 2, 4));
        string Message(Action a) => Assert.Throws<ArgumentException>(a).Message;
        StringAssert.Contains(Message(() => lstm.Forward(Tensor.Zeros(5, 2, 7))), "input has 7 features (shape (5,2,7)) but input_size is 3");
        StringAssert.Contains(Message(() => lstm.Forward(Tensor.Zeros(5, 2, 1, 3))), "got shape (5,2,1,3)");
        StringAssert.Contains(Message(() => lstm.Forward(Tensor.Zeros(3))), "3-D [seq_len, batch, 3]");
        StringAssert.Contains(Message(() => lstm.Forward(x, good with { H = Tensor.Zeros(2, 2, 4) })), "h0 must have shape (4,2,4)");
        StringAssert.Contains(Message(() => lstm.Forward(x, good with { C = Tensor.Zeros(4, 3, 4) })), "c0 must have shape (4,2,4)");
        StringAssert.Contains(Message(() => new Gru(3, 4).Forward(x, Tensor.Zeros(1, 2, 5))), "h0 must have shape (1,2,4)");
        StringAssert.Contains(Message(() => lstm.Forward(x, null, Tensor.FromArray(new long[] { 5, 6 }))), "lengths[1] = 6 is outside [1, 5]");
        StringAssert.Contains(Message(() => lstm.Forward(x, null, Tensor.FromArray(new long[] { 0, 5 }))), "lengths[0] = 0 is outside [1, 5]");
        StringAssert.Contains(Message(() => lstm.Forward(x, null, Tensor.FromArray(new[] { -1, 5 }))), "lengths[0] = -1");
        StringAssert.Contains(Message(() => lstm.Forward(x, null, Tensor.FromArray(new long[] { 5, 5, 5 }))), "lengths must have shape (2)");
        StringAssert.Contains(Message(() => lstm.Forward(x, null, Tensor.FromArray(new[] { 5.0, 5.0 }))), "lengths must be Int64 or Int32");
        StringAssert.Contains(Message(() => lstm.Forward(Tensor.Zeros(5, 3), null, Tensor.FromArray(new long[] { 5 }))), "batched input");
        StringAssert.Contains(Message(() => lstm.Forward(x.Double())), "Float64");
        StringAssert.Contains(Message(() => new Rnn(3, 4, batchFirst: true).Forward(Tensor.Zeros(3))), "[batch, seq_len, 3]");
        Assert.Throws<ArgumentException>(() => new Gru(3, 4, dropout: 1.5));
        Assert.Throws<ArgumentException>(() => new Rnn(3, 4, numLayers: 0));
    }

    [TestMethod]
    public void LstmLearnsToCountOnes()
    {
        // Sequences of 12 bits of variable length; the target is the number of ones, read from h_n by a linear layer.
        const int steps = 12, batch = 64;
        var gen = new Generator(17);
        var lstm = new Lstm(1, 16, generator: gen);
        var head = new Linear(16, 1, generator: gen);
        var optimizer = new Adam(lstm.Parameters().Concat(head.Parameters()), lr: 0.02);
        double Evaluate(bool train)
        {
            var bits = Tensor.Bernoulli([steps, batch, 1], 0.5, DType.Float32, gen);
            var lengths = Tensor.RandInt(1, steps + 1, [batch], generator: gen);
            var valid = Tensor.Arange(steps).Unsqueeze(1).Lt(lengths.Unsqueeze(0)).To(DType.Float32).Unsqueeze(2);
            var target = (bits * valid).Sum(0);
            var loss = (head.Forward(lstm.Forward(bits, null, lengths).HN.Select(0, 0)) - target).Square().Mean();
            if (train)
            {
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
            return loss.Item();
        }
        var initial = Enumerable.Range(0, 5).Average(_ => Evaluate(false));
        for (var i = 0; i < 300; i++) Evaluate(true);
        var final = Enumerable.Range(0, 5).Average(_ => Evaluate(false));
        // The count has variance ~ 3 (random length and bits); a trained counter is off by well under one.
        Assert.IsLessThan(0.05, final, $"mean squared error {final} after training (before: {initial})");
    }
}
