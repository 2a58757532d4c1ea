namespace Engine.Nn;

/// <summary>Weight initialisation as torch.nn.init: in place, under no-grad, from a Generator (the default one when
/// none is given). Fan-in/out follow PyTorch: for a weight [out, in, k...], fan_in = in * prod(k).</summary>
public static class Init
{
    public enum FanMode
    {
        FanIn,
        FanOut,
    }

    /// <summary>PyTorch's calculate_gain for the named nonlinearity.</summary>
    public static double CalculateGain(string nonlinearity, double param = 0.01) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"CalculateGain: unknown nonlinearity '{nonlinearity}'; expected linear, sigmoid, tanh, relu, leaky_relu or selu"),
    };

    public static (int FanIn, int FanOut) Fans(Tensor t)
    {
        if (t.Rank < 2)
            throw new ArgumentException($"Init: fan in and fan out need a tensor with at least 2 dims; got shape {Shape.Format(t.Shape)}");
        var receptive = 1;
        for (var i = 2; i < t.Rank; i++) receptive *= t.Size(i);
        return (t.Size(1) * receptive, t.Size(0) * receptive);
    }

    public static Tensor Uniform_(Tensor t, double low = 0, double high = 1, Generator? generator = null)
    {
        using (Autograd.NoGrad()) return t.Uniform_(low, high, generator);
    }

    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
    {
        using (Autograd.NoGrad()) return t.Normal_(mean, std, generator);
    }

    public static Tensor Constant_(Tensor t, double value)
    {
        using (Autograd.NoGrad()) return t.Fill_(value);
    }

    public static Tensor Zeros_(Tensor t) => Constant_(t, 0);

    public static Tensor Ones_(Tensor t) => Constant_(t, 1);

    /// <summary>U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t);
        var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform_(t, -bound, bound, generator);
    }

    public static Tensor XavierNormal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t);
        return Normal_(t, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>U(-b, b) with b = gain * sqrt(3 / fan), gain from the nonlinearity and a (PyTorch's default layers use
    /// a = sqrt(5) with leaky_relu, which gives b = 1 / sqrt(fan_in)).</summary>
    public static Tensor KaimingUniform_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        var bound = KaimingStd(t, a, mode, nonlinearity) * Math.Sqrt(3.0);
        return Uniform_(t, -bound, bound, generator);
    }

    public static Tensor KaimingNormal_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
        => Normal_(t, 0, KaimingStd(t, a, mode, nonlinearity), generator);

    private static double KaimingStd(Tensor t, double a, FanMode mode, string nonlinearity)
    {
        var (fanIn, fanOut) = Fans(t);
        var fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ArgumentException($"Init: cannot initialise a tensor with zero elements (shape {Shape.Format(t.Shape)})");
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>A (semi-)orthogonal matrix from the QR decomposition of a normal matrix, with signs fixed as PyTorch
    /// (Q * sign(diag R)), scaled by gain; tensors with more dims are flattened to [rows, rest].</summary>
    public static Tensor Orthogonal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        if (t.Rank < 2) throw new ArgumentException($"Orthogonal_: needs at least 2 dims; got shape {Shape.Format(t.Shape)}");
        var rows = t.Size(0);
        var cols = t.Numel / Math.Max(rows, 1);
        var transposed = rows < cols;
        int m = transposed ? cols : rows, n = transposed ? rows : cols;
        var a = Tensor.Randn([m, n], DType.Float64, generator).ToArray<double>();
        // Modified Gram-Schmidt on the columns of a (m >= n): Q [m, n], R diagonal signs.
        var q = new double[m * n];
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < m; i++) q[i * n + j] = a[i * n + j];
            for (var k = 0; k < j; k++)
            {
                double dot = 0;
                for (var i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
                for (var i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
            }
            double norm = 0;
            for (var i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.Sqrt(norm);
            // R[j,j] = norm > 0, so sign(diag R) = +1 and Q needs no flip; a zero column would be degenerate.
            for (var i = 0; i < m; i++) q[i * n + j] = norm > 0 ? q[i * n + j] / norm : 0;
        }
        var result = Tensor.FromArray(q, m, n);
        if (transposed) result = result.T.Contiguous();
        using (Autograd.NoGrad()) t.CopyFrom_((result * gain).Reshape(t.Shape.ToArray()).To(t.DType));
        return t;
    }
}
