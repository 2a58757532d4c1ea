using Engine.Nn;

namespace Engine.Lab.Sequence;

/// <summary>A recurrent cell h_t = f(h_{t-1}, x_t) written so that ParaRNN can evaluate it for all time steps at once:
/// the input part is projected for every row in one product, <see cref="Step"/> maps a batch of (previous state,
/// projected input) rows to next states, and <see cref="StateJacobian"/> gives d f / d h_{t-1} in the cell's
/// <see cref="Structure"/>. The default Jacobian comes from autograd (one backward pass per state entry), which makes
/// any small cell usable in the dense mode. As a module it maps [batch, time, input] to [batch, time, output],
/// solved by <see cref="Solver"/>.</summary>
public abstract class ParaCell : Module<Tensor, Tensor>
{
    protected ParaCell(int inputSize, int stateSize, int projectedSize)
    {
        if (inputSize < 1 || stateSize < 1)
            throw new ArgumentException($"{TypeName}: input and state sizes must be positive; got input {inputSize}, state {stateSize}");
        InputSize = inputSize;
        StateSize = stateSize;
        ProjectedSize = projectedSize;
    }

    public int InputSize { get; }

    /// <summary>Entries of the state vector h_t (for ParaLSTM, c and h together).</summary>
    public int StateSize { get; }

    /// <summary>Width of <see cref="ProjectInput"/>'s rows.</summary>
    public int ProjectedSize { get; }

    /// <summary>Width of <see cref="Output"/>'s rows.</summary>
    public virtual int OutputSize => StateSize;

    public abstract JacobianStructure Structure { get; }

    /// <summary>Which solver <see cref="Module{TIn,TOut}.Forward"/> uses.</summary>
    public ParaRnnSolver Solver { get; set; } = ParaRnnSolver.Newton;

    /// <summary>Options of the Newton solver used by <see cref="Module{TIn,TOut}.Forward"/>.</summary>
    public ParaRnnOptions Options { get; set; } = new();

    /// <summary>Newton iterations of the last parallel forward pass.</summary>
    public int LastIterations { get; private set; }

    /// <summary>The part of every step that does not depend on the state, for all rows at once: [rows, input] to
    /// [rows, <see cref="ProjectedSize"/>].</summary>
    public Tensor ProjectInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Size(1) != InputSize || input.DType != DType)
            throw new ArgumentException(
                $"{TypeName}.ProjectInput: expected input (rows, {InputSize}) {DType}; got {Shape.Format(input.Shape)} {input.DType}");
        return ProjectInputCore(input);
    }

    protected abstract Tensor ProjectInputCore(Tensor input);

    /// <summary>f for a batch of rows: previous states [rows, state] and projected inputs [rows, projected] to states.</summary>
    public Tensor Step(Tensor state, Tensor projected)
    {
        CheckRows(state, projected, "Step");
        return StepCore(state, projected);
    }

    protected abstract Tensor StepCore(Tensor state, Tensor projected);

    /// <summary>d f / d h_{t-1} at each row, without recording: [rows, n] (diagonal), [rows, n/2, 2, 2] (2x2 blocks,
    /// entry [i, j] = d h_i / d h_prev_j within a unit) or [rows, n, n] (dense).</summary>
    public Tensor StateJacobian(Tensor state, Tensor projected)
    {
        CheckRows(state, projected, "StateJacobian");
        using (Autograd.NoGrad()) return StateJacobianCore(state, projected);
    }

    /// <summary>f and its Jacobian at the same rows, without recording: what every Newton iteration needs.</summary>
    public (Tensor Next, Tensor Jacobian) StepWithJacobian(Tensor state, Tensor projected)
    {
        CheckRows(state, projected, "StepWithJacobian");
        using (Autograd.NoGrad()) return StepWithJacobianCore(state, projected);
    }

    /// <summary>Cells with analytic Jacobians override this to compute their gates once for both.</summary>
    protected virtual (Tensor Next, Tensor Jacobian) StepWithJacobianCore(Tensor state, Tensor projected)
        => (StepCore(state, projected), StateJacobianCore(state, projected));

    /// <summary>The dense Jacobian by autograd: backpropagating the unit vector e_i through all rows at once gives row i
    /// of every row's Jacobian, so n backward passes in all.</summary>
    protected virtual Tensor StateJacobianCore(Tensor state, Tensor projected)
    {
        if (Structure != JacobianStructure.Dense)
            throw new InvalidOperationException($"{TypeName}: a {Structure} cell must compute its Jacobian itself");
        var leaf = state.Detach().RequiresGrad_();
        Tensor next;
        using (Autograd.EnableGrad()) next = StepCore(leaf, projected.Detach());
        var n = StateSize;
        var eye = Tensor.Eye(n, dtype: state.DType, device: state.Device);
        var rows = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var seed = eye.Narrow(0, i, 1).Expand(state.Size(0), n).Contiguous();
            rows[i] = Autograd.Grad([next], [leaf], [seed], retainGraph: i < n - 1)[0]!;
        }
        return Tensor.Stack(rows, 1);
    }

    /// <summary>The module's output from the states [..., state] (the states themselves unless overridden).</summary>
    public virtual Tensor Output(Tensor states) => states;

    protected override Tensor ForwardCore(Tensor input)
    {
        if (Solver == ParaRnnSolver.Sequential) return Output(ParaRnn.Sequential(this, input));
        var result = ParaRnn.Parallel(this, input, options: Options);
        LastIterations = result.Iterations;
        return Output(result.States);
    }

    /// <summary>The dtype of the cell's parameters, which inputs and states must share.</summary>
    public DType DType => Parameters().First().DType;

    private void CheckRows(Tensor state, Tensor projected, string op)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(projected);
        if (state.Rank != 2 || state.Size(1) != StateSize || projected.Rank != 2 || projected.Size(1) != ProjectedSize || state.Size(0) != projected.Size(0))
            throw new ArgumentException(
                $"{TypeName}.{op}: expected state (rows, {StateSize}) and projected input (rows, {ProjectedSize}) with the same rows; got {Shape.Format(state.Shape)} and {Shape.Format(projected.Shape)}");
        if (state.DType != DType || projected.DType != DType)
            throw new ArgumentException($"{TypeName}.{op}: the cell is {DType}; got state {state.DType} and projected input {projected.DType}");
    }
}
