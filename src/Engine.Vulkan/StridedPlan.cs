namespace Engine.Vulkan;

/// <summary>Turns one logical shape and up to four operands' (offset, strides) into the push constants of one or
/// more dispatches: size-1 dims are dropped, dims that every operand walks contiguously are merged, the result is
/// padded on the left to rank 4, and any dims beyond 4 are iterated on the host (one dispatch per outer index).</summary>
internal static class StridedPlan
{
    public static List<StridedParams> Build(ReadOnlySpan<int> shape, params (int Offset, int[] Strides)[] operands)
    {
        var (dims, strides) = Collapse(shape, operands);
        var outer = Math.Max(0, dims.Count - StridedParams.Rank);
        var plans = new List<StridedParams>();
        var numel = 1;
        for (var d = outer; d < dims.Count; d++) numel *= dims[d];
        var outerCount = 1;
        for (var d = 0; d < outer; d++) outerCount *= dims[d];
        Span<int> extra = stackalloc int[StridedParams.Operands];
        for (var o = 0; o < outerCount; o++)
        {
            var p = new StridedParams { Numel = numel };
            extra.Clear();
            var rest = o;
            for (var d = outer - 1; d >= 0; d--)
            {
                var c = rest % dims[d];
                rest /= dims[d];
                for (var k = 0; k < operands.Length; k++) extra[k] += c * strides[k][d];
            }
            unsafe
            {
                for (var k = 0; k < StridedParams.Operands; k++) p.Offset[k] = k < operands.Length ? operands[k].Offset + extra[k] : 0;
                var inner = dims.Count - outer;
                for (var i = 0; i < StridedParams.Rank; i++)
                {
                    var d = outer + i - (StridedParams.Rank - inner);
                    p.Shape[i] = d >= outer ? dims[d] : 1;
                    for (var k = 0; k < StridedParams.Operands; k++) p.Strides[k * StridedParams.Rank + i] = d >= outer && k < operands.Length ? strides[k][d] : 0;
                }
            }
            plans.Add(p);
        }
        return plans;
    }

    /// <summary>Drops size-1 dims and merges dims that every operand walks contiguously.</summary>
    internal static (List<int> Dims, List<int>[] Strides) Collapse(ReadOnlySpan<int> shape, (int Offset, int[] Strides)[] operands)
    {
        var dims = new List<int>();
        var strides = operands.Select(_ => new List<int>()).ToArray();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            var last = dims.Count - 1;
            var mergeable = last >= 0;
            for (var k = 0; k < operands.Length && mergeable; k++)
                mergeable = strides[k][last] == operands[k].Strides[d] * shape[d];
            if (mergeable)
            {
                dims[last] *= shape[d];
                for (var k = 0; k < operands.Length; k++) strides[k][last] = operands[k].Strides[d];
            }
            else
            {
                dims.Add(shape[d]);
                for (var k = 0; k < operands.Length; k++) strides[k].Add(operands[k].Strides[d]);
            }
        }
        return (dims, strides);
    }
}
