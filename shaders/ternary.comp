#version 450
// y = op(a, b, c; alpha) for the TernaryOps (OP is the enum's value: Addcmul 0, Addcdiv 1, Lerp 2), rounded in the
// CPU backend's order. y may be a itself (in-place optimizer updates): each element is read before it is written by
// the same invocation. Built as ternary_f32 and ternary_f64 (F64, needs shaderFloat64).
#ifdef F64
#define T double
#else
#define T float
#endif
#define SCALARS_TAIL T alpha; T beta;
#include "include/strided.glsl"

layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };
layout(std430, binding = 3) readonly buffer C { T c[]; };

// GLSL may contract a * b + c into one fma; precise keeps the CPU's separate roundings.
T apply(T u, T v, T w) {
    precise T r;
    switch (OP) {
    case 0: r = u + p.alpha * v * w; break;
    case 1: r = u + p.alpha * (v / w); break;
    // Lerp from whichever end is nearer, exact at both ends (as the CPU and PyTorch).
    default: r = w < T(0.5) ? u + w * (v - u) : v - (v - u) * (T(1) - w); break;
    }
    return r;
}

void main() {
    FOR_EACH_ELEMENT(o) {
        y[o.x] = apply(a[o.y], b[o.z], c[o.w]);
    }
}
