namespace Engine.Backends;

/// <summary>Elementwise one-input ops. Parameters (slope, bounds, exponent, scale) travel as alpha/beta.</summary>
public enum UnaryOp
{
    Neg,
    Abs,
    Sign,
    Exp,
    Log,
    Log1p,
    Expm1,
    Sqrt,
    Rsqrt,
    Square,
    Reciprocal,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,
    /// <summary>x &gt;= 0 ? x : alpha * x.</summary>
    LeakyRelu,
    /// <summary>x &gt; 0 ? x : alpha * (exp(x) - 1).</summary>
    Elu,
    Selu,
    /// <summary>x * Phi(x), the exact (erf) form.</summary>
    Gelu,
    /// <summary>The tanh approximation of GELU.</summary>
    GeluTanh,
    Silu,
    /// <summary>log(1 + exp(alpha * x)) / alpha, linear where alpha * x &gt; beta (PyTorch's beta and threshold).</summary>
    Softplus,
    Mish,
    Erf,
    /// <summary>min(max(x, alpha), beta); HardTanh is Clamp with its bounds.</summary>
    Clamp,
    /// <summary>alpha * x + beta.</summary>
    Affine,
    /// <summary>x ^ alpha.</summary>
    PowScalar,
    /// <summary>alpha ^ x.</summary>
    ScalarPow,
    /// <summary>alpha / x.</summary>
    ScalarDiv,
    Floor,
    Ceil,
    Round,
    /// <summary>Logical not; Bool in, Bool out.</summary>
    Not,
}

/// <summary>Elementwise two-input ops. Comparisons and logical ops produce Bool.</summary>
public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// <summary>Fused elementwise three-input ops (the optimizer updates' building blocks). Alpha is a scalar factor.</summary>
public enum TernaryOp
{
    /// <summary>a + alpha * b * c.</summary>
    Addcmul,
    /// <summary>a + alpha * b / c.</summary>
    Addcdiv,
    /// <summary>a + c * (b - a): linear interpolation from a to b with weight c.</summary>
    Lerp,
}

public enum ReduceOp
{
    Sum,
    Max,
    Min,
}

public enum RandomKind
{
    /// <summary>Uniform on [alpha, beta).</summary>
    Uniform,
    /// <summary>Normal with mean alpha and standard deviation beta.</summary>
    Normal,
    /// <summary>Integers uniform on [alpha, beta).</summary>
    Integer,
}

public static class OpKindExtensions
{
    public static bool IsComparison(this BinaryOp op) => op is >= BinaryOp.Eq and <= BinaryOp.Or;
}

internal static class IntMath
{
    /// <summary>Division rounding toward negative infinity (C# rounds toward zero), as output-size formulas need
    /// when a window is larger than the padded input.</summary>
    public static int FloorDiv(int a, int b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

/// <summary>Conv2d geometry. Conv1d is Conv2d over a height of 1.</summary>
public readonly record struct Conv2dParams(
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW, int Groups)
{
    public int OutSize(int inSize, int kernel, bool height)
    {
        var (s, p, d) = height ? (StrideH, PadH, DilationH) : (StrideW, PadW, DilationW);
        return IntMath.FloorDiv(inSize + 2 * p - d * (kernel - 1) - 1, s) + 1;
    }
}

/// <summary>Pooling geometry, as PyTorch's MaxPool2d/AvgPool2d arguments.</summary>
public readonly record struct Pool2dParams(
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW,
    bool CeilMode, bool CountIncludePad)
{
    public int OutSize(int inSize, bool height)
    {
        var (k, s, p, d) = height ? (KernelH, StrideH, PadH, DilationH) : (KernelW, StrideW, PadW, DilationW);
        var span = inSize + 2 * p - d * (k - 1) - 1;
        var o = (CeilMode ? IntMath.FloorDiv(span + s - 1, s) : IntMath.FloorDiv(span, s)) + 1;
        // PyTorch: with ceil mode the last window must start inside the input or the left padding.
        if (CeilMode && (o - 1) * s >= inSize + p) o--;
        return o;
    }
}

/// <summary>One Adam or AdamW step (PyTorch's update rule) for <see cref="IBackend.AdamUpdate"/>.</summary>
/// <param name="Decoupled">AdamW: θ = θ (1 - lr λ) instead of adding λθ to the gradient.</param>
/// <param name="Step">The step number t, from 1, for the bias corrections.</param>
public readonly record struct AdamStep(
    double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Decoupled, bool Maximize, long Step);
