using Engine.Nn;

namespace Engine.Lab.Convex;

/// <summary>A two-layer ReLU network lifted onto the convex program: its neurons' activation patterns, followed by
/// further patterns, and the program point that predicts exactly what the network predicts on the training set.</summary>
public sealed record LiftedNetwork(PatternSet Patterns, ConvexSolution Point, int NeuronPatterns);

/// <summary>The inverse of <see cref="Recovery"/>: a network x -&gt; sum_j a_j (w_j^T x)_+ becomes the point with
/// u_i = sum of a_j w_j over the neurons j with a_j &gt; 0 whose pattern on X is D_i, and z_i the same with -a_j for
/// a_j &lt; 0. Each a_j w_j lies in its pattern's cone, and a cone is convex, so the point is feasible; its
/// predictions equal the network's on X, and its regulariser is at most the network's weight decay
/// (beta ||a_j w_j|| &lt;= beta/2 (a_j^2 + ||w_j||^2)), so its objective is at most the network's. Neurons whose
/// pattern is all zero contribute nothing on X and are dropped. Used to start ADMM from a briefly trained network:
/// its patterns are the ones gradient descent found useful, which random gates in tens of dimensions rarely give.</summary>
public static class NetworkLift
{
    /// <param name="x">Training inputs [n, d] float64 (bias column included).</param>
    /// <param name="network">Linear(d, m, no bias) -&gt; ReLU -&gt; Linear(m, 1, no bias), float64.</param>
    /// <param name="extraGates">Optional [d, G] gates whose patterns follow the neurons' (duplicates dropped).</param>
    /// <param name="limit">At most this many patterns in all.</param>
    public static LiftedNetwork Lift(Tensor x, Sequential network, Tensor? extraGates = null, int limit = int.MaxValue)
    {
        const string op = "NetworkLift.Lift";
        var (n, d) = PatternSet.CheckData(x, op);
        ArgumentNullException.ThrowIfNull(network);
        if (network.Count != 3 || network[0] is not Linear { Bias: null } first || network[1] is not Relu || network[2] is not Linear { Bias: null, OutFeatures: 1 } second
            || first.InFeatures != d || first.Weight.DType != DType.Float64)
            throw new ArgumentException($"{op}: expected a float64 Linear({d}, m, no bias) -> ReLU -> Linear(m, 1, no bias); got {network}");
        using var _ = Autograd.NoGrad();
        var w1 = first.Weight.Detach();
        var a = second.Weight.Detach().Reshape(-1).ToArray<double>();
        var gates = extraGates is null ? w1.T.Contiguous() : Tensor.Cat([w1.T, extraGates], 1).Contiguous();
        var patterns = PatternSet.FromGates(x, gates, limit);
        // Each neuron's pattern index, by its mask's bits.
        var index = new Dictionary<string, int>();
        var masks = patterns.Masks.ToArray<double>();
        var p = patterns.Count;
        for (var i = 0; i < p; i++)
            index.TryAdd(Key(k => masks[k * p + i] != 0, n), i);
        var xw = x.Matmul(w1.T).ToArray<double>();
        var weights = w1.ToArray<double>();
        var (u, z) = (new double[d * p], new double[d * p]);
        var neuronPatterns = new HashSet<int>();
        var m = a.Length;
        for (var j = 0; j < m; j++)
        {
            if (!index.TryGetValue(Key(k => xw[k * m + j] >= 0, n), out var i)) continue; // all-zero pattern or cut by the limit
            neuronPatterns.Add(i);
            var target = a[j] > 0 ? u : z;
            for (var c = 0; c < d; c++) target[c * p + i] += Math.Abs(a[j]) * weights[j * d + c];
        }
        return new LiftedNetwork(patterns, new ConvexSolution(Tensor.Wrap(u, d, p), Tensor.Wrap(z, d, p)), neuronPatterns.Count);
    }

    private static string Key(Func<int, bool> active, int n) => string.Create(n, active, (span, f) =>
    {
        for (var k = 0; k < span.Length; k++) span[k] = f(k) ? '1' : '0';
    });
}
