using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>Unary elementwise ops and their derivatives. The input is made contiguous first when it is not; the
/// switches only pick the kernel: TensorPrimitives where it has the function accurately, otherwise an operator
/// struct (UnaryOperators.cs, UnaryDerivatives.cs) run by the one vectorised loop in <see cref="Elementwise"/>.</summary>
public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        var n = y.Numel;
        if (n == 0) return;
        var src = Densify(x);
        if (n < ElementwiseParallelThreshold)
        {
            UnaryRange(op, src, y, alpha, beta, 0, n);
            return;
        }
        UnaryParallel(op, src, y, alpha, beta, n);
    }

    // Separate methods so the closures are allocated only on the (large) parallel path.
    private static void UnaryParallel(UnaryOp op, Tensor x, Tensor y, double alpha, double beta, int n)
        => CpuParallel.For(n, 1, (start, end) => UnaryRange(op, x, y, alpha, beta, start, end));

    private static void DerivativeParallel(UnaryOp op, Tensor x, Tensor y, Tensor g, Tensor gx, double alpha, double beta, int n)
        => CpuParallel.For(n, 1, (start, end) => DerivativeRange(op, x, y, g, gx, alpha, beta, start, end));

    public void BiasActivation(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta)
    {
        var n = y.ShapeArray[^1];
        var rows = n == 0 ? 0 : y.Numel / n;
        if (rows == 0) return;
        var b = bias is null ? null : Densify(bias);
        if (y.Numel < ElementwiseParallelThreshold) BiasActivationRows(y, b, activation, alpha, beta, n, 0, rows);
        else BiasActivationParallel(y, b, activation, alpha, beta, n, rows);
    }

    private static void BiasActivationParallel(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta, int n, int rows)
        => CpuParallel.For(rows, n, (r0, r1) => BiasActivationRows(y, bias, activation, alpha, beta, n, r0, r1));

    /// <summary>Rows [r0, r1): the bias is added and the activation applied while the row is in L1.</summary>
    private static void BiasActivationRows(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta, int n, int r0, int r1)
    {
        switch (y.DType)
        {
            case DType.Float32: BiasActivationRows<float>(y, bias, activation, alpha, beta, n, r0, r1); break;
            case DType.Float64: BiasActivationRows<double>(y, bias, activation, alpha, beta, n, r0, r1); break;
            default: ThrowUnsupported("BiasActivation", y.DType); break;
        }
    }

    private static void BiasActivationRows<T>(Tensor y, Tensor? bias, UnaryOp? activation, double alpha, double beta, int n, int r0, int r1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = Dense<T>(y);
        var bs = bias is null ? default : Dense<T>(bias);
        for (var r = r0; r < r1; r++)
        {
            var row = ys.Slice(r * n, n);
            if (bias is not null) TensorPrimitives.Add(row, bs, row);
            if (activation is { } op) FloatUnary<T>(op, row, row, alpha, beta);
        }
    }

    /// <summary>Elements at or above which a contiguous elementwise op is split across the cores.</summary>
    internal const int ElementwiseParallelThreshold = 1 << 16;

    /// <summary>Elements [start, end) of a unary op on dense tensors.</summary>
    private static void UnaryRange(UnaryOp op, Tensor x, Tensor y, double alpha, double beta, int start, int end)
    {
        var n = end - start;
        switch (y.DType)
        {
            case DType.Float32: FloatUnary(op, Dense<float>(x).Slice(start, n), Dense<float>(y).Slice(start, n), alpha, beta); break;
            case DType.Float64: FloatUnary(op, Dense<double>(x).Slice(start, n), Dense<double>(y).Slice(start, n), alpha, beta); break;
            case DType.Int32: IntUnary(op, Dense<int>(x).Slice(start, n), Dense<int>(y).Slice(start, n), alpha, beta); break;
            case DType.Int64: IntUnary(op, Dense<long>(x).Slice(start, n), Dense<long>(y).Slice(start, n), alpha, beta); break;
            case DType.Bool when op == UnaryOp.Not: Elementwise.Map(Dense<byte>(x).Slice(start, n), Dense<byte>(y).Slice(start, n), new LogicalNotOperator()); break;
            default: ThrowUnsupported($"Unary {op}", y.DType); break;
        }
    }

    private static void IntUnary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, double alpha, double beta)
        where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Sign: Elementwise.Map(x, y, new SignOperator<T>()); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            // The op layer sends whole (or infinite) bounds only; fractional ones promote to float first.
            case UnaryOp.Clamp: Elementwise.Map(x, y, new ClampOperator<T>(T.CreateSaturating(alpha), T.CreateSaturating(beta))); break;
            case UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round: x.CopyTo(y); break;
            case UnaryOp.Affine when alpha == Math.Floor(alpha) && beta == Math.Floor(beta):
                Elementwise.Map(x, y, new AffineOperator<T>(T.CreateChecked(alpha), T.CreateChecked(beta)));
                break;
            default: throw new ArgumentException($"Unary {op}: not supported for integer tensors (with alpha {alpha}, beta {beta}); convert to a floating-point dtype first");
        }
    }

    private static void FloatUnary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = T.CreateTruncating(alpha);
        var b = T.CreateTruncating(beta);
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Sign: Elementwise.Map(x, y, new SignOperator<T>()); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            // TensorPrimitives' LogP1/ExpM1 are log(1 + x) and exp(x) - 1, which lose every digit of a tiny x.
            case UnaryOp.Log1p: Elementwise.Map(x, y, new Log1pOperator<T>()); break;
            case UnaryOp.Expm1: Elementwise.Map(x, y, new Expm1Operator<T>()); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Rsqrt: Elementwise.Map(x, y, new RsqrtOperator<T>()); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, x, y); break;
            case UnaryOp.Sin: TensorPrimitives.Sin(x, y); break;
            case UnaryOp.Cos: TensorPrimitives.Cos(x, y); break;
            case UnaryOp.Tanh: Elementwise.Map(x, y, new TanhOperator<T>()); break;
            case UnaryOp.Sigmoid: Elementwise.Map(x, y, new SigmoidOperator<T>()); break;
            case UnaryOp.Relu: Elementwise.Map(x, y, new ReluOperator<T>()); break;
            case UnaryOp.LeakyRelu: Elementwise.Map(x, y, new LeakyReluOperator<T>(a)); break;
            case UnaryOp.Elu: Elementwise.Map(x, y, new EluOperator<T>(a, T.One)); break;
            case UnaryOp.Selu:
                Elementwise.Map(x, y, new EluOperator<T>(T.CreateTruncating(UnaryConstants.SeluAlpha), T.CreateTruncating(UnaryConstants.SeluScale)));
                break;
            case UnaryOp.Gelu: Elementwise.Map(x, y, new InDoubleOperator<T, GeluLanes>()); break;
            case UnaryOp.GeluTanh: Elementwise.Map(x, y, new GeluTanhOperator<T>()); break;
            case UnaryOp.Silu: Elementwise.Map(x, y, new SiluOperator<T>()); break;
            case UnaryOp.Softplus: Elementwise.Map(x, y, new SoftplusOperator<T>(a, b)); break;
            case UnaryOp.Mish: Elementwise.Map(x, y, new MishOperator<T>()); break;
            case UnaryOp.Erf: Elementwise.Map(x, y, new InDoubleOperator<T, ErfLanes>()); break;
            case UnaryOp.Clamp: Elementwise.Map(x, y, new ClampOperator<T>(a, b)); break;
            // Without a shift, a plain product keeps the sign of a zero (-0 + 0 would be +0).
            case UnaryOp.Affine when b == T.Zero: TensorPrimitives.Multiply(x, a, y); break;
            case UnaryOp.Affine: Elementwise.Map(x, y, new AffineOperator<T>(a, b)); break;
            case UnaryOp.PowScalar: TensorPrimitives.Pow(x, a, y); break;
            case UnaryOp.ScalarPow: TensorPrimitives.Pow(a, x, y); break;
            case UnaryOp.ScalarDiv: TensorPrimitives.Divide(a, x, y); break;
            case UnaryOp.Floor: TensorPrimitives.Floor(x, y); break;
            case UnaryOp.Ceil: TensorPrimitives.Ceiling(x, y); break;
            case UnaryOp.Round: TensorPrimitives.Round(x, y); break;
            default: throw new ArgumentException($"Unary {op}: not supported for floating-point tensors");
        }
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double alpha, double beta)
    {
        var n = gx.Numel;
        if (n == 0) return;
        var xs = Densify(x);
        var ys = Densify(y);
        var gs = Densify(gy);
        if (n < ElementwiseParallelThreshold)
        {
            DerivativeRange(op, xs, ys, gs, gx, alpha, beta, 0, n);
            return;
        }
        DerivativeParallel(op, xs, ys, gs, gx, alpha, beta, n);
    }

    private static void DerivativeRange(UnaryOp op, Tensor x, Tensor y, Tensor g, Tensor gx, double alpha, double beta, int start, int end)
    {
        var n = end - start;
        switch (gx.DType)
        {
            case DType.Float32:
                Derivative(op, Dense<float>(x).Slice(start, n), Dense<float>(y).Slice(start, n), Dense<float>(g).Slice(start, n), Dense<float>(gx).Slice(start, n), alpha, beta);
                break;
            case DType.Float64:
                Derivative(op, Dense<double>(x).Slice(start, n), Dense<double>(y).Slice(start, n), Dense<double>(g).Slice(start, n), Dense<double>(gx).Slice(start, n), alpha, beta);
                break;
            default: ThrowUnsupported($"UnaryBackward {op}", gx.DType); break;
        }
    }

    private static void Derivative<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> gx, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = T.CreateTruncating(alpha);
        var b = T.CreateTruncating(beta);
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(g, gx); break;
            case UnaryOp.Abs: Elementwise.Map(x, g, gx, new AbsDerivative<T>()); break;
            case UnaryOp.Sign or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round: gx.Clear(); break;
            case UnaryOp.Exp: TensorPrimitives.Multiply(g, y, gx); break;
            case UnaryOp.Log: TensorPrimitives.Divide(g, x, gx); break;
            case UnaryOp.Log1p: Elementwise.Map(x, g, gx, new Log1pDerivative<T>()); break;
            case UnaryOp.Expm1: Elementwise.Map(y, g, gx, new Expm1Derivative<T>()); break;
            case UnaryOp.Sqrt: Elementwise.Map(y, g, gx, new SqrtDerivative<T>()); break;
            case UnaryOp.Rsqrt: Elementwise.Map(y, g, gx, new RsqrtDerivative<T>()); break;
            case UnaryOp.Square: Elementwise.Map(x, g, gx, new SquareDerivative<T>()); break;
            case UnaryOp.Reciprocal: Elementwise.Map(y, g, gx, new ReciprocalDerivative<T>()); break;
            case UnaryOp.Sin:
                TensorPrimitives.Cos(x, gx);
                Elementwise.Map(gx, g, gx, new ScaledProduct<T>(T.One));
                break;
            case UnaryOp.Cos:
                TensorPrimitives.Sin(x, gx);
                Elementwise.Map(gx, g, gx, new ScaledProduct<T>(-T.One));
                break;
            case UnaryOp.Tanh: Elementwise.Map(y, g, gx, new TanhDerivative<T>()); break;
            case UnaryOp.Sigmoid: Elementwise.Map(y, g, gx, new SigmoidDerivative<T>()); break;
            case UnaryOp.Relu: Elementwise.Map(x, g, gx, new ReluDerivative<T>()); break;
            case UnaryOp.LeakyRelu: Elementwise.Map(x, g, gx, new LeakyReluDerivative<T>(a)); break;
            case UnaryOp.Elu: Elementwise.Map(x, g, gx, new EluDerivative<T>(a, T.One)); break;
            case UnaryOp.Selu:
                Elementwise.Map(x, g, gx, new EluDerivative<T>(T.CreateTruncating(UnaryConstants.SeluAlpha), T.CreateTruncating(UnaryConstants.SeluScale)));
                break;
            case UnaryOp.Gelu: Elementwise.Map(x, g, gx, new GeluDerivative<T>()); break;
            case UnaryOp.GeluTanh: Elementwise.Map(x, g, gx, new GeluTanhDerivative<T>()); break;
            case UnaryOp.Silu: Elementwise.Map(x, g, gx, new SiluDerivative<T>()); break;
            case UnaryOp.Softplus: Elementwise.Map(x, g, gx, new SoftplusDerivative<T>(a, b)); break;
            case UnaryOp.Mish: Elementwise.Map(x, g, gx, new MishDerivative<T>()); break;
            case UnaryOp.Erf: Elementwise.Map(x, g, gx, new ErfDerivative<T>()); break;
            case UnaryOp.Clamp: Elementwise.Map(x, g, gx, new ClampDerivative<T>(a, b)); break;
            case UnaryOp.Affine: TensorPrimitives.Multiply(g, a, gx); break;
            case UnaryOp.PowScalar when a == T.Zero: gx.Clear(); break;
            case UnaryOp.PowScalar:
                TensorPrimitives.Pow(x, a - T.One, gx);
                Elementwise.Map(gx, g, gx, new ScaledProduct<T>(a));
                break;
            case UnaryOp.ScalarPow: Elementwise.Map(x, y, g, gx, new ScalarPowDerivative<T>(a)); break;
            case UnaryOp.ScalarDiv: Elementwise.Map(x, y, g, gx, new ScalarDivDerivative<T>()); break;
            default: throw new ArgumentException($"UnaryBackward: {op} has no derivative");
        }
    }
}
