using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>Maps a convex solution to the two-layer ReLU network it describes, and evaluates that network's
/// regularised (nonconvex) objective.</summary>
public static class Recovery
{
    /// <summary>Linear(d -&gt; m) -&gt; ReLU -&gt; Linear(m -&gt; 1) as a float64 <see cref="Sequential"/> with
    /// parameters 0.weight, (0.bias), 2.weight, 2.bias: one hidden neuron per nonzero u_i, with input weights
    /// u_i / sqrt(||u_i||) and output weight +sqrt(||u_i||), then one per nonzero z_i with -sqrt(||z_i||). The
    /// scaling balances the two layers, so beta/2 (||w1||^2 + w2^2) = beta ||u_i||: the network's regularised
    /// objective equals the convex one. Where the cone constraints hold, relu(X u_i) = D_i X u_i and the network
    /// reproduces the convex predictions on the training set. With <paramref name="biasColumnLast"/>, X's last
    /// column is the constant 1: the network takes the other d - 1 columns and the last weight of each neuron
    /// becomes 0.bias. 2.bias is 0 (the convex model has no output bias). With no nonzero block the network has
    /// one neuron whose weights are all zero.</summary>
    public static Sequential ToNetwork(ConvexSolution s, bool biasColumnLast = false)
    {
        ArgumentNullException.ThrowIfNull(s);
        var d = s.U.Shape[0];
        if (biasColumnLast && d < 2)
            throw new ArgumentException($"Recovery.ToNetwork: a bias column needs at least one other column; got d = {d}");
        var neurons = Neurons(s.U, +1).Concat(Neurons(s.Z, -1)).ToList();
        var m = Math.Max(neurons.Count, 1);
        var inputs = biasColumnLast ? d - 1 : d;
        var weight = new double[m * inputs];
        var bias = new double[m];
        var output = new double[m];
        for (var h = 0; h < neurons.Count; h++)
        {
            var (w, outWeight) = neurons[h];
            Array.Copy(w, 0, weight, h * inputs, inputs);
            if (biasColumnLast) bias[h] = w[d - 1];
            output[h] = outWeight;
        }
        var hidden = new Linear(inputs, m, bias: biasColumnLast, dtype: DType.Float64);
        var readout = new Linear(m, 1, dtype: DType.Float64);
        using (Autograd.NoGrad())
        {
            hidden.Weight.CopyFrom_(Tensor.Wrap(weight, m, inputs));
            hidden.Bias?.CopyFrom_(Tensor.Wrap(bias, m));
            readout.Weight.CopyFrom_(Tensor.Wrap(output, 1, m));
            readout.Bias!.Zero_();
        }
        return new Sequential(hidden, new Relu(), readout);
    }

    /// <summary>loss(f(x), y) + beta/2 * (sum of squares of every parameter except the output layer's bias), with
    /// the loss of <see cref="ConvexObjective"/>. The hidden bias is a weight of the convex model (its bias
    /// column), so it is penalised; the output bias has no convex counterpart, so it is not. The output layer is
    /// the last <see cref="Linear"/> of <paramref name="net"/>; f(x) must be [n] or [n, 1].</summary>
    public static double NonconvexObjective(Module net, Tensor x, Tensor y, double beta, ConvexLoss loss)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (net is not Module<Tensor, Tensor> model)
            throw new ArgumentException($"Recovery.NonconvexObjective: the network must map a tensor to a tensor; got {net.TypeName}");
        using var _ = Autograd.NoGrad();
        var f = model.Forward(x);
        if (!(f.Rank == 1 || f.Rank == 2 && f.Shape[1] == 1))
            throw new ArgumentException($"Recovery.NonconvexObjective: the network must output [n] or [n, 1]; got {Shape.Format(f.Shape.ToArray())}");
        var outputBias = net.Modules().OfType<Linear>().LastOrDefault()?.Bias;
        var squares = net.Parameters().Where(p => !ReferenceEquals(p, outputBias)).Sum(p => p.Square().Sum().Item());
        return ConvexObjective.Loss(loss, f.Reshape(-1).To(DType.Float64), y) + beta / 2 * squares;
    }

    /// <summary>(input weights, output weight) of the neuron of each nonzero column.</summary>
    private static IEnumerable<(double[] Weights, double Output)> Neurons(Tensor blocks, int sign)
    {
        var (d, p) = (blocks.Shape[0], blocks.Shape[1]);
        var data = blocks.ToArray<double>();
        var norms = ConvexSolution.ColumnNorms(blocks);
        for (var i = 0; i < p; i++)
        {
            if (norms[i] == 0) continue;
            var scale = Math.Sqrt(norms[i]);
            var w = new double[d];
            for (var j = 0; j < d; j++) w[j] = data[j * p + i] / scale;
            yield return (w, sign * scale);
        }
    }
}
