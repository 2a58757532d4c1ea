using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Engine.Vulkan;

/// <summary>The process's one Vulkan instance and its physical devices, created on first use. With
/// <c>ENGINE_VULKAN_VALIDATION=1</c> the Khronos validation layer is enabled and its error messages are collected
/// in <see cref="ValidationErrors"/>, so tests can assert that a run produced none.</summary>
internal sealed unsafe class VulkanInstance
{
    private const string ValidationLayer = "VK_LAYER_KHRONOS_validation";
    private const string DebugUtilsExtension = "VK_EXT_debug_utils";

    private static readonly Lazy<VulkanInstance> Shared = new(() => new VulkanInstance());
    private static readonly ConcurrentQueue<string> Errors = new();

    private VulkanInstance()
    {
        // ENGINE_VULKAN_LOADER names a loader library to use instead of the system's (one brought along to a machine
        // without libvulkan1).
        var loader = Environment.GetEnvironmentVariable("ENGINE_VULKAN_LOADER");
        try
        {
            Vk = string.IsNullOrEmpty(loader) ? Vk.GetApi() : new Vk(new Silk.NET.Core.Contexts.DefaultNativeContext(loader));
        }
        catch (Exception e)
        {
            var which = string.IsNullOrEmpty(loader) ? "the Vulkan loader (libvulkan.so.1 / vulkan-1.dll)" : $"the Vulkan loader {loader} (ENGINE_VULKAN_LOADER)";
            throw new VulkanUnavailableException(
                $"Vulkan: {which} could not be loaded; install it (Debian: libvulkan1) and a driver (e.g. mesa-vulkan-drivers)", e);
        }
        Validation = Environment.GetEnvironmentVariable("ENGINE_VULKAN_VALIDATION") == "1";
        Handle = CreateInstance(Vk, Validation);
        if (Validation) CreateMessenger();
        Devices = EnumerateDevices();
        if (Devices.Count == 0)
            throw new VulkanUnavailableException(
                "Vulkan: the loader found no Vulkan device; install a driver (e.g. mesa-vulkan-drivers for lavapipe, or your GPU vendor's)");
    }

    /// <summary>The shared instance; throws <see cref="VulkanUnavailableException"/> (every time) when there is none.</summary>
    public static VulkanInstance Get() => Shared.Value;

    public Vk Vk { get; }

    public Instance Handle { get; }

    public bool Validation { get; }

    /// <summary>Physical devices in the engine's order (see <see cref="VulkanDeviceInfo.Index"/>).</summary>
    public IReadOnlyList<(PhysicalDevice Handle, VulkanDeviceInfo Info)> Devices { get; }

    /// <summary>Error messages from the validation layer since the process started (empty without validation).</summary>
    public static IReadOnlyList<string> ValidationErrors => Errors.ToArray();

    private static Instance CreateInstance(Vk vk, bool validation)
    {
        var appName = Marshal.StringToHGlobalAnsi("Engine");
        var layer = Marshal.StringToHGlobalAnsi(ValidationLayer);
        var extension = Marshal.StringToHGlobalAnsi(DebugUtilsExtension);
        try
        {
            if (validation && !HasLayer(vk, ValidationLayer))
                throw new VulkanUnavailableException(
                    $"Vulkan: ENGINE_VULKAN_VALIDATION=1 but the layer {ValidationLayer} is not installed (Debian: vulkan-validationlayers)");
            var app = new ApplicationInfo
            {
                SType = StructureType.ApplicationInfo,
                PApplicationName = (byte*)appName,
                PEngineName = (byte*)appName,
                ApiVersion = Vk.Version12,
            };
            var layers = stackalloc byte*[] { (byte*)layer };
            var extensions = stackalloc byte*[] { (byte*)extension };
            var info = new InstanceCreateInfo
            {
                SType = StructureType.InstanceCreateInfo,
                PApplicationInfo = &app,
                EnabledLayerCount = validation ? 1u : 0u,
                PpEnabledLayerNames = validation ? layers : null,
                EnabledExtensionCount = validation ? 1u : 0u,
                PpEnabledExtensionNames = validation ? extensions : null,
            };
            var result = vk.CreateInstance(&info, null, out var instance);
            if (result is Result.ErrorIncompatibleDriver or Result.ErrorInitializationFailed)
                throw new VulkanUnavailableException(
                    $"Vulkan: no Vulkan driver could be initialised ({result}); install a driver (e.g. mesa-vulkan-drivers for lavapipe, or your GPU vendor's)");
            VulkanErrors.Check(result, "vkCreateInstance");
            return instance;
        }
        finally
        {
            Marshal.FreeHGlobal(appName);
            Marshal.FreeHGlobal(layer);
            Marshal.FreeHGlobal(extension);
        }
    }

    private static bool HasLayer(Vk vk, string name)
    {
        uint count = 0;
        vk.EnumerateInstanceLayerProperties(&count, null);
        var layers = new LayerProperties[count];
        fixed (LayerProperties* p = layers) vk.EnumerateInstanceLayerProperties(&count, p);
        foreach (var l in layers)
            if (Marshal.PtrToStringAnsi((nint)l.LayerName) == name) return true;
        return false;
    }

    /// <summary>The messenger is loaded through vkGetInstanceProcAddr: Silk.NET's EXT extension package is not
    /// available here, and the function pointer is all it would wrap.</summary>
    private void CreateMessenger()
    {
        var create = (delegate* unmanaged[Cdecl]<Instance, DebugUtilsMessengerCreateInfoEXT*, AllocationCallbacks*, DebugUtilsMessengerEXT*, Result>)
            Vk.GetInstanceProcAddr(Handle, "vkCreateDebugUtilsMessengerEXT").Handle;
        if (create == null) throw new VulkanUnavailableException("Vulkan: validation requested but vkCreateDebugUtilsMessengerEXT is missing");
        var info = new DebugUtilsMessengerCreateInfoEXT
        {
            SType = StructureType.DebugUtilsMessengerCreateInfoExt,
            MessageSeverity = DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt | DebugUtilsMessageSeverityFlagsEXT.WarningBitExt,
            MessageType = DebugUtilsMessageTypeFlagsEXT.GeneralBitExt | DebugUtilsMessageTypeFlagsEXT.ValidationBitExt
                | DebugUtilsMessageTypeFlagsEXT.PerformanceBitExt,
            PfnUserCallback = new PfnDebugUtilsMessengerCallbackEXT(&OnMessage),
        };
        DebugUtilsMessengerEXT messenger;
        VulkanErrors.Check(create(Handle, &info, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static Silk.NET.Core.Bool32 OnMessage(DebugUtilsMessageSeverityFlagsEXT severity, DebugUtilsMessageTypeFlagsEXT type,
        DebugUtilsMessengerCallbackDataEXT* data, void* user)
    {
        var text = Marshal.PtrToStringAnsi((nint)data->PMessage) ?? "(no message)";
        var error = severity.HasFlag(DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt);
        if (error) Errors.Enqueue(text);
        // Printed as well, so a CLI run under ENGINE_VULKAN_VALIDATION=1 shows what the tests would collect.
        Console.Error.WriteLine($"vulkan validation {(error ? "error" : "warning")}: {text}");
        return false;
    }

    private List<(PhysicalDevice, VulkanDeviceInfo)> EnumerateDevices()
    {
        uint count = 0;
        VulkanErrors.Check(Vk.EnumeratePhysicalDevices(Handle, &count, null), "vkEnumeratePhysicalDevices");
        var handles = new PhysicalDevice[count];
        fixed (PhysicalDevice* p = handles) VulkanErrors.Check(Vk.EnumeratePhysicalDevices(Handle, &count, p), "vkEnumeratePhysicalDevices");
        var described = handles.Select(h => (Handle: h, Info: Describe(h, 0))).ToList();
        return described
            .OrderBy(d => VulkanDeviceInfo.TypeRank(d.Info.Type)) // stable: the driver's order within a type
            .Select((d, i) => (d.Handle, d.Info with { Index = i }))
            .ToList();
    }

    private VulkanDeviceInfo Describe(PhysicalDevice device, int index)
    {
        var subgroup = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties };
        var driver = new PhysicalDeviceDriverProperties { SType = StructureType.PhysicalDeviceDriverProperties };
        Vk.GetPhysicalDeviceProperties(device, out var basic);
        // Driver properties are core from 1.2 only; chaining them on an older device would be invalid.
        if (basic.ApiVersion >= Vk.Version12) subgroup.PNext = &driver;
        var properties = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &subgroup };
        Vk.GetPhysicalDeviceProperties2(device, &properties);
        Vk.GetPhysicalDeviceFeatures(device, out var features);
        Vk.GetPhysicalDeviceMemoryProperties(device, out var memory);
        long local = 0;
        for (var h = 0; h < memory.MemoryHeapCount; h++)
            if (memory.MemoryHeaps[h].Flags.HasFlag(MemoryHeapFlags.DeviceLocalBit)) local += (long)memory.MemoryHeaps[h].Size;
        var p = properties.Properties;
        var version = (uint)p.ApiVersion;
        return new VulkanDeviceInfo(
            index,
            Marshal.PtrToStringAnsi((nint)p.DeviceName) ?? "?",
            VulkanDeviceInfo.TypeName(p.DeviceType),
            basic.ApiVersion >= Vk.Version12 ? Marshal.PtrToStringAnsi((nint)driver.DriverName) ?? "?" : "?",
            basic.ApiVersion >= Vk.Version12 ? Marshal.PtrToStringAnsi((nint)driver.DriverInfo) ?? "" : "",
            $"{version >> 22}.{(version >> 12) & 0x3ff}.{version & 0xfff}",
            local,
            subgroup.SubgroupSize,
            features.ShaderFloat64,
            features.ShaderInt64,
            p.Limits.MaxStorageBufferRange,
            p.Limits.MaxComputeWorkGroupCount[0],
            subgroup.SupportedStages.HasFlag(ShaderStageFlags.ComputeBit)
                && subgroup.SupportedOperations.HasFlag(SubgroupFeatureFlags.BasicBit | SubgroupFeatureFlags.VoteBit | SubgroupFeatureFlags.ArithmeticBit));
    }
}
