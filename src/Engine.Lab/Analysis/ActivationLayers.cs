using Engine.Nn;

namespace Engine.Lab.Analysis;

/// <summary>Finds the activation layers whose outputs make up a network's activation pattern (its code), shared by
/// the code, dead-neuron and linear-region analyses so that they all see the same layers in the same order.</summary>
internal static class ActivationLayers
{
    /// <summary>The modules of <paramref name="model"/> (itself included) that <paramref name="isCodeLayer"/> accepts
    /// (default <see cref="IsReluLike"/>), in module-tree order, with their dotted names as in
    /// <see cref="Module.NamedModules"/> ("layers.2").</summary>
    public static IReadOnlyList<(string Name, Module Module)> Find(Module model, Func<Module, bool>? isCodeLayer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var accept = isCodeLayer ?? IsReluLike;
        return [.. model.NamedModules().Where(m => accept(m.Module))];
    }

    /// <summary>ReLU and LeakyReLU: the piecewise-linear activations whose sign pattern fixes the linear region a
    /// sample lies in.</summary>
    public static bool IsReluLike(Module m) => m is Relu or LeakyRelu;
}
