#version 450
// y = a op b for the arithmetic BinaryOps (OP is the enum's value: Add 0, Sub 1, Mul 2, Div 3, Pow 4, Maximum 5,
// Minimum 6). Built for T = float (binary_f32), double (binary_f64, needs shaderFloat64), int (binary_i32) and int64_t
// (binary_i64, needs shaderInt64); Pow in the floating-point ones only, which the host enforces.
#if defined(F64)
#define T double
#define FLOATING 1
#elif defined(I32)
#define T int
#define FLOATING 0
#elif defined(I64)
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define T int64_t
#define FLOATING 0
#else
#define T float
#define FLOATING 1
#endif
#define SCALARS_TAIL uint unused0; uint unused1; uint unused2; uint unused3;
#include "include/strided.glsl"

layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) writeonly buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };

#if FLOATING
bool eitherNan(T u, T v) { return isnan(u) || isnan(v); }
#else
bool eitherNan(T u, T v) { return false; }
#endif

#if FLOATING
// Pow: x^y with .NET's (C's) special cases, from include/f64math.glsl (GLSL's pow is float only, and undefined for
// x < 0 and for x = 0, y <= 0).
#include "include/f64math.glsl"
#endif

T apply(T u, T v) {
    switch (OP) {
    case 0: return u + v;
    case 1: return u - v;
    case 2: return u * v;
    case 3: return u / v;
#if FLOATING
    case 4: return m_pow(u, v);
#endif
    case 5: return eitherNan(u, v) ? u + v : max(u, v);
    case 6: return eitherNan(u, v) ? u + v : min(u, v);
    default: return u;
    }
}

void main() {
    FOR_EACH_ELEMENT(o) {
        y[o.x] = apply(a[o.y], b[o.z]);
    }
}
