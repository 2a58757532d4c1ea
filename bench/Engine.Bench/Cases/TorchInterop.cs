using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Engine.Bench.Cases;

/// <summary>Copies Engine tensors into TorchSharp, so both sides compute on the same numbers.</summary>
public static class TorchInterop
{
    public static TorchTensor ToTorch(Tensor t, bool requiresGrad = false)
    {
        var shape = t.Shape.ToArray().Select(d => (long)d).ToArray();
        var result = t.DType switch
        {
            DType.Float32 => torch.tensor(t.ToArray<float>(), shape),
            DType.Float64 => torch.tensor(t.ToArray<double>(), shape),
            DType.Int64 => torch.tensor(t.ToArray<long>(), shape),
            _ => throw new ArgumentException($"ToTorch: unsupported dtype {t.DType}"),
        };
        return requiresGrad ? result.requires_grad_() : result;
    }

    /// <summary>Copies every Engine parameter into the TorchSharp parameter of the same name (both follow PyTorch's
    /// naming), so the two models start from identical weights.</summary>
    public static void CopyParameters(Nn.Module from, torch.nn.Module to)
    {
        var targets = to.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var sources = from.NamedParameters().ToList();
        if (sources.Count != targets.Count)
            throw new InvalidOperationException($"CopyParameters: {sources.Count} Engine parameters but {targets.Count} TorchSharp parameters");
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in sources)
        {
            if (!targets.TryGetValue(name, out var target))
                throw new InvalidOperationException($"CopyParameters: TorchSharp model has no parameter '{name}'");
            using var value = ToTorch(parameter);
            if (!value.shape.SequenceEqual(target.shape))
                throw new InvalidOperationException($"CopyParameters: '{name}' is [{string.Join(",", value.shape)}] in Engine, [{string.Join(",", target.shape)}] in TorchSharp");
            target.copy_(value);
        }
    }
}
