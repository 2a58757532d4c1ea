namespace Engine.Nn.Models;

/// <summary>A small VGG-style network: "features", a chain of 3x3 convolutions (padding 1, each followed by optional
/// batch norm and ReLU) and 2x2 max-pools as listed in the configuration; then global average pooling, so any input
/// size works, and "classifier": Linear(last channels, hidden) - ReLU - Dropout - Linear(hidden, classes). Names as
/// torchvision's VGG ("features.0.weight", "features.1.running_mean", "classifier.3.bias"), and so is the
/// initialisation: convs He-normal (fan out) with zero bias, batch norm ones and zeros, linears N(0, 0.01) with zero
/// bias.</summary>
public sealed class Vgg : Sequential
{
    /// <summary>The configuration entry for a 2x2 max-pool (other entries are conv output channels).</summary>
    public const int Pool = 0;

    /// <summary>The default configuration: [64, M, 128, M, 256, 256, M].</summary>
    public static IReadOnlyList<int> SmallConfig { get; } = [64, Pool, 128, Pool, 256, 256, Pool];

    public Vgg(
        int inChannels = 3, int classes = 10, int[]? config = null, bool batchNorm = true, int hidden = 256, double dropout = 0.5,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        var cfg = config ?? [.. SmallConfig];
        if (inChannels < 1 || classes < 1 || hidden < 1 || cfg.Any(c => c < 0) || !cfg.Any(c => c > 0))
            throw new ArgumentException(
                $"Vgg: sizes must be positive and the configuration needs at least one conv (channels > 0, {Pool} for a pool); got in {inChannels}, classes {classes}, hidden {hidden}, config [{string.Join(", ", cfg)}]");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"Vgg: dropout must be in [0, 1); got {dropout}");
        Config = (int[])cfg.Clone();

        Features = new Sequential();
        var channels = inChannels;
        foreach (var c in cfg)
        {
            if (c == Pool)
            {
                Features.Add(new MaxPool2d(2));
                continue;
            }
            var conv = new Conv2d(channels, c, 3, padding: 1, dtype: dtype, device: device, generator: generator);
            Init.KaimingNormal_(conv.Weight, mode: Init.FanMode.FanOut, nonlinearity: "relu", generator: generator);
            Init.Zeros_(conv.Bias!);
            Features.Add(conv);
            if (batchNorm) Features.Add(new BatchNorm2d(c, dtype: dtype, device: device));
            Features.Add(new Relu());
            channels = c;
        }
        Classifier = new Sequential(
            new Linear(channels, hidden, dtype: dtype, device: device, generator: generator),
            new Relu(),
            new Dropout(dropout, generator),
            new Linear(hidden, classes, dtype: dtype, device: device, generator: generator));
        foreach (var linear in Classifier.OfType<Linear>())
        {
            Init.Normal_(linear.Weight, 0, 0.01, generator);
            Init.Zeros_(linear.Bias!);
        }
        Add("features", Features).Add("avgpool", new AdaptiveAvgPool2d(1)).Add("flatten", new Flatten()).Add("classifier", Classifier);
    }

    public IReadOnlyList<int> Config { get; }

    public Sequential Features { get; }

    public Sequential Classifier { get; }
}
