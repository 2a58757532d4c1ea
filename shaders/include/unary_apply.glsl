// The floating-point unary ops (UnaryOp values, the CPU's formulas in UnaryOperators.cs) for T = float or double
// (F64): unaryApply(op, v), with the op's scalars in p.alpha and p.beta. Shared by unary.comp (op = its
// specialization constant) and bias_activation.comp (the activation of a fused linear layer); a constant op folds the
// switch to one case. Include after T and the push constants (SCALARS_TAIL with alpha, beta) are defined.
#include "f64math.glsl"

const T SELU_ALPHA = K(1.6732632423543772848170429916717LF);
const T SELU_SCALE = K(1.0507009873554804934193349852946LF);
const T SQRT_TWO_OVER_PI = K(0.79788456080286535587989211986876LF);
const T GELU_CUBIC = K(0.044715LF);

#ifndef F64
// exp(x) - 1 without the cancellation near 0 (Kahan's trick: the rounding error of u cancels in (u - 1) / log u).
float expm1Accurate(float v) {
    float u = exp(v);
    if (u == 1.0) return v;
    float um1 = u - 1.0;
    if (um1 == -1.0) return -1.0;
    if (isinf(u)) return u;
    return um1 * (v / log(u));                                   // the ratio first, as the CPU: no overflow near the top
}

// log(1 + x) without losing a tiny x (the same trick).
float log1pAccurate(float v) {
    float u = 1.0 + v;
    if (u == 1.0) return v;
    if (isinf(u) && u > 0.0) return u;
    return log(u) * (v / (u - 1.0));                             // as the CPU's vector path: no overflow
}

// 1 / (1 + exp(-x)) from exp(-|x|), so it never overflows.
float logistic(float v) {
    float e = exp(-abs(v));
    float r = 1.0 / (1.0 + e);
    return v < 0.0 ? e * r : r;
}

// tanh from expm1: accurate near 0 (GLSL's tanh may be computed as (e^2x - 1) / (e^2x + 1)), saturating for large |x|.
float tanhAccurate(float v) {
    float a = abs(v);
    if (a > 10.0) return sign(v);
    float e = expm1Accurate(2.0 * a);
    return sign(v) * (e / (e + 2.0));
}

float softplus(float v, float beta, float threshold) {
    float z = v * beta;
    return z > threshold ? v : (max(z, 0.0) + log1pAccurate(exp(-abs(z)))) / beta;
}
#endif

T unaryApply(int op, T v) {
    switch (op) {
    case 0: return -v;                                           // Neg
    case 1: return abs(v);                                       // Abs
    case 2: return v > T(0) ? T(1) : v < T(0) ? T(-1) : v;       // Sign (keeps ±0 and NaN)
    case 7: return sqrt(v);                                      // Sqrt
    case 8: return T(1) / sqrt(v);                               // Rsqrt
    case 9: return v * v;                                        // Square
    case 10: return T(1) / v;                                    // Reciprocal
    case 15: return v <= T(0) ? T(0) : v;                        // Relu (NaN kept: the comparison is false)
    case 16: return v >= T(0) ? v : p.alpha * v;                 // LeakyRelu
    case 25: return isnan(v) ? v : min(max(v, p.alpha), p.beta); // Clamp (NaN kept, as T.Min/T.Max)
    case 26: return p.beta == T(0) ? v * p.alpha : p.alpha * v + p.beta; // Affine (a plain product keeps -0)
    case 29: return p.alpha / v;                                 // ScalarDiv
    case 30: return floor(v);                                    // Floor
    case 31: return ceil(v);                                     // Ceil
    case 32: return m_round_even(v);                             // Round (half to even, as .NET; not GLSL's roundEven, see f64math)
#ifndef F64
    case 3: return exp(v);                                       // Exp
    case 4: return log(v);                                       // Log
    case 5: return log1pAccurate(v);                             // Log1p
    case 6: return expm1Accurate(v);                             // Expm1
    case 11: return m_sin(v);                                    // Sin (GLSL's sin is exact only on [-pi, pi])
    case 12: return m_cos(v);                                    // Cos
    case 13: return tanhAccurate(v);                             // Tanh
    case 14: return logistic(v);                                 // Sigmoid
    case 17: return v > 0.0 ? v : p.alpha * expm1Accurate(v);    // Elu
    case 18: return SELU_SCALE * (v > 0.0 ? v : SELU_ALPHA * expm1Accurate(v)); // Selu
    case 20: return v * logistic(2.0 * SQRT_TWO_OVER_PI * (v + GELU_CUBIC * v * v * v)); // GeluTanh
    case 21: return v * logistic(v);                             // Silu
    case 22: return softplus(v, p.alpha, p.beta);                // Softplus
    case 23: return v * tanhAccurate(softplus(v, 1.0, 20.0));    // Mish
    case 19: return m_gelu(v);                                   // Gelu (x Phi(x), the erf form)
    case 24: return m_erf(v);                                    // Erf
    case 27: return m_pow(v, p.alpha);                           // PowScalar
    case 28: return m_pow(p.alpha, v);                           // ScalarPow
#else
    // The CPU's formulas (UnaryOperators.cs) on f64math.glsl's functions.
    case 3: return m_exp(v);                                     // Exp
    case 4: return m_log(v);                                     // Log
    case 5: return m_log1p(v);                                   // Log1p
    case 6: return m_expm1(v);                                   // Expm1
    case 11: return m_sin(v);                                    // Sin
    case 12: return m_cos(v);                                    // Cos
    case 13: return m_tanh(v);                                   // Tanh
    case 14: return m_sigmoid(v);                                // Sigmoid
    case 17: return v > T(0) ? v : p.alpha * m_expm1(v);         // Elu
    case 18: return SELU_SCALE * (v > T(0) ? v : SELU_ALPHA * m_expm1(v)); // Selu
    case 19: return m_gelu(v);                                   // Gelu
    case 20: return v * m_sigmoid(T(2) * SQRT_TWO_OVER_PI * (v + GELU_CUBIC * v * v * v)); // GeluTanh
    case 21: return v * m_sigmoid(v);                            // Silu
    case 22: {                                                   // Softplus (beta, threshold)
        T z = v * p.alpha;
        return z > p.beta ? v : (max(z, T(0)) + m_log1p(m_exp(-abs(z)))) / p.alpha;
    }
    case 23: {                                                   // Mish: x n / (n + 2), n = e (e + 2)
        T e = m_exp(v);
        T n = e * (e + T(2));
        return v > T(20) ? v : v * n / (n + T(2));
    }
    case 24: return m_erf(v);                                    // Erf
    case 27: return m_pow(v, p.alpha);                           // PowScalar
    case 28: return m_pow(p.alpha, v);                           // ScalarPow
#endif
    default: return v;
    }
}
