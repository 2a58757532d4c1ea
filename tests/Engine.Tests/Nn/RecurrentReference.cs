using Engine.Nn;

namespace Engine.Tests.NnTests;

/// <summary>The recurrent cell types the tests run through.</summary>
public enum Kind
{
    RnnTanh,
    RnnRelu,
    Gru,
    Lstm,
}

/// <summary>PyTorch's recurrent equations in plain double arithmetic, written from the torch.nn documentation
/// independently of the engine: the values the recurrent modules are checked against.</summary>
internal static class RecurrentReference
{
    /// <summary>A cell's parameters as row-major arrays: Wih [G*H, I], Whh [G*H, H], biases [G*H] (null: no bias).</summary>
    public sealed record Weights(double[] Wih, double[] Whh, double[]? Bih, double[]? Bhh, int Input, int Hidden);

    public static Weights Read(Module m, string suffix, int input, int hidden)
    {
        var p = m.NamedParameters().ToDictionary(n => n.Name, n => n.Parameter);
        double[]? Get(string name) => p.TryGetValue(name + suffix, out var t) ? t.ToArray<double>() : null;
        return new Weights(Get("weight_ih")!, Get("weight_hh")!, Get("bias_ih"), Get("bias_hh"), input, hidden);
    }

    /// <summary>One step: (h', c') from x [I], h [H], c [H] (c ignored but for the LSTM).</summary>
    public static (double[] H, double[] C) Step(Kind kind, Weights w, double[] x, double[] h, double[] c)
    {
        var hs = w.Hidden;
        // a[k] = W_ih[k] . x + b_ih[k], b[k] = W_hh[k] . h + b_hh[k] for each gate row k.
        var gates = kind switch { Kind.Gru => 3, Kind.Lstm => 4, _ => 1 };
        var a = new double[gates * hs];
        var b = new double[gates * hs];
        for (var k = 0; k < a.Length; k++)
        {
            a[k] = w.Bih?[k] ?? 0;
            for (var j = 0; j < w.Input; j++) a[k] += w.Wih[k * w.Input + j] * x[j];
            b[k] = w.Bhh?[k] ?? 0;
            for (var j = 0; j < hs; j++) b[k] += w.Whh[k * hs + j] * h[j];
        }
        var hn = new double[hs];
        var cn = new double[hs];
        for (var j = 0; j < hs; j++)
        {
            switch (kind)
            {
                case Kind.RnnTanh:
                    hn[j] = Math.Tanh(a[j] + b[j]);
                    break;
                case Kind.RnnRelu:
                    hn[j] = Math.Max(0, a[j] + b[j]);
                    break;
                case Kind.Gru:
                    var r = Sigmoid(a[j] + b[j]);
                    var z = Sigmoid(a[hs + j] + b[hs + j]);
                    var n = Math.Tanh(a[2 * hs + j] + r * b[2 * hs + j]);
                    hn[j] = (1 - z) * n + z * h[j];
                    break;
                default:
                    var i = Sigmoid(a[j] + b[j]);
                    var f = Sigmoid(a[hs + j] + b[hs + j]);
                    var g = Math.Tanh(a[2 * hs + j] + b[2 * hs + j]);
                    var o = Sigmoid(a[3 * hs + j] + b[3 * hs + j]);
                    cn[j] = f * c[j] + i * g;
                    hn[j] = o * Math.Tanh(cn[j]);
                    break;
            }
        }
        return (hn, cn);
    }

    /// <summary>A multi-layer (bi)directional network over x [T][B][I] with per-sequence lengths: outputs [T][B][D*H]
    /// (zero past each length) and final h, c [L*D][B][H]. The backward direction runs over each sequence's own
    /// steps lengths[b]-1 .. 0.</summary>
    public static (double[][][] Output, double[][][] H, double[][][] C) Run(
        Kind kind, Module m, int layers, bool bidirectional, int input, int hidden, double[][][] x, int[] lengths, double[][][]? h0 = null, double[][][]? c0 = null)
    {
        int steps = x.Length, batch = x[0].Length, dirs = bidirectional ? 2 : 1;
        var hN = new double[layers * dirs][][];
        var cN = new double[layers * dirs][][];
        var current = x;
        for (var l = 0; l < layers; l++)
        {
            var next = new double[steps][][];
            for (var t = 0; t < steps; t++)
            {
                next[t] = new double[batch][];
                for (var b = 0; b < batch; b++) next[t][b] = new double[dirs * hidden];
            }
            for (var d = 0; d < dirs; d++)
            {
                var cell = l * dirs + d;
                var w = Read(m, $"_l{l}" + (d == 1 ? "_reverse" : ""), l == 0 ? input : dirs * hidden, hidden);
                hN[cell] = new double[batch][];
                cN[cell] = new double[batch][];
                for (var b = 0; b < batch; b++)
                {
                    var h = h0?[cell][b] ?? new double[hidden];
                    var c = c0?[cell][b] ?? new double[hidden];
                    for (var s = 0; s < lengths[b]; s++)
                    {
                        var t = d == 0 ? s : lengths[b] - 1 - s;
                        (h, c) = Step(kind, w, current[t][b], h, c);
                        Array.Copy(h, 0, next[t][b], d * hidden, hidden);
                    }
                    hN[cell][b] = h;
                    cN[cell][b] = c;
                }
            }
            current = next;
        }
        return (current, hN, cN);
    }

    public static double[] Flatten(double[][][] a) => a.SelectMany(p => p.SelectMany(q => q)).ToArray();

    /// <summary>[T][B][I] from a flat row-major array.</summary>
    public static double[][][] Nest(double[] flat, int d0, int d1, int d2)
        => Enumerable.Range(0, d0).Select(i => Enumerable.Range(0, d1).Select(j => flat.AsSpan((i * d1 + j) * d2, d2).ToArray()).ToArray()).ToArray();

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
