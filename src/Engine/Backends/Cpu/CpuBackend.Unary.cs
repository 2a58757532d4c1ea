using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

/// <summary>Unary elementwise ops and their derivatives. The input is made contiguous first when it is not, then
/// the op runs on whole spans (TensorPrimitives where it has the function, a scalar loop otherwise).</summary>
public sealed partial class CpuBackend
{
    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;
    private const double SqrtTwoOverPi = 0.79788456080286535587989211986876;
    private const double InvSqrtTwoPi = 0.39894228040143267793994605993438;
    private const double InvSqrtTwo = 0.70710678118654752440084436210485;
    private const double GeluCubic = 0.044715;

    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        if (y.Numel == 0) return;
        var src = Densify(x);
        switch (y.DType)
        {
            case DType.Float32: FloatUnary(op, Dense<float>(src), Dense<float>(y), alpha, beta); break;
            case DType.Float64: FloatUnary(op, Dense<double>(src), Dense<double>(y), alpha, beta); break;
            case DType.Int32: IntUnary(op, Dense<int>(src), Dense<int>(y), alpha, beta); break;
            case DType.Int64: IntUnary(op, Dense<long>(src), Dense<long>(y), alpha, beta); break;
            case DType.Bool when op == UnaryOp.Not:
                var xs = Dense<byte>(src);
                var ys = Dense<byte>(y);
                for (var i = 0; i < ys.Length; i++) ys[i] = xs[i] == 0 ? (byte)1 : (byte)0;
                break;
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
            case UnaryOp.Sign: for (var i = 0; i < x.Length; i++) y[i] = T.CreateTruncating(T.Sign(x[i])); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case UnaryOp.Clamp:
                // The op layer sends whole (or infinite) bounds only; fractional ones promote to float first.
                var lo = T.CreateSaturating(alpha);
                var hi = T.CreateSaturating(beta);
                for (var i = 0; i < x.Length; i++) y[i] = T.Min(T.Max(x[i], lo), hi);
                break;
            case UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round: x.CopyTo(y); break;
            case UnaryOp.Affine when alpha == Math.Floor(alpha) && beta == Math.Floor(beta):
                var a = T.CreateChecked(alpha);
                var b = T.CreateChecked(beta);
                for (var i = 0; i < x.Length; i++) y[i] = a * x[i] + b;
                break;
            default: throw new ArgumentException($"Unary {op}: not supported for integer tensors (with alpha {alpha}, beta {beta}); convert to a floating-point dtype first");
        }
    }

    private static void FloatUnary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = T.CreateTruncating(alpha);
        var b = T.CreateTruncating(beta);
        var n = x.Length;
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Sign:
                for (var i = 0; i < n; i++) y[i] = x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : x[i];
                break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            // TensorPrimitives' LogP1/ExpM1 are log(1 + x) and exp(x) - 1, which lose every digit of a tiny x.
            case UnaryOp.Log1p: for (var i = 0; i < n; i++) y[i] = SpecialFunctions.Log1p(x[i]); break;
            case UnaryOp.Expm1: for (var i = 0; i < n; i++) y[i] = SpecialFunctions.Expm1(x[i]); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Rsqrt: for (var i = 0; i < n; i++) y[i] = T.One / T.Sqrt(x[i]); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, x, y); break;
            case UnaryOp.Sin: TensorPrimitives.Sin(x, y); break;
            case UnaryOp.Cos: TensorPrimitives.Cos(x, y); break;
            case UnaryOp.Tanh: Tanh(x, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Relu: for (var i = 0; i < n; i++) y[i] = x[i] > T.Zero || T.IsNaN(x[i]) ? x[i] : T.Zero; break;
            case UnaryOp.LeakyRelu: for (var i = 0; i < n; i++) y[i] = x[i] >= T.Zero ? x[i] : a * x[i]; break;
            case UnaryOp.Elu: for (var i = 0; i < n; i++) y[i] = x[i] > T.Zero ? x[i] : a * SpecialFunctions.Expm1(x[i]); break;
            case UnaryOp.Selu:
                var sa = T.CreateTruncating(SeluAlpha);
                var ss = T.CreateTruncating(SeluScale);
                for (var i = 0; i < n; i++) y[i] = ss * (x[i] > T.Zero ? x[i] : sa * SpecialFunctions.Expm1(x[i]));
                break;
            case UnaryOp.Gelu: for (var i = 0; i < n; i++) y[i] = T.CreateTruncating(GeluErf(double.CreateTruncating(x[i]))); break;
            case UnaryOp.GeluTanh:
                // 0.5 x (1 + tanh u) written as x sigmoid(2u): no cancellation of 1 + tanh u for negative x.
                var c2 = T.CreateTruncating(2 * SqrtTwoOverPi);
                var k = T.CreateTruncating(GeluCubic);
                for (var i = 0; i < n; i++)
                {
                    var v = x[i];
                    y[i] = v / (T.One + T.Exp(-c2 * (v + k * v * v * v)));
                }
                break;
            case UnaryOp.Silu: for (var i = 0; i < n; i++) y[i] = x[i] / (T.One + T.Exp(-x[i])); break;
            case UnaryOp.Softplus: for (var i = 0; i < n; i++) y[i] = Softplus(x[i], a, b); break;
            case UnaryOp.Mish:
                var twenty = T.CreateTruncating(20.0);
                for (var i = 0; i < n; i++) y[i] = x[i] * T.Tanh(Softplus(x[i], T.One, twenty));
                break;
            case UnaryOp.Erf: for (var i = 0; i < n; i++) y[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x[i]))); break;
            case UnaryOp.Clamp: for (var i = 0; i < n; i++) y[i] = T.IsNaN(x[i]) ? x[i] : T.Min(T.Max(x[i], a), b); break;
            case UnaryOp.Affine:
                TensorPrimitives.Multiply(x, a, y);
                if (b != T.Zero) TensorPrimitives.Add(y, b, y);
                break;
            case UnaryOp.PowScalar: TensorPrimitives.Pow(x, a, y); break;
            case UnaryOp.ScalarPow: TensorPrimitives.Pow(a, x, y); break;
            case UnaryOp.ScalarDiv: TensorPrimitives.Divide(a, x, y); break;
            case UnaryOp.Floor: TensorPrimitives.Floor(x, y); break;
            case UnaryOp.Ceil: TensorPrimitives.Ceiling(x, y); break;
            case UnaryOp.Round: TensorPrimitives.Round(x, y); break;
            default: throw new ArgumentException($"Unary {op}: not supported for floating-point tensors");
        }
    }

    /// <summary>PyTorch's softplus: log(1 + exp(beta x)) / beta, and x itself where beta x &gt; threshold.</summary>
    private static T Softplus<T>(T x, T beta, T threshold)
        where T : IFloatingPointIeee754<T>
        => x * beta > threshold ? x : SpecialFunctions.Log1p(T.Exp(x * beta)) / beta;

    /// <summary>x Phi(x), with Phi from erfc so the left tail keeps its relative precision.</summary>
    private static double GeluErf(double x) => x * NormalCdf(x);

    private static double NormalCdf(double x) => 0.5 * SpecialFunctions.Erfc(-x * InvSqrtTwo);

    /// <summary>TensorPrimitives.Tanh works from exp(2x) and loses relative precision as |x| shrinks (60x the value
    /// at 1e-9 in float32, 1e-13 relative near 1e-3 in float64); below 0.55 the scalar tanh is used instead.</summary>
    private static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var small = T.CreateTruncating(0.55);
        TensorPrimitives.Tanh(x, y);
        for (var i = 0; i < y.Length; i++)
            if (T.Abs(x[i]) < small) y[i] = T.Tanh(x[i]);
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double alpha, double beta)
    {
        if (gx.Numel == 0) return;
        var xs = Densify(x);
        var ys = Densify(y);
        var gs = Densify(gy);
        switch (gx.DType)
        {
            case DType.Float32: Derivative(op, Dense<float>(xs), Dense<float>(ys), Dense<float>(gs), Dense<float>(gx), alpha, beta); break;
            case DType.Float64: Derivative(op, Dense<double>(xs), Dense<double>(ys), Dense<double>(gs), Dense<double>(gx), alpha, beta); break;
            default: ThrowUnsupported($"UnaryBackward {op}", gx.DType); break;
        }
    }

    private static void Derivative<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> gx, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = T.CreateTruncating(alpha);
        var b = T.CreateTruncating(beta);
        var n = gx.Length;
        var two = T.CreateTruncating(2.0);
        var half = T.CreateTruncating(0.5);
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(g, gx); break;
            case UnaryOp.Abs: for (var i = 0; i < n; i++) gx[i] = g[i] * (x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : T.Zero); break;
            case UnaryOp.Sign or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round: gx.Clear(); break;
            case UnaryOp.Exp: TensorPrimitives.Multiply(g, y, gx); break;
            case UnaryOp.Log: TensorPrimitives.Divide(g, x, gx); break;
            case UnaryOp.Log1p: for (var i = 0; i < n; i++) gx[i] = g[i] / (T.One + x[i]); break;
            case UnaryOp.Expm1: for (var i = 0; i < n; i++) gx[i] = g[i] * (y[i] + T.One); break;
            case UnaryOp.Sqrt: for (var i = 0; i < n; i++) gx[i] = g[i] * half / y[i]; break;
            case UnaryOp.Rsqrt: for (var i = 0; i < n; i++) gx[i] = -half * g[i] * y[i] * y[i] * y[i]; break;
            case UnaryOp.Square: for (var i = 0; i < n; i++) gx[i] = two * x[i] * g[i]; break;
            case UnaryOp.Reciprocal: for (var i = 0; i < n; i++) gx[i] = -g[i] * y[i] * y[i]; break;
            case UnaryOp.Sin: for (var i = 0; i < n; i++) gx[i] = g[i] * T.Cos(x[i]); break;
            case UnaryOp.Cos: for (var i = 0; i < n; i++) gx[i] = -g[i] * T.Sin(x[i]); break;
            case UnaryOp.Tanh: for (var i = 0; i < n; i++) gx[i] = g[i] * (T.One - y[i] * y[i]); break;
            case UnaryOp.Sigmoid: for (var i = 0; i < n; i++) gx[i] = g[i] * y[i] * (T.One - y[i]); break;
            case UnaryOp.Relu: for (var i = 0; i < n; i++) gx[i] = x[i] > T.Zero ? g[i] : T.Zero; break;
            case UnaryOp.LeakyRelu: for (var i = 0; i < n; i++) gx[i] = x[i] > T.Zero ? g[i] : a * g[i]; break;
            // alpha exp(x) rather than y + alpha, which cancels for very negative x.
            case UnaryOp.Elu: for (var i = 0; i < n; i++) gx[i] = x[i] > T.Zero ? g[i] : g[i] * a * T.Exp(x[i]); break;
            case UnaryOp.Selu:
                var sa = T.CreateTruncating(SeluAlpha);
                var ss = T.CreateTruncating(SeluScale);
                for (var i = 0; i < n; i++) gx[i] = g[i] * ss * (x[i] > T.Zero ? T.One : sa * T.Exp(x[i]));
                break;
            case UnaryOp.Gelu:
                for (var i = 0; i < n; i++)
                {
                    var v = double.CreateTruncating(x[i]);
                    var pdf = InvSqrtTwoPi * Math.Exp(-0.5 * v * v);
                    gx[i] = g[i] * T.CreateTruncating(NormalCdf(v) + v * pdf);
                }
                break;
            case UnaryOp.GeluTanh:
                var c = T.CreateTruncating(SqrtTwoOverPi);
                var k = T.CreateTruncating(GeluCubic);
                var k3 = T.CreateTruncating(3 * GeluCubic);
                for (var i = 0; i < n; i++)
                {
                    var v = x[i];
                    var t = T.Tanh(c * (v + k * v * v * v));
                    gx[i] = g[i] * (half * (T.One + t) + half * v * (T.One - t * t) * c * (T.One + k3 * v * v));
                }
                break;
            case UnaryOp.Silu:
                for (var i = 0; i < n; i++)
                {
                    var s = T.One / (T.One + T.Exp(-x[i]));
                    gx[i] = g[i] * s * (T.One + x[i] * (T.One - s));
                }
                break;
            case UnaryOp.Softplus:
                for (var i = 0; i < n; i++)
                    gx[i] = x[i] * a > b ? g[i] : g[i] / (T.One + T.Exp(-a * x[i]));
                break;
            case UnaryOp.Mish:
                var twenty = T.CreateTruncating(20.0);
                for (var i = 0; i < n; i++)
                {
                    var t = T.Tanh(Softplus(x[i], T.One, twenty));
                    var s = T.One / (T.One + T.Exp(-x[i]));
                    gx[i] = g[i] * (t + x[i] * s * (T.One - t * t));
                }
                break;
            case UnaryOp.Erf:
                var twoOverSqrtPi = T.CreateTruncating(1.1283791670955126);
                for (var i = 0; i < n; i++) gx[i] = g[i] * twoOverSqrtPi * T.Exp(-x[i] * x[i]);
                break;
            case UnaryOp.Clamp: for (var i = 0; i < n; i++) gx[i] = x[i] >= a && x[i] <= b ? g[i] : T.Zero; break;
            case UnaryOp.Affine: TensorPrimitives.Multiply(g, a, gx); break;
            case UnaryOp.PowScalar:
                var am1 = a - T.One;
                for (var i = 0; i < n; i++) gx[i] = a == T.Zero ? T.Zero : g[i] * a * T.Pow(x[i], am1);
                break;
            case UnaryOp.ScalarPow:
                // d/dx a^x = a^x log a; for a = 0 it is 0 where x >= 0 (as PyTorch), not 0 * -inf.
                var lnA = T.Log(a);
                for (var i = 0; i < n; i++) gx[i] = a == T.Zero && x[i] >= T.Zero ? T.Zero : g[i] * y[i] * lnA;
                break;
            case UnaryOp.ScalarDiv: for (var i = 0; i < n; i++) gx[i] = -g[i] * y[i] / x[i]; break;
            default: throw new ArgumentException($"UnaryBackward: {op} has no derivative");
        }
    }
}
