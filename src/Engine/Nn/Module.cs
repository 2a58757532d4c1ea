using System.Text;

namespace Engine.Nn;

/// <summary>The base of every layer and model: a tree of named parameters, buffers and child modules, with the
/// train/eval flag, state dicts in PyTorch's dotted names ("0.weight", "fc1.bias"), device/dtype moves and
/// forward hooks. Subclasses register their pieces in their constructor, in the order PyTorch would.</summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor? Tensor)> parameters = [];
    private readonly List<(string Name, Tensor? Tensor, bool Persistent)> buffers = [];
    private readonly List<(string Name, Module Module)> children = [];
    private List<Action<Module, object?, object?>>? forwardHooks;

    /// <summary>True in training mode (dropout active, batch-norm uses batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The PyTorch class name used when the module prints itself.</summary>
    public virtual string TypeName => GetType().Name;

    // ---- registration ----------------------------------------------------------------------------------------

    /// <summary>Registers a parameter (a leaf that requires grad); pass null for an absent optional parameter.</summary>
    protected Tensor? RegisterParameter(string name, Tensor? value)
    {
        CheckName(name);
        if (value is not null)
        {
            if (!value.IsLeaf)
                throw new ArgumentException($"{TypeName}: parameter '{name}' must be a leaf tensor; Detach() it first");
            if (value.DType.IsFloatingPoint()) value.RequiresGrad = true;
            TensorScope.Exempt(value);
        }
        parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a parameter that is always present.</summary>
    protected Tensor Parameter(string name, Tensor value) => RegisterParameter(name, value)!;

    /// <summary>Registers a buffer: state that is saved (when persistent) and moved with the module but not trained,
    /// such as batch-norm running statistics.</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? value, bool persistent = true)
    {
        CheckName(name);
        if (value is not null) TensorScope.Exempt(value);
        buffers.Add((name, value, persistent));
        return value;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        children.Add((name, module));
        return module;
    }

    /// <summary>Replaces a registered buffer (e.g. a running statistic recomputed out of place).</summary>
    protected void SetBuffer(string name, Tensor value)
    {
        var i = buffers.FindIndex(b => b.Name == name);
        if (i < 0) throw new ArgumentException($"{TypeName}: no buffer named '{name}'");
        var existing = buffers[i].Tensor;
        if (existing is null) buffers[i] = (name, TensorScope.Exempt(value), buffers[i].Persistent);
        else existing.SetData_(value.Detach());
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{TypeName}: invalid member name '{name}' (non-empty, no '.')");
        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{TypeName}: a member named '{name}' is already registered");
    }

    // ---- traversal ---------------------------------------------------------------------------------------------

    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    public IEnumerable<Module> Children() => children.Select(c => c.Module);

    /// <summary>This module and all below it, depth first, with dotted names ("" for this one); a module reachable
    /// by several paths comes once, under its first name (as PyTorch's named_modules).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return AllPaths(prefix).Where(m => seen.Add(m.Module));
    }

    /// <summary>Every path to a module, shared modules once per path: the state dict names each path.</summary>
    private IEnumerable<(string Name, Module Module)> AllPaths(string prefix)
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var item in child.AllPaths(Join(prefix, name)))
                yield return item;
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>Parameters with their dotted names, each tensor once even when shared between modules.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
            foreach (var (name, p) in module.parameters)
                if (p is not null && seen.Add(p))
                    yield return (Join(prefix, name), p);
    }

    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Parameter);

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
            foreach (var (name, b, _) in module.buffers)
                if (b is not null)
                    yield return (Join(prefix, name), b);
    }

    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse).Select(b => b.Buffer);

    /// <summary>Number of trainable scalars (each shared parameter counted once).</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Calls <paramref name="action"/> on every module below this one and then on this one (PyTorch's apply).</summary>
    public Module Apply(Action<Module> action)
    {
        foreach (var child in Children()) child.Apply(action);
        action(this);
        return this;
    }

    // ---- mode, gradients ---------------------------------------------------------------------------------------

    public Module Train(bool mode = true)
    {
        foreach (var m in Modules()) m.IsTraining = mode;
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of all parameters: to null by default, as PyTorch 2 (the old gradient tensors
    /// are disposed, so their memory returns to the pool: Clone one first if you need it afterwards), or to zeros in
    /// place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (setToNone)
            {
                p.Grad?.Dispose();
                p.Grad = null;
            }
            else if (p.Grad is { } g)
                using (Autograd.NoGrad()) g.Zero_();
        }
    }

    /// <summary>Sets requires-grad on every parameter (false freezes the module).</summary>
    public Module RequiresGrad_(bool value = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = value;
        return this;
    }

    // ---- state dict --------------------------------------------------------------------------------------------

    /// <summary>Parameters and persistent buffers by dotted name, in registration order (the tensors themselves,
    /// detached; copy them if you will modify the module afterwards).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor>();
        foreach (var (prefix, module) in AllPaths(""))
        {
            foreach (var (name, p) in module.parameters)
                if (p is not null) dict.TryAdd(Join(prefix, name), p.Detach());
            foreach (var (name, b, persistent) in module.buffers)
                if (b is not null && persistent) dict.TryAdd(Join(prefix, name), b.Detach());
        }
        return dict;
    }

    /// <summary>Copies tensors into the parameters and buffers with matching names (converting dtype and device).
    /// With <paramref name="strict"/>, missing or unexpected names are an error; shapes must always match.</summary>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException(
                $"LoadStateDict: {TypeName} state does not match: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException($"LoadStateDict: '{name}' has shape {Shape.Format(source.Shape)} in the state but {Shape.Format(target.Shape)} in the module");
        }
        using (Autograd.NoGrad())
        {
            foreach (var (name, target) in own)
                if (state.TryGetValue(name, out var source))
                    target.CopyFrom_(source.Device == target.Device ? source : source.To(target.Device));
        }
        return (missing, unexpected);
    }

    // ---- device and dtype --------------------------------------------------------------------------------------

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>, in place (tensor objects are kept).</summary>
    public Module To(Device device)
    {
        using (Autograd.NoGrad())
        {
            foreach (var t in Parameters().Concat(Buffers()).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
                if (t.Device != device) t.SetData_(t.Detach().To(device));
        }
        return this;
    }

    /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/>, in place.</summary>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"Module.To: modules convert only to floating-point dtypes; got {dtype}");
        using (Autograd.NoGrad())
        {
            foreach (var t in Parameters().Concat(Buffers()).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
                if (t.DType.IsFloatingPoint() && t.DType != dtype) t.SetData_(t.Detach().To(dtype));
        }
        return this;
    }

    public Module Double() => To(DType.Float64);

    public Module Float() => To(DType.Float32);

    // ---- hooks -------------------------------------------------------------------------------------------------

    /// <summary>Registers a hook called after every forward pass with (module, input, output). Dispose the handle to
    /// remove it. Analysis code records activations this way.</summary>
    public IDisposable RegisterForwardHook(Action<Module, object?, object?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        (forwardHooks ??= []).Add(hook);
        return new HookHandle(() => forwardHooks.Remove(hook));
    }

    /// <summary>Whether any forward hook is registered (fused fast paths apply only to unobserved modules).</summary>
    public bool HasForwardHooks => forwardHooks is { Count: > 0 };

    protected void RunForwardHooks(object? input, object? output)
    {
        if (forwardHooks is null) return;
        foreach (var hook in forwardHooks.ToArray()) hook(this, input, output);
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            remove();
        }
    }

    // ---- printing ----------------------------------------------------------------------------------------------

    /// <summary>The text inside the parentheses when the module prints, e.g. "in_features=3, out_features=4".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch's module repr: "Linear(in_features=3, out_features=4, bias=True)" on one line; with children
    /// (or a multi-line extra repr), one indented line per extra-repr line and per child.</summary>
    public override string ToString()
    {
        var extra = ExtraRepr();
        if (children.Count == 0 && !extra.Contains('\n')) return $"{TypeName}({extra})";
        var sb = new StringBuilder(TypeName).Append("(\n");
        if (extra.Length > 0)
            foreach (var line in extra.Split('\n'))
                sb.Append("  ").Append(line).Append('\n');
        foreach (var (name, child) in children)
            sb.Append("  (").Append(name).Append("): ").Append(child.ToString().Replace("\n", "\n  ")).Append('\n');
        return sb.Append(')').ToString();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}

/// <summary>A module with a typed forward pass. Callers use <see cref="Forward"/>, which runs the forward hooks;
/// subclasses implement <see cref="ForwardCore"/>.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public TOut Forward(TIn input)
    {
        var output = ForwardCore(input);
        RunForwardHooks(input, output);
        return output;
    }

    protected abstract TOut ForwardCore(TIn input);
}
