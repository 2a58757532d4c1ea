using Engine.Backends;
using Engine.Backends.Cpu;

namespace Engine;

/// <summary>An n-dimensional array of one dtype on one device: a strided view over a <see cref="Storage"/>, with
/// the autograd state (requires-grad flag, gradient, producing node). Ops live in partial files under Ops/.</summary>
public sealed partial class Tensor : IDisposable
{
    // Not readonly only so SetData_ can rebind a leaf (a parameter moved to another device or dtype) in place. The
    // shape and stride arrays are never mutated after construction, so tensors may share them.
    private Storage storage;
    private int[] shape;
    private int[] strides;
    private int offset;
    private bool requiresGrad;
    private bool disposed;
    private bool contiguous;
    private List<Func<Tensor, Tensor?>>? leafHooks;

    internal Tensor(Storage storage, int[] shape, int[] strides, int offset)
        : this(storage, shape, strides, offset, Engine.Shape.Numel(shape), Engine.Shape.IsContiguous(shape, strides))
    {
    }

    /// <summary>For callers that already know the element count and contiguity (a new tensor like an existing one).</summary>
    private Tensor(Storage storage, int[] shape, int[] strides, int offset, int numel, bool contiguous)
    {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        Numel = numel;
        this.contiguous = contiguous;
        storage.AddReference();
        TensorScope.Register(this);
    }

    internal Tensor(Storage storage, int[] shape)
        : this(storage, shape, Engine.Shape.ContiguousStrides(shape), 0)
    {
    }

    public Storage Storage => storage;

    public DType DType => storage.DType;

    public Device Device => storage.Device;

    internal IBackend Backend => storage is CpuStorage ? CpuBackend.Instance : storage.Device.Backend;

    public ReadOnlySpan<int> Shape => shape;

    public ReadOnlySpan<int> Strides => strides;

    /// <summary>Element offset of this view into its storage.</summary>
    public int Offset => offset;

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    public int Dim => shape.Length;

    public int Numel { get; private set; }

    public int Size(int dim) => shape[Engine.Shape.NormalizeDim(dim, Rank, "Size")];

    public bool IsContiguous => contiguous;

    public bool IsScalar => shape.Length == 0;

    internal int[] ShapeArray => shape;

    internal int[] StrideArray => strides;

    // ---- autograd state ------------------------------------------------------------------------------------

    /// <summary>Whether ops on this tensor are recorded for the backward pass. Only leaves can be set.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (GradFn is not null)
            {
                if (value) return;
                throw new InvalidOperationException(
                    $"RequiresGrad: cannot turn gradients off on a non-leaf tensor (produced by {GradFn.Name}); use Detach() instead");
            }
            if (value && !DType.IsFloatingPoint())
                throw new ArgumentException($"RequiresGrad: only floating-point tensors can require gradients; this tensor is {DType}");
            requiresGrad = value;
        }
    }

    /// <summary>Gradient accumulated by <see cref="Backward"/> (leaves, and tensors that called <see cref="RetainGrad"/>).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; private set; }

    public bool IsLeaf => GradFn is null;

    internal IReadOnlyList<Func<Tensor, Tensor?>>? LeafHooks => leafHooks;

    /// <summary>Sets requires-grad on a leaf and returns it: <c>var w = Tensor.Randn(3, 4).RequiresGrad_();</c></summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>Computes the gradient of this tensor with respect to the graph's leaves and accumulates it into their
    /// <see cref="Grad"/>. A non-scalar tensor needs an explicit <paramref name="gradient"/> of its shape.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
        => BackwardEngine.Run([this], [gradient], retainGraph || createGraph, createGraph, null);

    /// <summary>Registers a hook called with this tensor's gradient during backward; a non-null result replaces the
    /// gradient. Dispose the returned handle to remove the hook.</summary>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!requiresGrad)
            throw new InvalidOperationException($"RegisterHook: the tensor (shape {Engine.Shape.Format(shape)}) does not require grad, so no gradient will reach the hook");
        if (GradFn is { } node)
        {
            node.AddHook(hook);
            return new HookHandle(() => node.RemoveHook(hook));
        }
        (leafHooks ??= new()).Add(hook);
        return new HookHandle(() => leafHooks.Remove(hook));
    }

    /// <summary>Keeps the gradient of a non-leaf tensor in <see cref="Grad"/> after backward.</summary>
    public void RetainGrad()
    {
        if (!requiresGrad)
            throw new InvalidOperationException("RetainGrad: the tensor does not require grad");
        if (GradFn is { } node) node.RetainedOutput = this;
    }

    /// <summary>Makes this leaf tensor a view of <paramref name="source"/>'s data (PyTorch's <c>param.data = ...</c>):
    /// the object keeps its identity, requires-grad flag and hooks, so modules and optimizers that hold it see the
    /// new data. Its gradient is dropped when the shape, dtype or device changes.</summary>
    public Tensor SetData_(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (GradFn is not null)
            throw new InvalidOperationException($"SetData_: only leaf tensors can be rebound; this one was produced by {GradFn.Name}");
        if (requiresGrad && !source.DType.IsFloatingPoint())
            throw new ArgumentException($"SetData_: a tensor that requires grad cannot take {source.DType} data");
        if (Grad is { } g && (g.DType != source.DType || g.Device != source.Device || !g.shape.AsSpan().SequenceEqual(source.shape)))
            Grad = null;
        source.ThrowIfDisposed();
        if (!disposed)
        {
            source.storage.AddReference();
            storage.RemoveReference();
        }
        storage = source.storage;
        shape = (int[])source.shape.Clone();
        strides = (int[])source.strides.Clone();
        offset = source.offset;
        Numel = source.Numel;
        contiguous = source.contiguous;
        return this;
    }

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal TensorScope? Scope { get; set; }

    /// <summary>True once <see cref="Dispose"/> ran: the tensor's data may no longer be read or written.</summary>
    public bool IsDisposed => disposed;

    /// <summary>Gives up this tensor's hold on its storage; when no other tensor views the storage, its memory
    /// returns to the pool at once. Using the tensor afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        storage.RemoveReference();
    }

    internal void ThrowIfDisposed()
    {
        if (disposed)
            throw new ObjectDisposedException(nameof(Tensor),
                $"a tensor of shape {Engine.Shape.Format(shape)} {DType} was disposed (explicitly or by its TensorScope) and cannot be used; keep it with scope.Keep(tensor) to use it after the scope");
    }

    /// <summary>A tensor sharing this one's storage, cut from the graph.</summary>
    public Tensor Detach() => new(storage, shape, strides, offset);

    private sealed class HookHandle(Func<bool> remove) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            remove();
        }
    }

    /// <summary>Attaches a backward formula when grad mode is on and an input requires grad. Returns this.</summary>
    internal Tensor Record(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        GradFn = new FunctionNode(name, inputs, backward);
        requiresGrad = true;
        return this;
    }

    internal static bool NeedsGrad(Tensor a) => a.requiresGrad && Autograd.IsEnabled;

    internal static bool NeedsGrad(Tensor a, Tensor b) => (a.requiresGrad || b.requiresGrad) && Autograd.IsEnabled;

    internal static bool NeedsGrad(Tensor a, Tensor b, Tensor c)
        => (a.requiresGrad || b.requiresGrad || c.requiresGrad) && Autograd.IsEnabled;

    internal static bool NeedsGrad(Tensor[] inputs)
    {
        if (!Autograd.IsEnabled) return false;
        foreach (var t in inputs)
            if (t.requiresGrad) return true;
        return false;
    }

    // ---- construction helpers used by ops ----------------------------------------------------------------------

    /// <summary>A new contiguous tensor of the given shape on this tensor's device.</summary>
    internal Tensor NewEmpty(int[] newShape, DType? dtype = null, bool zero = false)
        => Empty(newShape, dtype ?? DType, Device, zero);

    /// <summary>A new contiguous tensor with this tensor's shape (sharing its shape array, and its strides when it is
    /// contiguous: the cheap allocation every elementwise op makes).</summary>
    internal Tensor NewEmptyLike(DType? dtype = null)
    {
        var backend = Backend;
        var storage = backend.Allocate(dtype ?? DType, Numel, zero: false);
        return contiguous ? new Tensor(storage, shape, strides, 0, Numel, contiguous: true) : new Tensor(storage, shape);
    }

    internal static Tensor Empty(int[] shape, DType dtype, Device device, bool zero = false)
    {
        var backend = device.Type == DeviceType.Cpu ? CpuBackend.Instance : device.Backend;
        return new Tensor(backend.Allocate(dtype, Engine.Shape.Numel(shape), zero), shape);
    }

    /// <summary>A view with new geometry over the same storage (no autograd).</summary>
    internal Tensor AsStrided(int[] newShape, int[] newStrides, int newOffset) => new(storage, newShape, newStrides, newOffset);

    internal void CheckSameDevice(Tensor other, string op)
    {
        if (other.Device != Device)
            throw new ArgumentException($"{op}: tensors are on different devices ({Device} and {other.Device}); move one with To(device)");
    }
}
