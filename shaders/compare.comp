#version 450
// y = a op b for the comparison and logical BinaryOps (OP is the enum's value: Eq 7 ... Or 14); y is Bool, stored
// as one word per element on the device. Built for T = float, double (needs shaderFloat64), int, int64_t (needs
// shaderInt64) and uint (Bool).
#if defined(F64)
#define T double
#elif defined(I32)
#define T int
#elif defined(I64)
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define T int64_t
#elif defined(U32)
#define T uint
#else
#define T float
#endif
#define SCALARS_TAIL uint unused0; uint unused1; uint unused2; uint unused3;
#include "include/strided.glsl"

layout(constant_id = 0) const int OP = 7;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };

bool apply(T u, T v) {
    switch (OP) {
    case 7: return u == v;
    case 8: return u != v;
    case 9: return u < v;
    case 10: return u <= v;
    case 11: return u > v;
    case 12: return u >= v;
    case 13: return u != T(0) && v != T(0);
    case 14: return u != T(0) || v != T(0);
    default: return false;
    }
}

void main() {
    FOR_EACH_ELEMENT(o) {
        y[o.x] = apply(a[o.y], b[o.z]) ? 1u : 0u;
    }
}
