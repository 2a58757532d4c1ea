namespace Engine.Tests.Ops;

/// <summary>A float64 row-major array with plain-loop movement ops and reductions: the independent reference the op
/// tests compare the engine against (it never calls an engine kernel beyond reading a tensor's values).</summary>
internal sealed class RefArray
{
    public RefArray(int[] shape, double[] data)
    {
        if (data.Length != Count(shape)) throw new ArgumentException("RefArray: data does not match shape");
        Shape = shape;
        Data = data;
    }

    public int[] Shape { get; }

    public double[] Data { get; }

    public int Rank => Shape.Length;

    public static RefArray Of(Tensor t) => new(t.Shape.ToArray(), t.ToArray<double>());

    public static RefArray Generate(int[] shape, Func<int[], double> value)
        => new(shape, Indices(shape).Select(value).ToArray());

    public double this[params int[] index] => Data[FlatIndex(Shape, index)];

    /// <summary>Every multi-index of a shape in row-major order (each yielded array is a fresh copy).</summary>
    public static IEnumerable<int[]> Indices(int[] shape)
    {
        var n = Count(shape);
        var pos = new int[shape.Length];
        for (var e = 0; e < n; e++)
        {
            yield return (int[])pos.Clone();
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                if (++pos[d] < shape[d]) break;
                pos[d] = 0;
            }
        }
    }

    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public static int FlatIndex(int[] shape, int[] index)
    {
        var flat = 0;
        for (var d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    public RefArray Map(Func<double, double> f) => new(Shape, Data.Select(f).ToArray());

    public RefArray Transpose(int d0, int d1)
    {
        var shape = (int[])Shape.Clone();
        (shape[d0], shape[d1]) = (shape[d1], shape[d0]);
        return Generate(shape, i =>
        {
            var src = (int[])i.Clone();
            (src[d0], src[d1]) = (src[d1], src[d0]);
            return this[src];
        });
    }

    /// <summary>Elements start, start+step, ... below end along dim.</summary>
    public RefArray Slice(int dim, int start, int end, int step = 1)
    {
        var shape = (int[])Shape.Clone();
        shape[dim] = (end - start + step - 1) / step;
        return Generate(shape, i =>
        {
            var src = (int[])i.Clone();
            src[dim] = start + i[dim] * step;
            return this[src];
        });
    }

    /// <summary>Applies f to the elements of each reduced group (dims empty = all dims), keeping or dropping the
    /// reduced dims, as a reduction op does.</summary>
    public RefArray Reduce(int[] dims, bool keepDim, Func<double[], double> f)
    {
        var d = dims.Length == 0 ? Enumerable.Range(0, Rank).ToArray() : dims.Select(x => x < 0 ? x + Rank : x).ToArray();
        var keepShape = Shape.Select((s, i) => d.Contains(i) ? 1 : s).ToArray();
        var groups = new List<double>[Count(keepShape)];
        for (var g = 0; g < groups.Length; g++) groups[g] = new List<double>();
        foreach (var i in Indices(Shape))
        {
            var k = i.Select((v, j) => d.Contains(j) ? 0 : v).ToArray();
            groups[FlatIndex(keepShape, k)].Add(this[i]);
        }
        var outShape = keepDim ? keepShape : Shape.Where((_, i) => !d.Contains(i)).ToArray();
        return new RefArray(outShape, groups.Select(g => f(g.ToArray())).ToArray());
    }

    /// <summary>For each position outside dim, the 1-D line along dim is replaced by f(line) (same length).</summary>
    public RefArray AlongDim(int dim, Func<double[], double[]> f)
    {
        var result = new double[Data.Length];
        var lineShape = (int[])Shape.Clone();
        lineShape[dim] = 1;
        foreach (var start in Indices(lineShape))
        {
            var line = new double[Shape[dim]];
            var pos = (int[])start.Clone();
            for (var t = 0; t < line.Length; t++)
            {
                pos[dim] = t;
                line[t] = this[pos];
            }
            var mapped = f(line);
            for (var t = 0; t < line.Length; t++)
            {
                pos[dim] = t;
                result[FlatIndex(Shape, pos)] = mapped[t];
            }
        }
        return new RefArray((int[])Shape.Clone(), result);
    }
}
