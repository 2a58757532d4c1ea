namespace Engine.Vulkan;

/// <summary>Argmax and argmin (shaders/argreduce.comp, one workgroup per row; the subgroup build where
/// <see cref="UsesSubgroupReduce"/>, as for Reduce) and the cumulative sum
/// (shaders/cumsum.comp, one invocation per row) along one dim.</summary>
public sealed partial class VulkanBackend
{
    public void Cumsum(Tensor x, int dim, Tensor y, bool reverse)
    {
        const string name = "Cumsum";
        var module = NumericModule(name, "cumsum", x.DType);
        if (x.Shape[dim] == 0) return;
        var xs = Own(x, name);
        RunRows(device.Pipelines.Get(module, 3, reverse ? 1 : 0), name, dim, [y, x, x], [Own(y, name), xs, xs], invocationPerRow: true);
    }

    public void ArgReduce(bool max, Tensor x, int dim, Tensor indices, Tensor? values)
    {
        var name = max ? "ArgMax" : "ArgMin";
        var module = NumericModule(name, "argreduce", x.DType);
        if (UsesSubgroupReduce(x.DType)) module += "_sg";
        if (x.Shape[dim] == 0) return;
        var kernel = device.Pipelines.Get(module, 3, max ? 1 : 0, values is null ? 0 : 1) with { Writes = values is null ? 0b001 : 0b101 };
        var xs = Own(x, name);
        RunRows(kernel, name, dim, [indices, x, values ?? x], [Own(indices, name), xs, values is null ? xs : Own(values, name)]);
    }
}
