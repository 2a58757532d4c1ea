using Engine.Backends;

namespace Engine;

/// <summary>Reductions over any set of dims (empty = all) with keepDim, arg-reductions, log-sum-exp, norms and
/// softmax. Integer and Bool sums are Int64, as PyTorch.</summary>
public sealed partial class Tensor
{
    public Tensor Sum() => Sum([], false);

    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    public Tensor Sum(int[] dims, bool keepDim = false)
    {
        var x = DType.IsFloatingPoint() ? this : To(DType.Int64);
        var (d, keepShape, outShape) = ReduceShapes(dims, keepDim, "Sum");
        var result = x.NewEmpty(outShape);
        using (var keep = KeepDimView(result, keepShape, keepDim)) x.Backend.Reduce(ReduceOp.Sum, x, d, keep ?? result);
        if (NeedsGrad(x))
        {
            var inShape = x.shape;
            result.Record("Sum", [x], g => [g.Reshape(keepShape).Expand(inShape)]);
        }
        return result;
    }

    public Tensor Mean() => Mean([], false);

    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        if (!DType.IsFloatingPoint())
            throw new ArgumentException($"Mean: needs a floating-point tensor; got {DType} (convert with To(DType.Float32))");
        var count = ReducedCount(dims, "Mean");
        return Sum(dims, keepDim) / count;
    }

    /// <summary>Variance with Bessel's correction by default (correction = 1), as PyTorch.</summary>
    public Tensor Var(int[]? dims = null, int correction = 1, bool keepDim = false)
    {
        if (!DType.IsFloatingPoint())
            throw new ArgumentException($"Var: needs a floating-point tensor; got {DType} (convert with To(DType.Float32))");
        var d = dims ?? [];
        var count = ReducedCount(d, "Var");
        var mean = Mean(d, keepDim: true);
        var sq = (this - mean).Square().Sum(d, keepDim);
        return sq / Math.Max(count - correction, 0);
    }

    public Tensor Var(int dim, int correction = 1, bool keepDim = false) => Var([dim], correction, keepDim);

    public Tensor Std(int[]? dims = null, int correction = 1, bool keepDim = false) => Var(dims, correction, keepDim).Sqrt();

    public Tensor Std(int dim, int correction = 1, bool keepDim = false) => Std([dim], correction, keepDim);

    /// <summary>The largest element (a 0-dim tensor).</summary>
    public Tensor Max() => Amax([], false);

    /// <summary>The smallest element (a 0-dim tensor).</summary>
    public Tensor Min() => Amin([], false);

    /// <summary>Largest values along dim and their (first) indices; the gradient goes to those indices.</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => MaxMin(true, dim, keepDim);

    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => MaxMin(false, dim, keepDim);

    /// <summary>Max over several dims; ties share the gradient evenly (PyTorch's amax).</summary>
    public Tensor Amax(int[] dims, bool keepDim = false) => Extreme(ReduceOp.Max, dims, keepDim, "Amax");

    public Tensor Amin(int[] dims, bool keepDim = false) => Extreme(ReduceOp.Min, dims, keepDim, "Amin");

    /// <summary>Index of the largest element of the flattened tensor.</summary>
    public Tensor Argmax() => Reshape(-1).Argmax(0);

    public Tensor Argmin() => Reshape(-1).Argmin(0);

    public Tensor Argmax(int dim, bool keepDim = false) => MaxMin(true, dim, keepDim).Indices;

    public Tensor Argmin(int dim, bool keepDim = false) => MaxMin(false, dim, keepDim).Indices;

    /// <summary>log(sum(exp(x))) over dims, computed stably around the max.</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        var d = dims.Length == 0 ? Engine.Shape.NormalizeDims([], Rank, "LogSumExp") : dims;
        if (ReducedCount(d, "LogSumExp") == 0)
            return Full(ReduceShapes(d, keepDim, "LogSumExp").Out, double.NegativeInfinity, DType, Device);
        Tensor m;
        using (Autograd.NoGrad())
        {
            m = Amax(d, keepDim: true);
            m = Where(m.Abs().Eq(double.PositiveInfinity), ZerosLike(m), m);
        }
        var s = (this - m).Exp().Sum(d, keepDim: true).Log() + m;
        return keepDim ? s : ViewOfFresh(s, s.Reshape(ReduceShapes(d, false, "LogSumExp").Out));
    }

    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>Vector p-norm over dims (all by default): p = 1, 2, any p &gt; 0, or infinity.</summary>
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
    {
        var d = dims ?? [];
        if (double.IsPositiveInfinity(p)) return Abs().Amax(d, keepDim);
        if (p == 1) return Abs().Sum(d, keepDim);
        if (p == 2)
        {
            // sqrt has an infinite slope at 0; PyTorch defines the norm's gradient there as 0.
            var sq = Square().Sum(d, keepDim);
            return SafeSqrt(sq);
        }
        if (!(p > 0)) throw new ArgumentException($"Norm: p must be positive or infinity; got {p}");
        return Abs().Pow(p).Sum(d, keepDim).Pow(1 / p);
    }

    private static Tensor SafeSqrt(Tensor sq)
    {
        var y = sq.Sqrt();
        if (!NeedsGrad(sq)) return y;
        var result = y.Detach();
        return result.Record("Norm", [sq], g => [Where(y.Eq(0), ZerosLike(g), g * 0.5 / y)]);
    }

    public Tensor Softmax(int dim) => SoftmaxOp(dim, log: false);

    public Tensor LogSoftmax(int dim) => SoftmaxOp(dim, log: true);

    // ---- implementation ----------------------------------------------------------------------------------------

    private Tensor SoftmaxOp(int dim, bool log)
    {
        var name = log ? "LogSoftmax" : "Softmax";
        if (!DType.IsFloatingPoint()) throw new ArgumentException($"{name}: needs a floating-point tensor; got {DType}");
        var d = Engine.Shape.NormalizeDim(dim, Rank, name);
        var x = Rank == 0 ? Reshape(1) : this;
        var y = x.NewEmptyLike();
        x.Backend.Softmax(x, d, y, log);
        if (NeedsGrad(x))
        {
            y.Record(name, [x], g =>
            {
                if (Autograd.IsEnabled)
                    return [log ? g - y.Exp() * g.Sum(d, keepDim: true) : y * (g - (g * y).Sum(d, keepDim: true))];
                var gx = y.NewEmptyLike();
                y.Backend.SoftmaxBackward(y, g, d, gx, log);
                return [gx];
            });
        }
        return Rank == 0 ? ViewOfFresh(y, y.Reshape()) : y;
    }

    /// <summary>Returns a view of a tensor this op just computed. Without a graph the computed tensor is disposed,
    /// so the view is its storage's only holder and disposing the view returns the memory to the pool.</summary>
    private static Tensor ViewOfFresh(Tensor fresh, Tensor view)
    {
        if (fresh.GradFn is null && !ReferenceEquals(fresh, view)) fresh.Dispose();
        return view;
    }

    private (Tensor Values, Tensor Indices) MaxMin(bool max, int dim, bool keepDim)
    {
        var name = max ? "Max" : "Min";
        if (DType == DType.Bool) return To(DType.Int64).MaxMin(max, dim, keepDim);
        var x = Rank == 0 ? Reshape(1) : this;
        var d = Engine.Shape.NormalizeDim(dim, Rank, name);
        if (x.shape[d] == 0)
            throw new ArgumentException($"{name}: dim {d} of shape {Engine.Shape.Format(shape)} is empty, so it has no {(max ? "maximum" : "minimum")}");
        var keepShape = ReplaceAt(x.shape, d, 1);
        var squeeze = !keepDim || Rank == 0;
        var outShape = !squeeze ? keepShape : Rank == 0 ? [] : RemoveAt(x.shape, d);
        var indices = Empty(outShape, DType.Int64, Device);
        var values = x.NewEmpty(outShape);
        using (var keepIndices = KeepDimView(indices, keepShape, !squeeze))
        using (var keepValues = KeepDimView(values, keepShape, !squeeze))
            x.Backend.ArgReduce(max, x, d, keepIndices ?? indices, keepValues ?? values);
        if (NeedsGrad(x))
            values.Record(name, [x], g => [ZerosLike(x).ScatterAdd(d, indices.Reshape(keepShape), g.Reshape(keepShape))]);
        return (values, indices);
    }

    /// <summary>The keep-dim view a reduction kernel writes through when the result drops the reduced dims (null
    /// when it keeps them). The caller disposes it right after the kernel, so the result is its storage's only
    /// holder and returns the memory to the pool when it is disposed.</summary>
    private static Tensor? KeepDimView(Tensor result, int[] keepShape, bool keepDim)
        => keepDim ? null : result.AsStrided(keepShape, Engine.Shape.ContiguousStrides(keepShape), 0);

    private Tensor Extreme(ReduceOp op, int[] dims, bool keepDim, string name)
    {
        var x = DType == DType.Bool ? To(DType.Int64) : this;
        var (d, keepShape, outShape) = ReduceShapes(dims, keepDim, name);
        if (ReducedCount(d, name) == 0)
            throw new ArgumentException($"{name}: cannot reduce an empty set of elements (shape {Engine.Shape.Format(shape)}, dims {Engine.Shape.Format(d)})");
        var result = x.NewEmpty(outShape);
        using (var keep = KeepDimView(result, keepShape, keepDim)) x.Backend.Reduce(op, x, d, keep ?? result);
        if (NeedsGrad(x))
        {
            result.Record(name, [x], g =>
            {
                var mask = x.Eq(result.Detach().Reshape(keepShape)).To(x.DType);
                var count = mask.Sum(d, keepDim: true);
                return [g.Reshape(keepShape) * mask / count];
            });
        }
        return result;
    }

    /// <summary>Normalised dims, the keep-dim shape and the output shape of a reduction.</summary>
    private (int[] Dims, int[] Keep, int[] Out) ReduceShapes(int[] dims, bool keepDim, string op)
    {
        var d = Engine.Shape.NormalizeDims(dims, Rank, op);
        if (Rank == 0) d = []; // a 0-dim tensor accepts dim 0 / -1 (as PyTorch) but has no dim to reduce
        var keep = (int[])shape.Clone();
        foreach (var i in d) keep[i] = 1;
        if (keepDim) return (d, keep, keep);
        var outShape = new List<int>();
        for (var i = 0; i < Rank; i++)
            if (Array.IndexOf(d, i) < 0) outShape.Add(shape[i]);
        return (d, keep, outShape.ToArray());
    }

    private int ReducedCount(int[] dims, string op)
    {
        var d = ReduceShapes(dims, false, op).Dims;
        var n = 1;
        foreach (var i in d) n *= shape[i];
        return n;
    }
}
