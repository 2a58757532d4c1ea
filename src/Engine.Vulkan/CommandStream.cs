using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>Records kernels into a command buffer and submits it only when the host needs a result
/// (<see cref="Synchronize"/>), or when <see cref="BatchLimit"/> commands are recorded (then without waiting).
/// Every command is preceded by a global memory barrier, so commands run in recording order with each one's writes
/// visible to the next; submitted command buffers stay alive, with the storages and buffers they use, until their
/// fence signals. <see cref="HostWaits"/> counts the times the host blocked on the device.
/// Every fence wait has a finite timeout (<see cref="WaitTimeout"/>); a wait that times out or reports
/// VK_ERROR_DEVICE_LOST throws <see cref="VulkanDeviceLostException"/> naming the device and what waited, and from
/// then on the stream refuses all work with that message instead of hanging or reading lost memory.</summary>
internal sealed unsafe class CommandStream
{
    public const int BatchLimit = 256;
    private const int MaxInFlight = 4;
    private const int MaxBindings = 5;

    private readonly VulkanDevice device;
    private readonly object gate = new();
    private readonly CommandPool commandPool;
    private readonly Queue<Batch> inFlight = new();
    private readonly Stack<Batch> spare = new();
    private Batch? recording;
    private string? lost;
    private bool lostSimulated;

    public CommandStream(VulkanDevice device)
    {
        this.device = device;
        var info = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo,
            QueueFamilyIndex = device.QueueFamily,
            Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
        };
        VulkanErrors.Check(device.Vk.CreateCommandPool(device.Handle, &info, null, out commandPool), "vkCreateCommandPool");
    }

    /// <summary>How long one fence wait may take before the device counts as hung: ENGINE_VULKAN_TIMEOUT_S seconds,
    /// 300 by default (a batch holds at most <see cref="BatchLimit"/> kernels).</summary>
    internal TimeSpan WaitTimeout { get; set; } = DefaultTimeout();

    /// <summary>Fault injection for tests: the next fence wait returns this instead of waiting
    /// (<see cref="Result.Timeout"/> as from a hung device, <see cref="Result.ErrorDeviceLost"/> as from a lost one).
    /// </summary>
    internal Result? SimulateNextWait { get; set; }

    /// <summary>Why the device is unusable (lost or hung), or null.</summary>
    public string? LostReason
    {
        get { lock (gate) return lost; }
    }

    /// <summary>Throws <see cref="VulkanDeviceLostException"/> once the device was lost or hung: nothing more may be
    /// recorded, submitted or read.</summary>
    public void ThrowIfLost(string what)
    {
        lock (gate) ThrowIfLostLocked(what);
    }

    private void ThrowIfLostLocked(string what)
    {
        if (lost is not null) throw new VulkanDeviceLostException($"{what}: {lost}");
    }

    /// <summary>Test support only: after a simulated fault (<see cref="SimulateNextWait"/>) or a timeout (a short
    /// <see cref="WaitTimeout"/>), forgets it and waits for the real fences, so the shared test device stays usable.
    /// A real device loss cannot be undone.</summary>
    internal void RecoverFromSimulatedFault()
    {
        lock (gate)
        {
            if (lost is null) return;
            if (!lostSimulated) throw new InvalidOperationException("only a simulated device fault or a timeout can be recovered from");
            lost = null;
            lostSimulated = false;
            SimulateNextWait = null;
        }
        Synchronize();
    }

    private static TimeSpan DefaultTimeout()
    {
        var text = Environment.GetEnvironmentVariable("ENGINE_VULKAN_TIMEOUT_S");
        return text is not null && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(300);
    }

    /// <summary>Times the host blocked waiting for the device.</summary>
    public long HostWaits { get; private set; }

    /// <summary>Command buffers submitted so far.</summary>
    public long Submissions { get; private set; }

    /// <summary>Submitted command buffers whose fence has signalled (they complete in submission order).</summary>
    private long completed;

    /// <summary>The submission number the batch being recorded will get.</summary>
    private long RecordingBatch => Submissions + 1;

    /// <summary>Whether recorded or in-flight commands still write the storage, so a host read must wait.</summary>
    public bool HasPendingWrites(VulkanStorage storage)
    {
        lock (gate)
        {
            ThrowIfLostLocked("reading a tensor");
            return storage.LastWriteBatch > completed;
        }
    }

    /// <summary>Records one dispatch of a strided elementwise kernel over p.Numel elements (a grid-stride loop, so the
    /// group count is capped at the device limit).</summary>
    public void Dispatch(Kernel kernel, ReadOnlySpan<VulkanStorage> storages, in StridedParams p)
    {
        var groups = (uint)Math.Min((p.Numel + 255L) / 256, device.Info.MaxComputeWorkGroupCountX);
        var copy = p;
        Dispatch(kernel, storages, &copy, (uint)sizeof(StridedParams), (Math.Max(groups, 1), 1, 1));
    }

    /// <summary>Records one dispatch of <paramref name="groups"/> workgroups with the given push constants.
    /// <paramref name="storages"/> are bound to bindings 0.. in order and, with their buffers, outlive the command.</summary>
    public void Dispatch(Kernel kernel, ReadOnlySpan<VulkanStorage> storages, void* constants, uint constantBytes, (uint X, uint Y, uint Z) groups)
    {
        if (storages.Length != kernel.Bindings) throw new ArgumentException($"{kernel.Name}: {storages.Length} buffers for {kernel.Bindings} bindings");
        var vk = device.Vk;
        lock (gate)
        {
            ThrowIfLostLocked(kernel.Name);
            var batch = Begin();
            var setLayout = kernel.SetLayout;
            var allocate = new DescriptorSetAllocateInfo
            {
                SType = StructureType.DescriptorSetAllocateInfo,
                DescriptorPool = batch.Descriptors,
                DescriptorSetCount = 1,
                PSetLayouts = &setLayout,
            };
            DescriptorSet set;
            VulkanErrors.Check(vk.AllocateDescriptorSets(device.Handle, &allocate, &set), "vkAllocateDescriptorSets");
            var infos = stackalloc DescriptorBufferInfo[storages.Length];
            var writes = stackalloc WriteDescriptorSet[storages.Length];
            for (var i = 0; i < storages.Length; i++)
            {
                infos[i] = new DescriptorBufferInfo { Buffer = storages[i].Buffer.Buffer, Offset = 0, Range = Vk.WholeSize };
                writes[i] = new WriteDescriptorSet
                {
                    SType = StructureType.WriteDescriptorSet,
                    DstSet = set,
                    DstBinding = (uint)i,
                    DescriptorCount = 1,
                    DescriptorType = DescriptorType.StorageBuffer,
                    PBufferInfo = &infos[i],
                };
                batch.KeepAlive.Add(storages[i]);
                if ((kernel.Writes >> i & 1) != 0) storages[i].LastWriteBatch = RecordingBatch;
            }
            vk.UpdateDescriptorSets(device.Handle, (uint)storages.Length, writes, 0, null);
            Barrier(batch.Commands);
            vk.CmdBindPipeline(batch.Commands, PipelineBindPoint.Compute, kernel.Pipeline);
            vk.CmdBindDescriptorSets(batch.Commands, PipelineBindPoint.Compute, kernel.Layout, 0, 1, &set, 0, null);
            vk.CmdPushConstants(batch.Commands, kernel.Layout, ShaderStageFlags.ComputeBit, 0, constantBytes, constants);
            vk.CmdDispatch(batch.Commands, groups.X, groups.Y, groups.Z);
            Recorded(batch);
        }
    }

    /// <summary>Records a zero fill of a whole buffer.</summary>
    public void Zero(VulkanStorage storage)
    {
        lock (gate)
        {
            ThrowIfLostLocked("a zero fill");
            var batch = Begin();
            Barrier(batch.Commands);
            device.Vk.CmdFillBuffer(batch.Commands, storage.Buffer.Buffer, 0, Vk.WholeSize, 0);
            batch.KeepAlive.Add(storage);
            storage.LastWriteBatch = RecordingBatch;
            Recorded(batch);
        }
    }

    /// <summary>Records a buffer-to-buffer copy between a storage and a staging buffer (an upload when
    /// <paramref name="upload"/>, which writes the storage); <paramref name="returnAfter"/>, if given, goes back to the
    /// pool once the copy has run.</summary>
    public void CopyBuffer(DeviceBuffer src, ulong srcOffset, DeviceBuffer dst, ulong dstOffset, ulong bytes, VulkanStorage storage, bool upload, DeviceBuffer? returnAfter)
    {
        lock (gate)
        {
            ThrowIfLostLocked(upload ? "an upload" : "a download");
            var batch = Begin();
            Barrier(batch.Commands);
            var region = new BufferCopy { SrcOffset = srcOffset, DstOffset = dstOffset, Size = bytes };
            device.Vk.CmdCopyBuffer(batch.Commands, src.Buffer, dst.Buffer, 1, &region);
            batch.KeepAlive.Add(storage);
            if (upload) storage.LastWriteBatch = RecordingBatch;
            if (returnAfter is not null) batch.ReturnToPool.Add(returnAfter);
            Recorded(batch);
        }
    }

    /// <summary>Submits what is recorded and waits for everything submitted; afterwards the host may read any
    /// buffer. Counts one host wait when there was work to wait for. <paramref name="waiter"/> says who waits, for
    /// the message if the device is lost or hangs. Then raises a device-side index error that a gather or scatter
    /// kernel recorded (<see cref="IndexErrorBuffer"/>).</summary>
    public void Synchronize(string waiter = "Synchronize()")
    {
        lock (gate)
        {
            ThrowIfLostLocked(waiter);
            Submit(waiter);
            if (inFlight.Count > 0) HostWaits++;
            while (inFlight.Count > 0) Complete(waiter);
            device.Pool.OnQueueIdle();
            // Nothing runs now: a bad index recorded by any kernel so far is raised here, at the host wait.
            device.IndexErrors?.ThrowIfRecorded();
        }
    }

    private Batch Begin()
    {
        if (recording is not null) return recording;
        var batch = spare.Count > 0 ? spare.Pop() : new Batch(device, commandPool);
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        VulkanErrors.Check(device.Vk.BeginCommandBuffer(batch.Commands, &begin), "vkBeginCommandBuffer");
        recording = batch;
        return batch;
    }

    private void Recorded(Batch batch)
    {
        if (++batch.Count >= BatchLimit) Submit("the batch limit");
    }

    private void Submit(string waiter)
    {
        if (recording is not { } batch) return;
        recording = null;
        var vk = device.Vk;
        // Make the last writes visible to host reads after the fence.
        var toHost = new MemoryBarrier
        {
            SType = StructureType.MemoryBarrier,
            SrcAccessMask = AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit,
            DstAccessMask = AccessFlags.HostReadBit,
        };
        vk.CmdPipelineBarrier(batch.Commands, PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit,
            PipelineStageFlags.HostBit, 0, 1, &toHost, 0, null, 0, null);
        VulkanErrors.Check(vk.EndCommandBuffer(batch.Commands), "vkEndCommandBuffer");
        var commands = batch.Commands;
        var submit = new SubmitInfo { SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &commands };
        var submitted = vk.QueueSubmit(device.Queue, 1, &submit, batch.Fence);
        if (submitted == Result.ErrorDeviceLost) throw Lost(Result.ErrorDeviceLost, Submissions + 1, $"{waiter}, submitting it", simulated: false);
        VulkanErrors.Check(submitted, "vkQueueSubmit");
        Submissions++;
        inFlight.Enqueue(batch);
        if (inFlight.Count > MaxInFlight)
        {
            HostWaits++;
            Complete($"{waiter}, with {MaxInFlight} batches already in flight");
        }
    }

    /// <summary>Waits, at most <see cref="WaitTimeout"/>, for the oldest in-flight batch and recycles it. A timeout or
    /// a lost device marks the stream lost (the batch stays queued: its buffers may still be in use).</summary>
    private void Complete(string waiter)
    {
        var batch = inFlight.Peek();
        var fence = batch.Fence;
        var number = completed + 1;
        Result result;
        var simulated = SimulateNextWait is not null;
        if (SimulateNextWait is { } injected)
        {
            SimulateNextWait = null;
            result = injected;
        }
        else
        {
            // UINT64_MAX would mean no timeout at all; a limit too large for nanoseconds stays just below it.
            var ticks = Math.Max(WaitTimeout.Ticks, 0);
            var ns = ticks >= long.MaxValue / 100 ? ulong.MaxValue - 1 : (ulong)ticks * 100;
            result = device.Vk.WaitForFences(device.Handle, 1, &fence, true, ns);
        }
        if (result is Result.Timeout or Result.ErrorDeviceLost) throw Lost(result, number, waiter, simulated);
        VulkanErrors.Check(result, "vkWaitForFences");
        inFlight.Dequeue();
        completed++;
        batch.Reset();
        spare.Push(batch);
    }

    /// <summary>Marks the stream unusable and builds the exception that says why.</summary>
    private VulkanDeviceLostException Lost(Result result, long batchNumber, string waiter, bool simulated)
    {
        var name = $"Vulkan device vulkan:{device.Info.Index} ({device.Info.Name})";
        lost = result == Result.Timeout
            ? $"{name} hangs: command batch {batchNumber} did not finish within {WaitTimeout.TotalSeconds:0.###} s while the host waited for it ({waiter}); a kernel runs far too long or the device stopped responding (ENGINE_VULKAN_TIMEOUT_S sets the limit). The backend refuses further work on this device: restart the process"
            : $"{name} was lost (VK_ERROR_DEVICE_LOST) while the host waited for command batch {batchNumber} ({waiter}); the work queued on it is gone (a driver reset, a faulting kernel or a GPU that fell off the bus). The backend refuses further work on this device: restart the process";
        lostSimulated = simulated || result == Result.Timeout;
        return new VulkanDeviceLostException(lost);
    }

    private void Barrier(CommandBuffer commands)
    {
        var barrier = new MemoryBarrier
        {
            SType = StructureType.MemoryBarrier,
            SrcAccessMask = AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit,
            DstAccessMask = AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit | AccessFlags.TransferReadBit | AccessFlags.TransferWriteBit,
        };
        var stages = PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit;
        device.Vk.CmdPipelineBarrier(commands, stages, stages, 0, 1, &barrier, 0, null, 0, null);
    }

    /// <summary>One command buffer with its fence, descriptor pool and the objects its commands use.</summary>
    private sealed class Batch
    {
        private readonly VulkanDevice device;

        public Batch(VulkanDevice device, CommandPool pool)
        {
            this.device = device;
            var vk = device.Vk;
            var allocate = new CommandBufferAllocateInfo
            {
                SType = StructureType.CommandBufferAllocateInfo,
                CommandPool = pool,
                Level = CommandBufferLevel.Primary,
                CommandBufferCount = 1,
            };
            VulkanErrors.Check(vk.AllocateCommandBuffers(device.Handle, &allocate, out var commands), "vkAllocateCommandBuffers");
            Commands = commands;
            var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
            VulkanErrors.Check(vk.CreateFence(device.Handle, &fenceInfo, null, out var fence), "vkCreateFence");
            Fence = fence;
            var size = new DescriptorPoolSize { Type = DescriptorType.StorageBuffer, DescriptorCount = BatchLimit * MaxBindings };
            var poolInfo = new DescriptorPoolCreateInfo
            {
                SType = StructureType.DescriptorPoolCreateInfo,
                MaxSets = BatchLimit,
                PoolSizeCount = 1,
                PPoolSizes = &size,
            };
            VulkanErrors.Check(vk.CreateDescriptorPool(device.Handle, &poolInfo, null, out var descriptors), "vkCreateDescriptorPool");
            Descriptors = descriptors;
        }

        public CommandBuffer Commands { get; }

        public Fence Fence { get; }

        public DescriptorPool Descriptors { get; }

        public int Count { get; set; }

        public List<VulkanStorage> KeepAlive { get; } = [];

        public List<DeviceBuffer> ReturnToPool { get; } = [];

        public void Reset()
        {
            var vk = device.Vk;
            var fence = Fence;
            VulkanErrors.Check(vk.ResetFences(device.Handle, 1, &fence), "vkResetFences");
            VulkanErrors.Check(vk.ResetCommandBuffer(Commands, 0), "vkResetCommandBuffer");
            VulkanErrors.Check(vk.ResetDescriptorPool(device.Handle, Descriptors, 0), "vkResetDescriptorPool");
            foreach (var b in ReturnToPool) device.Pool.Return(b);
            ReturnToPool.Clear();
            KeepAlive.Clear();
            Count = 0;
        }
    }
}
