namespace Engine;

/// <summary>Frees, when disposed, every tensor created on this thread while it was the innermost scope, except the
/// ones kept: <c>using (var scope = TensorScope.Enter()) { ... scope.Keep(result); }</c>. A training loop opens one per
/// step so large buffers return to the pool at once instead of waiting for the garbage collector. Long-lived state
/// (parameters, buffers, gradients, optimizer state) is exempted by the code that creates it. Using a tensor after
/// its scope freed it throws <see cref="ObjectDisposedException"/>.</summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    private readonly TensorScope? parent;
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    private TensorScope(TensorScope? parent) => this.parent = parent;

    /// <summary>The innermost open scope of this thread, if any.</summary>
    public static TensorScope? Current => current;

    /// <summary>Opens a scope nested in the current one.</summary>
    public static TensorScope Enter() => current = new TensorScope(current);

    /// <summary>Keeps a tensor alive past this scope: it moves to the enclosing scope (or to none, leaving it to
    /// the garbage collector or an explicit Dispose).</summary>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope != this) return tensor;
        tensor.Scope = parent;
        parent?.tensors.Add(tensor);
        return tensor;
    }

    public void Keep(params Tensor[] tensors)
    {
        foreach (var t in tensors) Keep(t);
    }

    /// <summary>Takes a tensor out of every scope: no scope will dispose it (parameters, gradients, optimizer state).</summary>
    public static Tensor Exempt(Tensor tensor)
    {
        tensor.Scope = null;
        return tensor;
    }

    internal static void Register(Tensor tensor)
    {
        var scope = current;
        if (scope is null) return;
        tensor.Scope = scope;
        scope.tensors.Add(tensor);
    }

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count => tensors.Count(t => t.Scope == this);

    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
            throw new InvalidOperationException("TensorScope: scopes must be disposed in the reverse order of Enter (on the thread that entered them)");
        disposed = true;
        current = parent;
        foreach (var t in tensors)
            if (t.Scope == this)
            {
                t.Scope = null;
                t.Dispose();
            }
        tensors.Clear();
    }
}
