using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>A compute pipeline: one embedded SPIR-V module with its specialization constants, and the layout it
/// binds (storage buffers 0..Bindings-1 and the strided push constants). <see cref="Writes"/> is the mask of the
/// bindings it writes (binding 0, the output, unless a caller says more), which tells a host read whether it must
/// wait.</summary>
internal sealed record Kernel(string Name, Pipeline Pipeline, PipelineLayout Layout, DescriptorSetLayout SetLayout, int Bindings)
{
    public int Writes { get; init; } = 1;
}

/// <summary>Builds each (module, specialization constants) pipeline once per device: drivers compile a pipeline
/// when it is created (lavapipe: 100-800 ms), so every later dispatch of the same op variant reuses it.</summary>
internal sealed unsafe class PipelineCache(VulkanDevice device)
{
    private readonly object gate = new();
    private readonly Dictionary<int, (DescriptorSetLayout Set, PipelineLayout Pipeline)> layouts = [];
    private readonly Dictionary<string, ShaderModule> modules = [];
    private readonly Dictionary<string, Kernel> kernels = [];

    /// <summary>The SPIR-V of an embedded module (shaders/spirv/NAME.spv).</summary>
    public static byte[] LoadSpirv(string name)
    {
        using var stream = typeof(PipelineCache).Assembly.GetManifestResourceStream($"Engine.Vulkan.Shaders.{name}.spv")
            ?? throw new InvalidOperationException($"Vulkan: the shader module {name}.spv is not embedded in Engine.Vulkan (run shaders/compile.sh)");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Whether the pipeline of a module with these specialization constants has been built (for tests that
    /// check which kernel an op chose).</summary>
    public bool IsBuilt(string module, params int[] specialization)
    {
        lock (gate) return kernels.ContainsKey($"{module}/{string.Join(",", specialization)}");
    }

    public Kernel Get(string module, int bindings, params int[] specialization)
    {
        var key = $"{module}/{string.Join(",", specialization)}";
        lock (gate)
        {
            if (kernels.TryGetValue(key, out var kernel)) return kernel;
            var (setLayout, pipelineLayout) = Layout(bindings);
            kernel = new Kernel(key, CreatePipeline(Module(module), pipelineLayout, specialization), pipelineLayout, setLayout, bindings);
            kernels[key] = kernel;
            return kernel;
        }
    }

    private ShaderModule Module(string name)
    {
        if (modules.TryGetValue(name, out var module)) return module;
        var code = LoadSpirv(name);
        fixed (byte* p = code)
        {
            var info = new ShaderModuleCreateInfo { SType = StructureType.ShaderModuleCreateInfo, CodeSize = (nuint)code.Length, PCode = (uint*)p };
            VulkanErrors.Check(device.Vk.CreateShaderModule(device.Handle, &info, null, out module), $"vkCreateShaderModule({name})");
        }
        modules[name] = module;
        return module;
    }

    private (DescriptorSetLayout, PipelineLayout) Layout(int bindings)
    {
        if (layouts.TryGetValue(bindings, out var existing)) return existing;
        var entries = stackalloc DescriptorSetLayoutBinding[bindings];
        for (var i = 0; i < bindings; i++)
            entries[i] = new DescriptorSetLayoutBinding
            {
                Binding = (uint)i,
                DescriptorType = DescriptorType.StorageBuffer,
                DescriptorCount = 1,
                StageFlags = ShaderStageFlags.ComputeBit,
            };
        var setInfo = new DescriptorSetLayoutCreateInfo { SType = StructureType.DescriptorSetLayoutCreateInfo, BindingCount = (uint)bindings, PBindings = entries };
        VulkanErrors.Check(device.Vk.CreateDescriptorSetLayout(device.Handle, &setInfo, null, out var setLayout), "vkCreateDescriptorSetLayout");
        // One range for every kernel: the largest push-constant block (StridedParams, 128 bytes; the others are
        // smaller).
        var range = new PushConstantRange { StageFlags = ShaderStageFlags.ComputeBit, Offset = 0, Size = (uint)sizeof(StridedParams) };
        var layoutInfo = new PipelineLayoutCreateInfo
        {
            SType = StructureType.PipelineLayoutCreateInfo,
            SetLayoutCount = 1,
            PSetLayouts = &setLayout,
            PushConstantRangeCount = 1,
            PPushConstantRanges = &range,
        };
        VulkanErrors.Check(device.Vk.CreatePipelineLayout(device.Handle, &layoutInfo, null, out var pipelineLayout), "vkCreatePipelineLayout");
        layouts[bindings] = (setLayout, pipelineLayout);
        return (setLayout, pipelineLayout);
    }

    private Pipeline CreatePipeline(ShaderModule module, PipelineLayout layout, int[] specialization)
    {
        var entries = stackalloc SpecializationMapEntry[Math.Max(1, specialization.Length)];
        for (var i = 0; i < specialization.Length; i++)
            entries[i] = new SpecializationMapEntry { ConstantID = (uint)i, Offset = (uint)(i * sizeof(int)), Size = sizeof(int) };
        var entryName = Marshal.StringToHGlobalAnsi("main");
        try
        {
            fixed (int* data = specialization)
            {
                var spec = new SpecializationInfo
                {
                    MapEntryCount = (uint)specialization.Length,
                    PMapEntries = entries,
                    DataSize = (nuint)(specialization.Length * sizeof(int)),
                    PData = data,
                };
                var info = new ComputePipelineCreateInfo
                {
                    SType = StructureType.ComputePipelineCreateInfo,
                    Stage = new PipelineShaderStageCreateInfo
                    {
                        SType = StructureType.PipelineShaderStageCreateInfo,
                        Stage = ShaderStageFlags.ComputeBit,
                        Module = module,
                        PName = (byte*)entryName,
                        PSpecializationInfo = specialization.Length > 0 ? &spec : null,
                    },
                    Layout = layout,
                };
                Pipeline pipeline;
                VulkanErrors.Check(device.Vk.CreateComputePipelines(device.Handle, default, 1, &info, null, &pipeline), "vkCreateComputePipelines");
                return pipeline;
            }
        }
        finally
        {
            Marshal.FreeHGlobal(entryName);
        }
    }
}
