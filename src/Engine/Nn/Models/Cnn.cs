namespace Engine.Nn.Models;

/// <summary>A LeNet-style CNN (the acceptance CNN): conv 3x3 (padding 1) - ReLU - max-pool 2, twice, then
/// flatten - linear to <paramref name="hidden"/> - ReLU - linear to the classes. Children are named as the usual
/// PyTorch class names its layers (conv1, conv2, fc1, fc2; activations and pools are children too, so analysis code
/// sees them): state dict "conv1.weight", "conv1.bias", "conv2.weight", ..., "fc2.bias".</summary>
public sealed class Cnn : Sequential
{
    public Cnn(
        int inChannels = 1, int classes = 10, int imageSize = 28, int c1 = 32, int c2 = 64, int hidden = 128,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (inChannels < 1 || classes < 1 || c1 < 1 || c2 < 1 || hidden < 1)
            throw new ArgumentException($"Cnn: sizes must be positive; got in {inChannels}, classes {classes}, c1 {c1}, c2 {c2}, hidden {hidden}");
        if (imageSize < 4)
            throw new ArgumentException($"Cnn: the image size must be at least 4 (two 2x2 poolings); got {imageSize}");
        ImageSize = imageSize;
        var pooled = imageSize / 2 / 2;
        Conv1 = new Conv2d(inChannels, c1, 3, padding: 1, dtype: dtype, device: device, generator: generator);
        Conv2 = new Conv2d(c1, c2, 3, padding: 1, dtype: dtype, device: device, generator: generator);
        Fc1 = new Linear(c2 * pooled * pooled, hidden, dtype: dtype, device: device, generator: generator);
        Fc2 = new Linear(hidden, classes, dtype: dtype, device: device, generator: generator);
        Add("conv1", Conv1).Add("relu1", new Relu()).Add("pool1", new MaxPool2d(2));
        Add("conv2", Conv2).Add("relu2", new Relu()).Add("pool2", new MaxPool2d(2));
        Add("flatten", new Flatten()).Add("fc1", Fc1).Add("relu3", new Relu()).Add("fc2", Fc2);
    }

    /// <summary>The square input size the classifier was sized for.</summary>
    public int ImageSize { get; }

    public Conv2d Conv1 { get; }

    public Conv2d Conv2 { get; }

    public Linear Fc1 { get; }

    public Linear Fc2 { get; }
}
