#version 450
// gx = gy * op'(x), from x or from y = op(x), whichever the CPU uses (OP is the UnaryOp value), with the CPU's order of
// operations. Operands: 0 gx, 1 x, 2 y, 3 gy. Built as unary_backward_f32 and unary_backward_f64 (F64, needs
// shaderFloat64). GLSL lacks double exp, log, sin and cos: the float64 module takes them from include/f64math.glsl,
// the float32 one sin, cos, pow and GELU's slope (exp and log from GLSL's float functions).
#ifdef F64
#define T double
#else
#define T float
#endif
#define SCALARS_TAIL T alpha; T beta;
#include "include/strided.glsl"

layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) writeonly buffer GX { T gx[]; };
layout(std430, binding = 1) readonly buffer X { T x[]; };
layout(std430, binding = 2) readonly buffer Y { T y[]; };
layout(std430, binding = 3) readonly buffer GY { T gy[]; };

#include "include/f64math.glsl"

#ifdef F64
#define EXP m_exp
#define LOG m_log
#define SIN m_sin
#define COS m_cos
#else
// GLSL's sin and cos are exact only on [-pi, pi]: f64math's reduce any argument.
#define EXP exp
#define LOG log
#define SIN m_sin
#define COS m_cos
#endif

const T SELU_ALPHA = K(1.6732632423543772848170429916717LF);
const T SELU_SCALE = K(1.0507009873554804934193349852946LF);
const T TWO_C = K(1.5957691216057307117597842397375LF);    // 2 sqrt(2 / pi)
const T GELU_K = K(0.044715LF);
const T GELU_K3 = K(0.134145LF);                           // 3 * 0.044715, as the CPU rounds it
const T TWO_OVER_SQRT_PI = K(1.1283791670955125738961589031215LF);

// g scale (x > 0 ? 1 : alpha exp(x)) for ELU and SELU.
T eluDerivative(T u, T g, T alpha, T scale) { return g * scale * (u > T(0) ? T(1) : alpha * EXP(u)); }

T derivative(T u, T v, T g) {
    switch (OP) {
    case 0: return -g;                                               // Neg
    case 1: return g * (u > T(0) ? T(1) : u < T(0) ? T(-1) : T(0));  // Abs
    case 2: case 30: case 31: case 32: return T(0);                  // Sign, Floor, Ceil, Round
    case 3: return g * v;                                            // Exp
    case 4: return g / u;                                            // Log
    case 5: return g / (T(1) + u);                                   // Log1p
    case 6: return g * (v + T(1));                                   // Expm1
    case 7: return g * T(0.5) / v;                                   // Sqrt
    case 8: return T(-0.5) * g * v * v * v;                          // Rsqrt
    case 9: return (u + u) * g;                                      // Square
    case 10: return -g * v * v;                                      // Reciprocal
    case 13: return g * (T(1) - v * v);                              // Tanh
    case 14: return g * v * (T(1) - v);                              // Sigmoid
    case 15: return u > T(0) ? g : T(0);                             // Relu
    case 16: return u > T(0) ? g : p.alpha * g;                      // LeakyRelu
    case 25: return u >= p.alpha && u <= p.beta ? g : T(0);          // Clamp
    case 26: return g * p.alpha;                                     // Affine
    case 29: return -g * v / u;                                      // ScalarDiv
    case 11: return g * T(1) * COS(u);                               // Sin
    case 12: return g * T(-1) * SIN(u);                              // Cos
    case 17: return eluDerivative(u, g, p.alpha, T(1));              // Elu
    case 18: return eluDerivative(u, g, SELU_ALPHA, SELU_SCALE);     // Selu
    case 19: return g * m_gelu_slope(u);                             // Gelu
    case 20: {                                                       // GeluTanh
        T c;
        T s = m_logistic(TWO_C * (u + GELU_K * u * u * u), c);
        return g * s * (T(1) + u * c * TWO_C * (T(1) + GELU_K3 * u * u));
    }
    case 21: {                                                       // Silu
        T c;
        T s = m_logistic(u, c);
        return g * s * (T(1) + u * c);
    }
    case 22: {                                                       // Softplus (beta, threshold)
        T z = u * p.alpha;
        T c;
        return z > p.beta ? g : g * m_logistic(z, c);
    }
    case 23: {                                                       // Mish
        T e = EXP(u);
        T n = e * (e + T(2));
        T q = n + T(2);
        return u > T(20) ? g : g * (n / q + u * T(4) * e * (e + T(1)) / (q * q));
    }
    case 24: return g * TWO_OVER_SQRT_PI * EXP(-u * u);              // Erf
    case 27: return p.alpha == T(0) ? T(0) : g * p.alpha * m_pow(u, p.alpha - T(1)); // PowScalar
    case 28: return p.alpha == T(0) && u >= T(0) ? T(0) : g * v * LOG(p.alpha); // ScalarPow
    default: return g;
    }
}

void main() {
    FOR_EACH_ELEMENT(o) {
        gx[o.x] = derivative(x[o.y], y[o.z], gy[o.w]);
    }
}
