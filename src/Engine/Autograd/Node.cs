namespace Engine;

/// <summary>A recorded op in the autograd graph: it knows its inputs and how to turn the gradient of its output into
/// gradients of those inputs. Each non-leaf tensor points at the node that produced it (<see cref="Tensor.GradFn"/>).</summary>
public abstract class Node
{
    private List<Func<Tensor, Tensor?>>? hooks;

    protected Node(string name, Tensor[] inputs)
    {
        Name = name;
        Inputs = inputs;
    }

    /// <summary>The op's name, e.g. "Mul".</summary>
    public string Name { get; }

    /// <summary>The op's tensor inputs, in the order of the gradients <see cref="Apply"/> returns.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>Set after a backward pass without retainGraph: the saved tensors are gone.</summary>
    public bool Released { get; private set; }

    /// <summary>The output tensor when it asked to keep its gradient (<see cref="Tensor.RetainGrad"/>).</summary>
    internal Tensor? RetainedOutput { get; set; }

    internal IReadOnlyList<Func<Tensor, Tensor?>>? Hooks => hooks;

    internal void AddHook(Func<Tensor, Tensor?> hook) => (hooks ??= new()).Add(hook);

    internal bool RemoveHook(Func<Tensor, Tensor?> hook) => hooks?.Remove(hook) ?? false;

    /// <summary>Gradients of the inputs given the output's gradient; null where an input needs none.</summary>
    public Tensor?[] Apply(Tensor gradOutput)
    {
        if (Released)
            throw new InvalidOperationException(
                $"Backward: the graph through {Name} was already freed by an earlier backward pass; pass retainGraph: true to the first Backward call to go through it twice");
        return Backward(gradOutput);
    }

    protected abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>Drops the tensors saved for the backward pass.</summary>
    internal void Release()
    {
        Released = true;
        ReleaseSaved();
    }

    protected abstract void ReleaseSaved();

    public override string ToString() => $"<{Name}Backward>";
}

/// <summary>A node whose backward formula is a closure over what the forward pass saved.</summary>
internal sealed class FunctionNode : Node
{
    private Func<Tensor, Tensor?[]>? backward;

    public FunctionNode(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
        : base(name, inputs) => this.backward = backward;

    protected override Tensor?[] Backward(Tensor gradOutput) => backward!(gradOutput);

    protected override void ReleaseSaved() => backward = null;
}
