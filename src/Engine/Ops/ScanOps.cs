namespace Engine;

/// <summary>Scans along one dim: cumulative sum and the linear recurrence h_t = a_t h_{t-1} + b_t.</summary>
public sealed partial class Tensor
{
    /// <summary>Inclusive cumulative sum along dim.</summary>
    public Tensor Cumsum(int dim) => CumsumOp(dim, reverse: false);

    private Tensor CumsumOp(int dim, bool reverse)
    {
        var x = DType.IsFloatingPoint() ? this : To(DType.Int64);
        if (Rank == 0) return x.Reshape(1).CumsumOp(0, reverse).Reshape();
        var d = Engine.Shape.NormalizeDim(dim, Rank, "Cumsum");
        var y = x.NewEmptyLike();
        Backend.Cumsum(x, d, y, reverse);
        if (NeedsGrad(x)) y.Record("Cumsum", [x], g => [g.CumsumOp(d, !reverse)]);
        return y;
    }

    /// <summary>The linear recurrence h_t = a_t * h_{t-1} + b_t along <paramref name="dim"/> (elementwise a), with
    /// h_{-1} = h0 (zeros when null); with <paramref name="reverse"/> it runs from the last step to the first
    /// (h_t = a_t h_{t+1} + b_t). a and b broadcast together; h0 has their shape without dim. Returns all h_t.
    /// Differentiable in a, b and h0 (the backward pass is the reverse scan with shifted coefficients).</summary>
    public static Tensor LinearScan(Tensor a, Tensor b, Tensor? h0 = null, int dim = 0, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a.CheckSameDevice(b, "LinearScan");
        if (!a.DType.IsFloatingPoint() || a.DType != b.DType)
            throw new ArgumentException($"LinearScan: a and b must be floating-point tensors of one dtype; got {a.DType} and {b.DType}");
        var shape = Engine.Shape.Broadcast(a.shape, b.shape, "LinearScan");
        if (shape.Length == 0) throw new ArgumentException("LinearScan: a and b need a time dim; got scalars");
        var d = Engine.Shape.NormalizeDim(dim, shape.Length, "LinearScan");
        var stateShape = RemoveAt(shape, d);
        if (h0 is not null)
        {
            a.CheckSameDevice(h0, "LinearScan");
            if (!h0.shape.AsSpan().SequenceEqual(stateShape))
                throw new ArgumentException(
                    $"LinearScan: h0 has shape {Engine.Shape.Format(h0.shape)}; expected {Engine.Shape.Format(stateShape)} (the shape of a and b {Engine.Shape.Format(shape)} without dim {d})");
            if (h0.DType != a.DType) throw new ArgumentException($"LinearScan: h0 is {h0.DType} but a and b are {a.DType}");
        }
        var ae = a.ExpandView(shape);
        var be = b.ExpandView(shape);
        var y = Empty(shape, a.DType, a.Device);
        if (shape[d] == 0) return y;
        a.Backend.LinearRecurrence(ae, be, h0, d, y, reverse);
        Tensor[] inputs = h0 is null ? [a, b] : [a, b, h0];
        if (NeedsGrad(inputs))
        {
            var t = shape[d];
            y.Record("LinearScan", inputs, g =>
            {
                var aFull = a.Expand(shape);
                // lambda_t = g_t + a_{t+1} lambda_{t+1} (forward scan), i.e. a reverse scan with a shifted one step.
                var zeroStep = Zeros(ReplaceAt(shape, d, 1), a.DType, a.Device);
                Tensor aShift, yPrev;
                var hInit = (h0 ?? Zeros(stateShape, a.DType, a.Device)).Unsqueeze(d);
                if (!reverse)
                {
                    aShift = Cat([aFull.Narrow(d, 1, t - 1), zeroStep], d);
                    yPrev = Cat([hInit, y.Narrow(d, 0, t - 1)], d);
                }
                else
                {
                    aShift = Cat([zeroStep, aFull.Narrow(d, 0, t - 1)], d);
                    yPrev = Cat([y.Narrow(d, 1, t - 1), hInit], d);
                }
                var lambda = LinearScan(aShift, g, null, d, !reverse);
                var ga = a.requiresGrad ? (lambda * yPrev).SumToShape(a.shape) : null;
                var gb = b.requiresGrad ? lambda.SumToShape(b.shape) : null;
                if (h0 is null) return [ga, gb];
                var edge = reverse ? t - 1 : 0;
                var gh = h0.requiresGrad ? (aFull.Narrow(d, edge, 1) * lambda.Narrow(d, edge, 1)).Squeeze(d) : null;
                return [ga, gb, gh];
            });
        }
        return y;
    }
}
