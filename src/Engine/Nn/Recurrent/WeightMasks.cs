namespace Engine.Nn;

/// <summary>Fixed masks on a recurrent module's weight matrices: the forward pass uses W * mask, so masked entries
/// neither affect the output nor receive a gradient (autograd multiplies the weight's gradient by the mask). Pruning
/// sets them. Masks are not part of the state dict, which keeps state dicts interchangeable with PyTorch's.</summary>
internal sealed class WeightMasks(Module owner, IReadOnlyCollection<string> maskable)
{
    private readonly Dictionary<string, Tensor> masks = [];

    public IReadOnlyDictionary<string, Tensor> All => masks;

    /// <summary>Sets (or, with null, removes) the mask of the named weight; a mask has the weight's shape and is
    /// nonzero where the weight is kept.</summary>
    public void Set(string name, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!maskable.Contains(name))
            throw new ArgumentException($"{owner.TypeName}.SetWeightMask: no maskable weight named '{name}'; expected one of {string.Join(", ", maskable)}");
        if (mask is null)
        {
            masks.Remove(name);
            return;
        }
        var weight = Weight(name);
        if (!mask.Shape.SequenceEqual(weight.Shape))
            throw new ArgumentException(
                $"{owner.TypeName}.SetWeightMask: the mask for '{name}' has shape {Shape.Format(mask.Shape)}; expected the weight's shape {Shape.Format(weight.Shape)}");
        masks[name] = TensorScope.Exempt(Converted(mask.Detach(), weight));
    }

    public Tensor? Get(string name) => masks.GetValueOrDefault(name);

    /// <summary>The weight as the forward pass uses it: W, or W * mask.</summary>
    public Tensor Apply(string name, Tensor weight)
    {
        if (!masks.TryGetValue(name, out var mask)) return weight;
        if (mask.DType != weight.DType || mask.Device != weight.Device)
            masks[name] = mask = TensorScope.Exempt(Converted(mask, weight)); // the module moved since the mask was set
        return weight * mask;
    }

    /// <summary>A 0/1 mask in the weight's dtype and device.</summary>
    private static Tensor Converted(Tensor mask, Tensor weight)
    {
        var onDevice = mask.Device == weight.Device ? mask : mask.To(weight.Device);
        return onDevice.Ne(0).To(weight.DType);
    }

    private Tensor Weight(string name) => owner.NamedParameters(recurse: false).First(p => p.Name == name).Parameter;
}
