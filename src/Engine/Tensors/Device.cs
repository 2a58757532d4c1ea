using Engine.Backends;

namespace Engine;

public enum DeviceType
{
    Cpu,
    Vulkan,
}

/// <summary>Where a tensor's storage lives. <c>Device.Cpu</c> is always present; other devices resolve through
/// <see cref="BackendRegistry"/> once their assembly is loaded (Engine never references them).</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static Device Cpu => new(DeviceType.Cpu, 0);

    public static Device Vulkan(int index = 0) => new(DeviceType.Vulkan, index);

    public IBackend Backend => BackendRegistry.Get(this);

    /// <summary>Parses "cpu", "vulkan", "vulkan:1".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.Cpu,
            "vulkan" => DeviceType.Vulkan,
            _ => throw new ArgumentException($"Device.Parse: unknown device '{text}'; expected cpu, vulkan or vulkan:N"),
        };
        var index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out index) || index < 0)))
            throw new ArgumentException($"Device.Parse: bad device index in '{text}'; expected a non-negative integer after ':'");
        return new Device(type, index);
    }

    /// <summary>The environment variable that names the default device of the <c>engine</c> commands and of
    /// <see cref="FromEnvironment()"/>: cpu, vulkan or vulkan:N.</summary>
    public const string EnvironmentVariable = "ENGINE_DEVICE";

    /// <summary>The device named by <c>ENGINE_DEVICE</c> (cpu, vulkan, vulkan:N), or the CPU when it is unset or empty.
    /// Tensors created without a device stay on the CPU whatever it says: this is the default a program (or
    /// <c>engine train</c> without <c>--device</c>) asks for.</summary>
    public static Device FromEnvironment() => FromSetting(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary><see cref="FromEnvironment()"/> for a given value of the variable.</summary>
    public static Device FromSetting(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Cpu;
        try
        {
            return Parse(value);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{EnvironmentVariable}={value}: {e.Message}", e);
        }
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"{Type.ToString().ToLowerInvariant()}:{Index}";
}
