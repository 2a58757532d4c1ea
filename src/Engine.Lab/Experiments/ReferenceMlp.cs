using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Lab.Experiments;

/// <summary>The MLP of the reference code (He et al. 2021): <c>depth</c> x [Linear -> BatchNorm1d -> ReLU
/// (-> Dropout)] -> Linear(classes), where <c>width</c> is the TOTAL hidden width shared by the hidden layers.</summary>
public static class ReferenceMlp
{
    /// <summary>The hidden widths for a total <paramref name="width"/> over <paramref name="depth"/> layers: width /
    /// depth each (the reference's split), with the remainder given one unit at a time to the first layers so the
    /// total is exactly <paramref name="width"/> (the reference only uses widths divisible by the depth).</summary>
    public static int[] SplitWidth(int width, int depth)
    {
        if (depth < 1) throw new ArgumentException($"ReferenceMlp: depth must be at least 1; got {depth}");
        if (width < depth)
            throw new ArgumentException($"ReferenceMlp: the total width {width} must be at least the depth {depth} (one unit per layer)");
        var widths = new int[depth];
        for (var i = 0; i < depth; i++) widths[i] = width / depth + (i < width % depth ? 1 : 0);
        return widths;
    }

    /// <summary>The network as an <see cref="Mlp"/> with batch norm: children "0" Linear, "1" BatchNorm1d, "2" ReLU,
    /// ("3" Dropout,) ... so the state dict matches the equivalent torch.nn.Sequential. Images are flattened.</summary>
    public static Mlp Create(int inFeatures, int width, int depth, int classes, double dropout = 0, Generator? generator = null)
        => new(inFeatures, SplitWidth(width, depth), classes, batchNorm: true, dropout: dropout, generator: generator);
}
