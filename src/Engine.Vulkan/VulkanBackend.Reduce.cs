using Engine.Backends;

namespace Engine.Vulkan;

/// <summary>Sum, max and min over any set of dims (shaders/reduce.comp): one workgroup per output element, its
/// partial results combined by subgroup arithmetic where the device has it (the reduce_*_sg modules; not int64, which
/// would need shaderSubgroupExtendedTypes), else by a tree in shared memory.</summary>
public sealed partial class VulkanBackend
{
    /// <summary>Whether reductions (Reduce, ArgReduce) may use subgroup arithmetic where the device supports it (true);
    /// tests turn it off to check the shared-memory fallback on devices that have subgroup arithmetic.</summary>
    internal bool SubgroupReductions { get; set; } = true;

    /// <summary>Whether a reduction or argmax/argmin over <paramref name="dtype"/> runs the subgroup build (the
    /// reduce_*_sg and argreduce_*_sg modules) on this device.</summary>
    internal bool UsesSubgroupReduce(DType dtype)
        => SubgroupReductions && device.Info.SubgroupArithmetic && dtype is DType.Float32 or DType.Float64 or DType.Int32;

    public unsafe void Reduce(ReduceOp op, Tensor x, int[] dims, Tensor y)
    {
        var name = $"Reduce {op}";
        var module = NumericModule(name, "reduce", x.DType);
        if (UsesSubgroupReduce(x.DType)) module += "_sg";
        if (y.Numel == 0) return;
        if (x.Numel == 0)
        {
            Fill(y, 0);
            return;
        }
        var shape = x.Shape.ToArray();
        var kept = new List<int>();
        var reduced = new List<int>();
        for (var d = 0; d < shape.Length; d++) (dims.Contains(d) ? reduced : kept).Add(d);
        var xs = x.Strides.ToArray();
        var ys = y.Strides.ToArray();
        var (outDims, outStrides) = StridedPlan.Collapse(
            kept.Select(d => shape[d]).ToArray(),
            [(x.Offset, kept.Select(d => xs[d]).ToArray()), (y.Offset, kept.Select(d => ys[d]).ToArray())]);
        var (redDims, redStrides) = StridedPlan.Collapse(reduced.Select(d => shape[d]).ToArray(), [(x.Offset, reduced.Select(d => xs[d]).ToArray())]);
        if (outDims.Count > ReduceParams.Rank || redDims.Count > ReduceParams.Rank)
            throw device.Unsupported($"{name} over {Shape.Format(shape)} with dims [{string.Join(",", dims)}]",
                $"more than {ReduceParams.Rank} kept or reduced dims remain after merging contiguous ones; make x contiguous first");
        var p = new ReduceParams { OutCount = y.Numel, ReduceCount = x.Numel / y.Numel, OffsetX = x.Offset, OffsetY = y.Offset };
        for (var i = 0; i < ReduceParams.Rank; i++)
        {
            var o = i - (ReduceParams.Rank - outDims.Count);
            p.OutShape[i] = o >= 0 ? outDims[o] : 1;
            p.OutStrideX[i] = o >= 0 ? outStrides[0][o] : 0;
            p.OutStrideY[i] = o >= 0 ? outStrides[1][o] : 0;
            var r = i - (ReduceParams.Rank - redDims.Count);
            p.ReduceShape[i] = r >= 0 ? redDims[r] : 1;
            p.ReduceStrideX[i] = r >= 0 ? redStrides[0][r] : 0;
        }
        var groups = (uint)Math.Min(y.Numel, device.Info.MaxComputeWorkGroupCountX);
        // Per invocation: its share of each of its outputs' reduced elements, plus the 8-step tree (or the subgroup fold
        // over the subgroups' results: 256 / size^2 steps, 4 on llvmpipe's subgroups of 8).
        device.CheckLoopIterations($"{name} over {Shape.Format(shape)}", (y.Numel + groups - 1) / groups * ((p.ReduceCount + 255L) / 256 + 8));
        var kernel = device.Pipelines.Get(module, 2, (int)op);
        device.Stream.Dispatch(kernel, [Own(y, name), Own(x, name)], &p, (uint)sizeof(ReduceParams), (groups, 1, 1));
    }
}
