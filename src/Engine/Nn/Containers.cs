using System.Collections;
using System.Globalization;

namespace Engine.Nn;

/// <summary>Runs its children in order; children are named "0", "1", ... unless added with a name. Models that are a
/// plain chain of layers (Mlp, Cnn) derive from it.</summary>
public class Sequential : Module<Tensor, Tensor>, IEnumerable<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> layers = [];

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    public int Count => layers.Count;

    public Module<Tensor, Tensor> this[int index] => layers[index];

    public Sequential Add(Module<Tensor, Tensor> module) => Add(layers.Count.ToString(CultureInfo.InvariantCulture), module);

    public Sequential Add(string name, Module<Tensor, Tensor> module)
    {
        layers.Add(RegisterModule(name, module));
        return this;
    }

    protected override Tensor ForwardCore(Tensor input)
    {
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            // A linear layer followed by an activation whose derivative follows from its output runs as one fused
            // op (GEMM, then bias and activation in one pass), unless a hook watches either of them.
            if (layers[i] is Linear linear && i + 1 < layers.Count && layers[i + 1] is Activation { LinearFusion: { } fusion } activation
                && !linear.HasForwardHooks && !activation.HasForwardHooks)
            {
                x = Tensor.Linear(x, linear.Weight, linear.Bias, fusion.Op, fusion.Alpha);
                i++;
                continue;
            }
            x = layers[i].Forward(x);
        }
        return x;
    }

    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An indexed list of modules (no forward of its own); children are named "0", "1", ...</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T>
    where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    public override string TypeName => "ModuleList";

    public int Count => items.Count;

    public T this[int index] => items[index];

    public ModuleList<T> Add(T module)
    {
        items.Add(RegisterModule(items.Count.ToString(CultureInfo.InvariantCulture), module));
        return this;
    }

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Modules by name, in insertion order (no forward of its own).</summary>
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T>
    where T : Module
{
    private readonly Dictionary<string, T> items = [];
    private readonly List<string> order = [];

    public override string TypeName => "ModuleDict";

    public ModuleDict<T> Add(string name, T module)
    {
        items.Add(name, RegisterModule(name, module));
        order.Add(name);
        return this;
    }

    public T this[string key] => items[key];

    public IEnumerable<string> Keys => order;

    public IEnumerable<T> Values => order.Select(k => items[k]);

    public int Count => items.Count;

    public bool ContainsKey(string key) => items.ContainsKey(key);

    public bool TryGetValue(string key, out T value) => items.TryGetValue(key, out value!);

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => order.Select(k => new KeyValuePair<string, T>(k, items[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
