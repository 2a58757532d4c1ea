using Engine.Lab.Sequence;

namespace Engine.Lab.Tests.Sequence;

/// <summary>Cells and inputs shared by the ParaRNN tests: small sizes at the reference implementation's init scales.</summary>
internal static class ParaCells
{
    public const int Input = 4;
    public const int Hidden = 8;

    public static ParaCell Create(string kind, DType dtype, ulong seed = 3) => kind switch
    {
        "paragru" => new ParaGru(Input, Hidden, heads: 2, dtype: dtype, generator: new Generator(seed)),
        "paralstm" => new ParaLstm(Input, Hidden, heads: 2, dtype: dtype, generator: new Generator(seed)),
        "gru-dense" => new DenseGru(Input, Hidden, dtype: dtype, generator: new Generator(seed)),
        _ => throw new ArgumentException(kind),
    };

    public static Tensor Inputs(int batch, int steps, DType dtype, ulong seed = 11)
        => Tensor.Randn([batch, steps, Input], dtype, new Generator(seed));

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        Assert.AreEqual(x.Length, y.Length);
        var max = 0.0;
        for (var i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        return max;
    }
}
