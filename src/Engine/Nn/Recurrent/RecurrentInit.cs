namespace Engine.Nn;

/// <summary>PyTorch's initialisation of every recurrent parameter: U(-1/sqrt(H), 1/sqrt(H)), in registration order.</summary>
internal static class RecurrentInit
{
    public static void Uniform_(Module module, int hiddenSize, Generator? generator)
    {
        var bound = 1 / Math.Sqrt(hiddenSize);
        foreach (var p in module.Parameters(recurse: false)) Init.Uniform_(p, -bound, bound, generator);
    }
}
