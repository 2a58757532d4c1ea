namespace Engine.IO;

/// <summary>What a safetensors file holds: its tensors in file order (by data offset), and its <c>__metadata__</c>
/// string map (null when the file has none).</summary>
public sealed class SafetensorsData(OrderedDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
{
    public OrderedDictionary<string, Tensor> Tensors { get; } = tensors;

    public IReadOnlyDictionary<string, string>? Metadata { get; } = metadata;

    public Tensor this[string name] => Tensors[name];
}
