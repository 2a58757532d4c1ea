#version 450
// y = op(x) for one UnaryOp (OP is the enum's value). Built as unary_f32.spv (T = float), unary_f64.spv (T = double,
// needs shaderFloat64) and unary_u32.spv (Bool words: Not only). GLSL has no double exp/log/sin, so the float64
// module takes them from include/f64math.glsl, as the float32 one does sin, cos, erf, the normal CDF and pow; the
// float32 module keeps GLSL's exp and log for the rest.
#if defined(U32)
#define T uint
#elif defined(F64)
#define T double
#else
#define T float
#endif
#define SCALARS_TAIL T alpha; T beta;
#include "include/strided.glsl"

layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) writeonly buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer X { T x[]; };

#if defined(U32)
T apply(T v) { return OP == 33 ? (v == 0u ? 1u : 0u) : v; } // Not
#else
#include "include/unary_apply.glsl"

T apply(T v) { return unaryApply(OP, v); }
#endif

void main() {
    FOR_EACH_ELEMENT(o) {
        y[o.x] = apply(x[o.y]);
    }
}
