using Engine.Nn;

namespace Engine.IO;

/// <summary>Saving and loading a module's state dict as safetensors, with PyTorch's parameter names ("0.weight",
/// "fc1.bias"), so weights move between Engine, PyTorch and TorchSharp. Kept here rather than on
/// <see cref="Module"/> so that Engine.Nn does not depend on file formats.</summary>
public static class ModuleCheckpoints
{
    /// <summary>Writes the module's parameters and persistent buffers to <paramref name="path"/> (atomically).</summary>
    public static void Save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Safetensors.Save(path, module.StateDict(), metadata);
    }

    /// <summary>Reads a safetensors file into the module's parameters and buffers (see
    /// <see cref="Module.LoadStateDict"/>): with <paramref name="strict"/>, missing or unexpected names are an error.
    /// Nothing is copied into the module unless the whole file is well formed.</summary>
    public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.LoadStateDict(Safetensors.Load(path).Tensors, strict);
    }
}
