using System.Collections.Concurrent;
using Engine.Backends.Cpu;

namespace Engine.Backends;

/// <summary>Maps devices to backends. The CPU backend is built in; a device backend (Engine.Vulkan) registers a
/// factory for its device type when it is loaded.</summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<DeviceType, Func<int, IBackend>> Factories = new();
    private static readonly ConcurrentDictionary<Device, IBackend> Instances = new();

    public static void Register(DeviceType type, Func<int, IBackend> factory) => Factories[type] = factory;

    /// <summary>Registers a factory until the returned handle is disposed, then restores what was there (tests use it
    /// to stand in a device).</summary>
    internal static IDisposable Override(DeviceType type, Func<int, IBackend> factory)
    {
        var had = Factories.TryGetValue(type, out var previous);
        var cached = Instances.Where(kv => kv.Key.Type == type).ToList();
        foreach (var kv in cached) Instances.TryRemove(kv.Key, out _);
        Factories[type] = factory;
        return new Restore(() =>
        {
            foreach (var key in Instances.Keys.Where(k => k.Type == type).ToList()) Instances.TryRemove(key, out _);
            if (had) Factories[type] = previous!;
            else Factories.TryRemove(type, out _);
            foreach (var kv in cached) Instances[kv.Key] = kv.Value;
        });
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    public static bool IsRegistered(DeviceType type) => type == DeviceType.Cpu || Factories.ContainsKey(type);

    public static IBackend Get(Device device)
    {
        if (device.Type == DeviceType.Cpu) return CpuBackend.Instance;
        return Instances.GetOrAdd(device, static d =>
        {
            if (!Factories.TryGetValue(d.Type, out var factory))
                throw new InvalidOperationException(
                    $"no backend is registered for device {d}: load its assembly (e.g. Engine.Vulkan) before using the device");
            return factory(d.Index);
        });
    }

    /// <summary>The device types with a backend available in this process.</summary>
    public static IReadOnlyList<DeviceType> Available()
    {
        var list = new List<DeviceType> { DeviceType.Cpu };
        list.AddRange(Factories.Keys.Where(k => k != DeviceType.Cpu).OrderBy(k => k));
        return list;
    }
}
