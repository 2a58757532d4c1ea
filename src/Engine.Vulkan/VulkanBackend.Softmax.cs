namespace Engine.Vulkan;

/// <summary>Softmax and log-softmax with their gradients (shaders/softmax.comp): one workgroup per row; float64 takes
/// exp and log from shaders/include/f64math.glsl.</summary>
public sealed partial class VulkanBackend
{
    public void Softmax(Tensor x, int dim, Tensor y, bool log)
    {
        var name = log ? "LogSoftmax" : "Softmax";
        var xs = Own(x, name);
        RunRows(SoftmaxKernel(name, y.DType, log ? 1 : 0), name, dim, [y, x, x], [Own(y, name), xs, xs]);
    }

    public void SoftmaxBackward(Tensor y, Tensor gy, int dim, Tensor gx, bool log)
    {
        var name = log ? "LogSoftmaxBackward" : "SoftmaxBackward";
        RunRows(SoftmaxKernel(name, y.DType, log ? 3 : 2), name, dim, [gx, y, gy], [Own(gx, name), Own(y, name), Own(gy, name)]);
    }

    private Kernel SoftmaxKernel(string name, DType dtype, int mode)
    {
        var module = dtype switch
        {
            DType.Float32 => "softmax_f32",
            DType.Float64 => RequireFloat64(name, "softmax_f64"),
            _ => throw device.Unsupported($"{name} on {dtype}"),
        };
        return device.Pipelines.Get(module, 3, mode);
    }

    /// <summary>Dispatches a row kernel (<see cref="RowParams"/>) over the rows of tensors[0..2] along
    /// <paramref name="dim"/>, one workgroup per row, or one invocation per row with
    /// <paramref name="invocationPerRow"/>; the shape is tensors[1]'s (the input's).</summary>
    private unsafe void RunRows(Kernel kernel, string name, int dim, Tensor[] tensors, VulkanStorage[] storages, bool invocationPerRow = false)
    {
        var shape = tensors[1].Shape.ToArray();
        var count = shape.Aggregate(1, (a, b) => a * b);
        if (count == 0) return;
        var outer = Enumerable.Range(0, shape.Length).Where(d => d != dim).ToArray();
        var (dims, strides) = StridedPlan.Collapse(
            outer.Select(d => shape[d]).ToArray(),
            tensors.Select(t => (t.Offset, outer.Select(d => t.Strides[d]).ToArray())).ToArray());
        if (dims.Count > RowParams.Rank)
            throw device.Unsupported($"{name} over {Shape.Format(shape)} along dim {dim}",
                $"more than {RowParams.Rank} other dims remain after merging contiguous ones; make the input contiguous first");
        var p = new RowParams { Rows = count / shape[dim], Inner = shape[dim] };
        for (var k = 0; k < 3; k++)
        {
            p.Offset[k] = tensors[k].Offset;
            p.InnerStride[k] = tensors[k].Strides[dim];
            for (var i = 0; i < RowParams.Rank; i++)
            {
                var d = i - (RowParams.Rank - dims.Count);
                p.Strides[k * RowParams.Rank + i] = d >= 0 ? strides[k][d] : 0;
                if (k == 0) p.Shape[i] = d >= 0 ? dims[d] : 1;
            }
        }
        var groups = (uint)Math.Min(invocationPerRow ? (p.Rows + 255L) / 256 : p.Rows, device.Info.MaxComputeWorkGroupCountX);
        // Per invocation: each of its rows whole, or its share of each of its group's rows in up to three passes
        // with their trees.
        long rowsPerInvocation = invocationPerRow ? (p.Rows + groups * 256L - 1) / (groups * 256L) : (p.Rows + groups - 1) / groups;
        device.CheckLoopIterations($"{name} over {Shape.Format(shape)} along dim {dim}",
            rowsPerInvocation * (invocationPerRow ? p.Inner : 3 * ((p.Inner + 255L) / 256 + 8)));
        device.Stream.Dispatch(kernel, storages, &p, (uint)sizeof(RowParams), (groups, 1, 1));
    }
}
