namespace Engine.Lab.Sequence;

/// <summary>States [batch, time, state] from a parallel evaluation, and the Newton iterations it took.</summary>
public sealed record ParaRnnResult(Tensor States, int Iterations);

/// <summary>ParaRNN (Danieli et al. 2025): the whole sequence h_t = f(h_{t-1}, x_t) as one nonlinear system
/// h_t - f(h_{t-1}, x_t) = 0, solved by Newton's method. Every iteration evaluates f and its Jacobian J_t for all t at
/// once and solves the block-bidiagonal linearisation delta_t = J_t delta_{t-1} + r_t by a parallel prefix reduction
/// (<see cref="BlockRecurrence"/>), so the depth is (iterations x log T) instead of T. The backward pass is one
/// reverse linear solve with the transposed Jacobians for the adjoint lambda_t = g_t + J_{t+1}^T lambda_{t+1}, then one
/// batched vector-Jacobian product through the cell for the parameter and input gradients.</summary>
public static class ParaRnn
{
    /// <summary>Evaluates the cell on <paramref name="input"/> [batch, time, input] from <paramref name="h0"/> [batch,
    /// state] (zeros when null). Differentiable in the input, h0 and the cell's parameters.</summary>
    public static ParaRnnResult Parallel(ParaCell cell, Tensor input, Tensor? h0 = null, ParaRnnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cell);
        options ??= new ParaRnnOptions();
        options.Validate();
        var (batch, steps) = CheckInput(cell, input, h0, "ParaRnn.Parallel");
        var n = cell.StateSize;
        Tensor rows, projected, first, solution, states;
        int iterations;
        using (Autograd.NoGrad())
        {
            rows = input.Transpose(0, 1).Contiguous().Reshape(steps * batch, cell.InputSize);
            projected = cell.ProjectInput(rows);
            first = h0?.Detach() ?? Tensor.Zeros([batch, n], cell.DType, input.Device);
            (solution, iterations) = Newton(cell, projected, first, steps, batch, options);
            states = solution.Reshape(steps, batch, n).Transpose(0, 1).Contiguous();
        }
        var parameters = cell.Parameters().Where(p => p.RequiresGrad).ToArray();
        Tensor[] inputs = h0 is null ? [input, .. parameters] : [input, h0, .. parameters];
        var output = Autograd.Function("ParaRnn", states, inputs, g =>
        {
            var prev = Previous(solution, first, batch, steps);
            var lambda = Adjoint(cell, prev, projected, g.Transpose(0, 1).Contiguous().Reshape(steps * batch, n), steps, batch);
            var grads = CellVjp(cell, rows, prev, lambda, input.RequiresGrad, h0?.RequiresGrad ?? false, parameters);
            var gx = grads.Input?.Reshape(steps, batch, cell.InputSize).Transpose(0, 1).Contiguous();
            var gh0 = grads.State?.Narrow(0, 0, batch).Contiguous();
            return h0 is null ? [gx, .. grads.Parameters] : [gx, gh0, .. grads.Parameters];
        });
        return new ParaRnnResult(output, iterations);
    }

    /// <summary>The reference: a plain loop over time, differentiated by autograd through the recorded steps
    /// (backpropagation through time). Same shapes as <see cref="Parallel"/>.</summary>
    /// <remarks>The steps read their inputs from leaves cut from the projected inputs, and one node carries their
    /// gradients back to the projection: slicing step t out of one recorded tensor would give each step a backward
    /// pass that writes a gradient of the whole sequence, O(T^2) in all.</remarks>
    public static Tensor Sequential(ParaCell cell, Tensor input, Tensor? h0 = null)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var (batch, steps) = CheckInput(cell, input, h0, "ParaRnn.Sequential");
        var projected = cell.ProjectInput(input.Transpose(0, 1).Contiguous().Reshape(steps * batch, cell.InputSize))
            .Reshape(steps, batch, cell.ProjectedSize);
        var start = h0?.Detach() ?? Tensor.Zeros([batch, cell.StateSize], cell.DType, input.Device);
        var parameters = cell.Parameters().Where(p => p.RequiresGrad).ToArray();
        Tensor[] outer = h0 is null ? [projected, .. parameters] : [projected, h0, .. parameters];
        if (!Autograd.IsEnabled || !outer.Any(t => t.RequiresGrad))
            using (Autograd.NoGrad()) return Loop(cell, projected, start, steps);

        var pieces = new Tensor[steps];
        using (Autograd.NoGrad())
            for (var t = 0; t < steps; t++) pieces[t] = projected.Select(0, t).Detach().RequiresGrad_();
        start.RequiresGrad_(h0 is not null);
        var states = Loop(cell, pieces, start);
        return Autograd.Function("SequentialRnn", states.Detach(), outer, g =>
        {
            Tensor[] wrt = h0 is null ? [.. pieces, .. parameters] : [.. pieces, start, .. parameters];
            var grads = Autograd.Grad([states], wrt, [g], allowUnused: true);
            var gProjected = Tensor.Stack([.. grads[..steps].Select((gt, t) => gt ?? Tensor.ZerosLike(pieces[t]))], 0);
            return [gProjected, .. grads[steps..]];
        });
    }

    private static Tensor Loop(ParaCell cell, Tensor projected, Tensor start, int steps)
        => Loop(cell, [.. Enumerable.Range(0, steps).Select(t => projected.Select(0, t))], start);

    private static Tensor Loop(ParaCell cell, Tensor[] inputs, Tensor start)
    {
        var h = start;
        var states = new Tensor[inputs.Length];
        for (var t = 0; t < inputs.Length; t++) states[t] = h = cell.Step(h, inputs[t]);
        return Tensor.Stack(states, 1);
    }

    /// <summary>Newton's method from h_t = f(h0 or 0, x_t) for every t. Returns the rows [time * batch, state].</summary>
    private static (Tensor Solution, int Iterations) Newton(ParaCell cell, Tensor projected, Tensor first, int steps, int batch, ParaRnnOptions options)
    {
        var zeros = Tensor.Zeros([steps * batch, cell.StateSize], cell.DType, projected.Device);
        var h = cell.Step(Previous(zeros, first, batch, steps), projected);
        var k = 0;
        for (; k < options.Iterations; k++)
        {
            // The gates, Jacobians and residuals of an iteration are large and dead after it.
            using var scope = TensorScope.Enter();
            var (next, jacobian) = cell.StepWithJacobian(Previous(h, first, batch, steps), projected);
            var residual = next - h;
            if (options.Tolerance is { } tol && residual.Abs().Max().Item() <= tol) break;
            h = scope.Keep(h + Solve(cell.Structure, jacobian, residual, steps, batch, adjoint: false));
        }
        return (h, k);
    }

    /// <summary>lambda_t = g_t + J_{t+1}^T lambda_{t+1}: the gradient of the loss with respect to f's output at step t.</summary>
    private static Tensor Adjoint(ParaCell cell, Tensor prev, Tensor projected, Tensor gradient, int steps, int batch)
    {
        var jacobian = cell.StateJacobian(prev, projected);
        return Solve(cell.Structure, jacobian, gradient, steps, batch, adjoint: true);
    }

    private sealed record CellGradients(Tensor? Input, Tensor? State, Tensor?[] Parameters);

    /// <summary>One vector-Jacobian product of lambda through f re-evaluated on every (h_{t-1}, x_t) at the solution:
    /// sum_t lambda_t^T d f / d(theta, x_t, h_{-1}).</summary>
    private static CellGradients CellVjp(ParaCell cell, Tensor rows, Tensor prev, Tensor lambda, bool wantInput, bool wantState, Tensor[] parameters)
    {
        var x = rows.Detach();
        var h = prev.Detach();
        var wrt = new List<Tensor>();
        if (wantInput) wrt.Add(x.RequiresGrad_());
        if (wantState) wrt.Add(h.RequiresGrad_());
        wrt.AddRange(parameters);
        Tensor?[] grads;
        using (Autograd.EnableGrad())
        {
            var next = cell.Step(h, cell.ProjectInput(x));
            grads = Autograd.Grad([next], wrt, [lambda], allowUnused: true);
        }
        var i = 0;
        var gx = wantInput ? grads[i++] : null;
        var gh = wantState ? grads[i++] : null;
        return new CellGradients(gx, gh, grads[i..]);
    }

    /// <summary>h_{t-1} for every row: the initial state for t = 0, else the previous step's rows.</summary>
    private static Tensor Previous(Tensor h, Tensor first, int batch, int steps)
        => steps == 1 ? first : Tensor.Cat([first, h.Narrow(0, 0, (steps - 1) * batch)], 0);

    private static Tensor Solve(JacobianStructure structure, Tensor jacobian, Tensor rhs, int steps, int batch, bool adjoint)
    {
        var n = rhs.Size(1);
        var q = structure switch
        {
            JacobianStructure.Diagonal => 1,
            JacobianStructure.BlockDiagonal2 => 2,
            _ => n,
        };
        var units = batch * n / q;
        if (jacobian.Numel != steps * units * q * q)
            throw new InvalidOperationException(
                $"ParaRnn: a {structure} Jacobian for {steps * batch} rows of state {n} needs {steps * units * q * q} entries; the cell gave {Shape.Format(jacobian.Shape)}");
        return rhs.DType switch
        {
            DType.Float32 => Tensor.Wrap(Run(jacobian.ToArray<float>(), rhs.ToArray<float>()), rhs.Size(0), n),
            DType.Float64 => Tensor.Wrap(Run(jacobian.ToArray<double>(), rhs.ToArray<double>()), rhs.Size(0), n),
            _ => throw new ArgumentException($"ParaRnn: states must be Float32 or Float64; got {rhs.DType}"),
        };

        T[] Run<T>(T[] a, T[] b)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => adjoint ? BlockRecurrence.SolveAdjoint(a, b, steps, units, q) : BlockRecurrence.Solve(a, b, steps, units, q);
    }

    private static (int Batch, int Steps) CheckInput(ParaCell cell, Tensor input, Tensor? h0, string op)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Size(2) != cell.InputSize || input.Size(0) < 1 || input.Size(1) < 1)
            throw new ArgumentException(
                $"{op}: expected input (batch, time, {cell.InputSize}) with batch and time at least 1; got {Shape.Format(input.Shape)}");
        if (input.DType != cell.DType)
            throw new ArgumentException($"{op}: the input is {input.DType} but the cell's parameters are {cell.DType}");
        var batch = input.Size(0);
        if (h0 is not null && (h0.Rank != 2 || h0.Size(0) != batch || h0.Size(1) != cell.StateSize || h0.DType != cell.DType))
            throw new ArgumentException(
                $"{op}: expected h0 ({batch}, {cell.StateSize}) {cell.DType} (batch of the input, state size of the cell); got {Shape.Format(h0.Shape)} {h0.DType}");
        return (batch, input.Size(1));
    }
}
