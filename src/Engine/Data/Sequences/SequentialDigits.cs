namespace Engine.Data;

/// <summary>The embedded 8x8 digits (<see cref="EmbeddedDataSets.Digits"/>) read as sequences: a small stand-in for
/// sequential MNIST, where a recurrent model must carry what it saw early in the image to the end.</summary>
public static class SequentialDigits
{
    /// <summary>How an image becomes a sequence.</summary>
    public enum Layout
    {
        /// <summary>8 steps, one image row of 8 pixels each.</summary>
        Rows,

        /// <summary>64 steps, one pixel each, in row-major order.</summary>
        Pixels,
    }

    /// <summary>All 1797 digits as full-length sequences (Float32 [1797, 8, 8] or [1797, 64, 1], pixel values / 16 in
    /// [0, 1]), labels 0..9.</summary>
    public static SequenceSet Load(Layout layout = Layout.Pixels)
    {
        var digits = EmbeddedDataSets.Digits();
        var (steps, features) = layout switch
        {
            Layout.Rows => (8, 8),
            Layout.Pixels => (64, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), $"SequentialDigits.Load: unknown layout {layout}"),
        };
        var inputs = (digits.Features.Reshape(digits.Samples, steps, features) / 16.0).To(DType.Float32).Contiguous();
        var lengths = Tensor.Full([digits.Samples], steps, DType.Int64);
        var name = layout == Layout.Rows ? "digits-rows" : "digits-pixels";
        return new SequenceSet(name, inputs, lengths, digits.Labels, digits.ClassNames);
    }
}
