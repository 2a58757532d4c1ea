#version 450
// gx = gy * op'(x), from x or from y = op(x), whichever the CPU uses (OP is the UnaryOp value), with the CPU's order of
// operations. Operands: 0 gx, 1 x, 2 y, 3 gy. Built as unary_backward_f32 and unary_backward_f64 (F64, needs
// shaderFloat64); Sin and Cos need sin/cos, which GLSL lacks for double, so the float64 module omits them.
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
#ifndef F64
    case 11: return g * cos(u);                                      // Sin
    case 12: return g * -1.0 * sin(u);                               // Cos
#endif
    default: return g;
    }
}

void main() {
    FOR_EACH_ELEMENT(o) {
        gx[o.x] = derivative(x[o.y], y[o.z], gy[o.w]);
    }
}
