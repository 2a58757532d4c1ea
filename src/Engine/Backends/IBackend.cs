namespace Engine.Backends;

/// <summary>The kernel contract every device implements. Everything else is composed from these primitives in
/// Ops/. Conventions: output tensors are freshly allocated and contiguous unless a method says otherwise; inputs may
/// be any strided view (including stride 0 from broadcasting); shapes and dtypes were validated by the caller.</summary>
public interface IBackend
{
    Device Device { get; }

    /// <summary>A new storage of <paramref name="length"/> elements; zero-filled when <paramref name="zero"/>.</summary>
    Storage Allocate(DType dtype, int length, bool zero = true);

    /// <summary>A storage holding a copy of a host array (float[], double[], int[], long[] or bool[]).</summary>
    Storage FromHost(Array data, DType dtype);

    /// <summary>Copies a tensor (any strides) into a dense row-major host array of the tensor's CLR type.</summary>
    void ToHost(Tensor src, Array dst);

    /// <summary>Writes <paramref name="value"/> into every element of <paramref name="dst"/> (any strides).</summary>
    void Fill(Tensor dst, double value);

    /// <summary>dst = src elementwise; same shape, any strides on both sides, dtype conversion allowed.</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>y = op(x).</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta);

    /// <summary>gx = gy * op'(x), with y = op(x) available for ops whose derivative is cheaper from y.</summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double alpha, double beta);

    /// <summary>y = a op b; a and b are already broadcast (expanded) to y's shape.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary>y = op(a, b, c; alpha) elementwise; all three already broadcast to y's shape (a stride-0 operand is a
    /// broadcast scalar). y may be a itself (the in-place optimizer updates), floating-point dtypes only.</summary>
    void Ternary(TernaryOp op, Tensor a, Tensor b, Tensor c, Tensor y, double alpha);

    /// <summary>y = cond ? a : b; all three already broadcast to y's shape; cond is Bool.</summary>
    void Where(Tensor cond, Tensor a, Tensor b, Tensor y);

    /// <summary>Reduces over <paramref name="dims"/> (sorted, distinct); y has x's shape with those dims set to 1.</summary>
    void Reduce(ReduceOp op, Tensor x, int[] dims, Tensor y);

    /// <summary>Index (Int64) of the max (or min) along one dim, first occurrence; y has x's shape with dim set to 1.
    /// When <paramref name="values"/> is given it receives the extreme values.</summary>
    void ArgReduce(bool max, Tensor x, int dim, Tensor indices, Tensor? values);

    /// <summary>Softmax (or log-softmax) along one dim.</summary>
    void Softmax(Tensor x, int dim, Tensor y, bool log);

    /// <summary>Gradient of softmax (or log-softmax) from its output y and the output gradient gy.</summary>
    void SoftmaxBackward(Tensor y, Tensor gy, int dim, Tensor gx, bool log);

    /// <summary>c[b] (+)= a[b] @ b[b] for rank-3 operands [B,M,K] x [B,K,N] -> [B,M,N]; a and b may have any strides
    /// (transposes, batch stride 0), c is contiguous. With <paramref name="accumulate"/> c is added to.</summary>
    void Matmul(Tensor a, Tensor b, Tensor c, bool accumulate);

    /// <summary>The same product on operands described by <see cref="MatrixOperand"/>s inside the storages of a, b
    /// and c (c's columns must be unit-stride): what ops use to pass transposed or reshaped operands without
    /// building view tensors.</summary>
    void Gemm(Tensor a, MatrixOperand av, Tensor b, MatrixOperand bv, Tensor c, MatrixOperand cv, bool accumulate);

    /// <summary>y = conv2d(x, w) + bias; x [N,C,H,W], w [O,C/groups,kh,kw], y [N,O,OH,OW].</summary>
    void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dParams p);

    /// <summary>gx = gradient of conv2d with respect to its input (gx is zeroed by the backend).</summary>
    void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, Conv2dParams p);

    /// <summary>gw = gradient of conv2d with respect to its weight.</summary>
    void Conv2dBackwardWeight(Tensor gy, Tensor x, Tensor gw, Conv2dParams p);

    /// <summary>Max pooling over [N,C,H,W]; indices (Int64) are flat positions within each H*W plane, as PyTorch.</summary>
    void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dParams p);

    /// <summary>gx (zeroed by the backend) receives gy routed through the indices.</summary>
    void MaxPool2dBackward(Tensor gy, Tensor indices, Tensor gx);

    void AvgPool2d(Tensor x, Tensor y, Pool2dParams p);

    void AvgPool2dBackward(Tensor gy, Tensor gx, Pool2dParams p);

    /// <summary>Adaptive average pooling to y's spatial size (PyTorch's start/end window rule).</summary>
    void AdaptiveAvgPool2d(Tensor x, Tensor y);

    void AdaptiveAvgPool2dBackward(Tensor gy, Tensor gx);

    /// <summary>y[..i..] = x[..index[..i..]..] along dim; index (Int64) has y's shape.</summary>
    void Gather(Tensor x, int dim, Tensor index, Tensor y);

    /// <summary>In place on contiguous y: y[..index[..i..]..] (+)= src[..i..] along dim.</summary>
    void Scatter(Tensor y, int dim, Tensor index, Tensor src, bool accumulate);

    /// <summary>y = x.index_select(dim, index) for a 1-D Int64 index.</summary>
    void IndexSelect(Tensor x, int dim, Tensor index, Tensor y);

    /// <summary>In place on contiguous y: y.index_select(dim, index) += src.</summary>
    void IndexAdd(Tensor y, int dim, Tensor index, Tensor src);

    /// <summary>Inclusive cumulative sum along dim (from the end when <paramref name="reverse"/>).</summary>
    void Cumsum(Tensor x, int dim, Tensor y, bool reverse);

    /// <summary>The linear recurrence h_t = a_t * h_{t-1} + b_t along dim (h_{-1} = h0, or 0 when null); y = h.
    /// Run from the last step back to the first when <paramref name="reverse"/>.</summary>
    void LinearRecurrence(Tensor a, Tensor b, Tensor? h0, int dim, Tensor y, bool reverse);

    /// <summary>Fills contiguous y from the Philox4x32-10 stream (key = seed, counter from offset).</summary>
    void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta);

    /// <summary>y[i] = start + i * step.</summary>
    void Arange(Tensor y, double start, double step);

    /// <summary>In place on contiguous y [rows, n]: y = act(y + bias) row by row (bias [n] optional), the epilogue
    /// of a fused linear layer. <paramref name="activation"/> null means the bias alone.</summary>
    void BiasActivation(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta);

    /// <summary>One fused Adam/AdamW update of a parameter and its moments, in place (all contiguous, one shape):
    /// g = ±grad (+ λθ unless decoupled); m = lerp(m, g, 1 - β1); v = β2 v + (1 - β2) g²; with AMSGrad
    /// vmax = max(vmax, v) replaces v; θ = θ (1 - lr λ if decoupled) - lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + ε).</summary>
    void AdamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, AdamStep step);

    /// <summary>Waits for queued work (no-op on the CPU).</summary>
    void Synchronize();
}
