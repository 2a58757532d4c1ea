using Engine.Nn;

namespace Engine.Lab.Tests.Analysis;

/// <summary>Layers with weights written by hand, so that a test knows which units fire for which inputs.</summary>
internal static class HandSetLayers
{
    /// <summary>A linear layer computing <c>weights · x + bias</c> (weights [out, in], row-major).</summary>
    public static Linear Linear(float[,] weights, float[] bias)
    {
        var (outFeatures, inFeatures) = (weights.GetLength(0), weights.GetLength(1));
        var layer = new Linear(inFeatures, outFeatures);
        using (Autograd.NoGrad())
        {
            layer.Weight.CopyFrom_(Tensor.FromArray(weights.Cast<float>().ToArray(), outFeatures, inFeatures));
            layer.Bias!.CopyFrom_(Tensor.FromArray(bias, outFeatures));
        }
        return layer;
    }

    /// <summary>A batch [rows, columns] of float32 samples.</summary>
    public static Tensor Batch(float[,] rows) => Tensor.FromArray(rows.Cast<float>().ToArray(), rows.GetLength(0), rows.GetLength(1));
}
