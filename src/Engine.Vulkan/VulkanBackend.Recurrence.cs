namespace Engine.Vulkan;

/// <summary>The linear recurrence h_t = a_t h_{t-1} + b_t along one dim (shaders/recurrence.comp): a chunked parallel
/// scan. Each row is cut into chunks; the chunks' composed maps (h -> A h + B) are computed in parallel, a short
/// sequential pass per row chains them into each chunk's starting state, and the chunks are then run in parallel from
/// those states. The chunk length keeps every shader loop within the driver's limit (llvmpipe: 65535 iterations), so
/// rows of any length run.</summary>
public sealed partial class VulkanBackend
{
    /// <summary>Below this many rows, rows are cut into chunks to give the device this many parallel invocations.</summary>
    private const int RecurrenceParallelism = 8192;

    private const int RecurrenceGroupSize = 64;

    public unsafe void LinearRecurrence(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse)
    {
        const string name = "LinearRecurrence";
        var module = y.DType switch
        {
            DType.Float32 => "recurrence_f32",
            DType.Float64 => RequireFloat64(name, "recurrence_f64"),
            _ => throw device.Unsupported($"{name} on {y.DType}"),
        };
        var shape = y.Shape.ToArray();
        if (a.DType != y.DType || b.DType != y.DType || (h0 is not null && h0.DType != y.DType))
            throw new ArgumentException($"{name}: a ({a.DType}), b ({b.DType}){(h0 is null ? "" : $", h0 ({h0.DType})")} and y ({y.DType}) must share one dtype");
        if (!a.Shape.SequenceEqual(shape) || !b.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{name}: a {Shape.Format(a.Shape)} and b {Shape.Format(b.Shape)} must have y's shape {Shape.Format(shape)} (expand them first)");
        if (dim < 0 || dim >= shape.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"{name}: dim {dim} for rank {shape.Length}");
        var steps = shape[dim];
        if (y.Numel == 0) return;
        var rows = y.Numel / steps;
        if (h0 is not null && h0.Numel != rows)
            throw new ArgumentException($"{name}: h0 {Shape.Format(h0.Shape)} must hold one state per row ({rows}: y's shape {Shape.Format(shape)} without dim {dim})");
        var ys = Own(y, name);
        var aStorage = Own(a, name);
        var bStorage = Own(b, name);
        if (h0 is not null) Own(h0, name);

        var outer = Enumerable.Range(0, shape.Length).Where(d => d != dim).ToArray();
        Tensor[] operands = [y, a, b];
        var (dims, strides) = StridedPlan.Collapse(
            outer.Select(d => shape[d]).ToArray(),
            operands.Select(t => (t.Offset, outer.Select(d => t.Strides[d]).ToArray())).ToArray());
        if (dims.Count > RecurrenceParams.Rank)
        {
            // More than four other dims survive merging (permuted high-rank views): run on contiguous copies, whose
            // other dims merge into at most two.
            using var ac = DenseCopy(a);
            using var bc = DenseCopy(b);
            using var yc = DenseTemporary(y);
            LinearRecurrence(ac ?? a, bc ?? b, h0, dim, yc ?? y, reverse);
            if (yc is not null) Copy(yc, y);
            return;
        }
        using var h0Dense = h0 is null ? null : DenseCopy(h0);
        var h0Used = h0Dense ?? h0;

        var (chunk, chunks) = RecurrenceChunks(name, shape, dim, rows, steps);
        var p = new RecurrenceParams { Rows = rows, Length = steps, Chunk = chunk, Chunks = chunks, H0Offset = h0Used?.Offset ?? 0 };
        for (var k = 0; k < 3; k++)
        {
            var step = operands[k].Strides[dim];
            // Reverse: a forward run from the last step over the negated stride.
            p.Offset[k] = operands[k].Offset + (reverse ? (steps - 1) * step : 0);
            p.Step[k] = reverse ? -step : step;
            for (var i = 0; i < RecurrenceParams.Rank; i++)
            {
                var d = i - (RecurrenceParams.Rank - dims.Count);
                p.Strides[k * RecurrenceParams.Rank + i] = d >= 0 ? strides[k][d] : 0;
                if (k == 0) p.Shape[i] = d >= 0 ? dims[d] : 1;
            }
        }
        var hasH0 = h0Used is null ? 0 : 1;
        var h0Storage = h0Used is null ? aStorage : Own(h0Used, name);
        using var scratch = chunks > 1 ? Tensor.Zeros([2 * rows * chunks], y.DType, Device) : null;
        var scratchStorage = scratch is null ? aStorage : Own(scratch, name);
        VulkanStorage[] bindings = [ys, aStorage, bStorage, h0Storage, scratchStorage];
        if (chunks > 1)
        {
            // Phases 0 and 1 write only the scratch buffer (binding 4).
            Dispatch(device.Pipelines.Get(module, 5, 0, hasH0) with { Writes = 0b10000 }, bindings, p, (long)rows * chunks);
            Dispatch(device.Pipelines.Get(module, 5, 1, hasH0) with { Writes = 0b10000 }, bindings, p, rows);
        }
        Dispatch(device.Pipelines.Get(module, 5, 2, hasH0), bindings, p, (long)rows * chunks);
    }

    private uint RecurrenceGroups(long items)
        => (uint)Math.Max(1, Math.Min((items + RecurrenceGroupSize - 1) / RecurrenceGroupSize, device.Info.MaxComputeWorkGroupCountX));

    /// <summary>Loop iterations of one invocation over <paramref name="items"/> items of <paramref name="perItem"/>
    /// steps each (the grid-stride loop counts too).</summary>
    private long RecurrenceIterations(long items, long perItem)
    {
        var invocations = (long)RecurrenceGroups(items) * RecurrenceGroupSize;
        return (items + invocations - 1) / invocations * (perItem + 1);
    }

    /// <summary>The chunk length and count per row: one chunk when there are rows enough to fill the device, else
    /// about sqrt(steps) chunks (at most enough for <see cref="RecurrenceParallelism"/> invocations), which balances the
    /// chunk loops against the sequential pass over the chunks; then halved until each invocation's loops fit the
    /// driver's iteration limit.</summary>
    private (int Chunk, int Chunks) RecurrenceChunks(string name, int[] shape, int dim, int rows, int steps)
    {
        var chunks = rows >= RecurrenceParallelism ? 1
            : (int)Math.Min((RecurrenceParallelism + rows - 1) / rows, Math.Ceiling(Math.Sqrt(steps)));
        chunks = Math.Max(chunks, 1);
        var chunk = (steps + chunks - 1) / chunks;
        var limit = device.Info.LoopIterationLimit;
        while (true)
        {
            chunks = (steps + chunk - 1) / chunk;
            var scan = RecurrenceIterations((long)rows * chunks, chunk);
            var chain = chunks > 1 ? RecurrenceIterations(rows, chunks) : 0;
            if (scan <= limit && chain <= limit) return (chunk, chunks);
            if (scan <= limit || chunk == 1)
            {
                device.CheckLoopIterations($"LinearRecurrence over {Shape.Format(shape)} along dim {dim}", Math.Max(scan, chain));
                return (chunk, chunks);
            }
            chunk = (chunk + 1) / 2;
        }
    }

    private unsafe void Dispatch(Kernel kernel, VulkanStorage[] storages, RecurrenceParams p, long items)
        => device.Stream.Dispatch(kernel, storages, &p, (uint)sizeof(RecurrenceParams), (RecurrenceGroups(items), 1, 1));
}
