using System.Globalization;
using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Training;

/// <summary>What `engine train --model ...` builds: the architecture name, its options, and the data's input shape
/// and class count. Saved in a checkpoint's metadata so `engine eval` can rebuild the model.</summary>
public sealed record ModelSpec(string Model, int[] InputShape, int Classes, int[] Hidden, string Activation)
{
    public static readonly string[] Models = ["mlp", "cnn", "resnet20", "vgg"];

    /// <summary>Builds the model with weights drawn from <paramref name="generator"/>.</summary>
    public Module<Tensor, Tensor> Create(Generator generator)
    {
        var inFeatures = Shape.Numel(InputShape);
        switch (Model)
        {
            case "mlp":
                Nn.Activation.FromName(Activation); // validates the name now, not at the first forward
                return new Mlp(inFeatures, Hidden, Classes, () => Nn.Activation.FromName(Activation), generator: generator);
            case "cnn":
                var (c, h, _) = Image("cnn");
                return Hidden.Length switch
                {
                    0 => new Cnn(c, Classes, h, generator: generator),
                    1 => new Cnn(c, Classes, h, hidden: Hidden[0], generator: generator),
                    3 => new Cnn(c, Classes, h, Hidden[0], Hidden[1], Hidden[2], generator: generator),
                    _ => throw new ArgumentException($"cnn: --hidden takes one value (the linear layer) or three (conv1, conv2, linear); got {Hidden.Length}"),
                };
            case "resnet20":
                return new ResNet20(Image("resnet20").C, Classes, generator: generator);
            case "vgg":
                return new Vgg(Image("vgg").C, Classes, generator: generator);
            default:
                throw new ArgumentException($"ModelSpec: unknown model '{Model}'; expected one of {string.Join(", ", Models)}");
        }
    }

    private (int C, int H, int W) Image(string model)
    {
        if (InputShape.Length != 3)
            throw new ArgumentException($"{model}: needs image data [C,H,W]; this data set has samples of shape {Shape.Format(InputShape)} (use --model mlp)");
        return (InputShape[0], InputShape[1], InputShape[2]);
    }

    /// <summary>The spec as string metadata (keys prefixed "engine.").</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["engine.model"] = Model,
        ["engine.input_shape"] = string.Join(",", InputShape),
        ["engine.classes"] = Classes.ToString(CultureInfo.InvariantCulture),
        ["engine.hidden"] = string.Join(",", Hidden),
        ["engine.activation"] = Activation,
    };

    public static ModelSpec FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        string Get(string key) => metadata.TryGetValue(key, out var v)
            ? v
            : throw new InvalidDataException($"ModelSpec: the checkpoint metadata has no '{key}'; it was not written by engine train");
        return new ModelSpec(Get("engine.model"), ParseInts(Get("engine.input_shape")), int.Parse(Get("engine.classes"), CultureInfo.InvariantCulture),
            ParseInts(Get("engine.hidden")), Get("engine.activation"));
    }

    public static int[] ParseInts(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
}
