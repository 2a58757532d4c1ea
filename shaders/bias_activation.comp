#version 450
// y = act(y + bias) in place, one pass (BiasActivation, the epilogue of a fused linear layer): y [rows, n] with the
// bias broadcast over rows (operand 1, row stride 0; HAS_BIAS = 0 for the activation alone). ACT is the UnaryOp value
// of the activation, -1 for none (the bias alone), applied by unary.comp's formulas (include/unary_apply.glsl). Built
// as bias_activation_f32 and bias_activation_f64 (F64, needs shaderFloat64).
#ifdef F64
#define T double
#else
#define T float
#endif
#define SCALARS_TAIL T alpha; T beta;
#include "include/strided.glsl"

layout(constant_id = 0) const int ACT = -1;
layout(constant_id = 1) const int HAS_BIAS = 1;

layout(std430, binding = 0) buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer Bias { T bias[]; };

#include "include/unary_apply.glsl"

void main() {
    FOR_EACH_ELEMENT(o) {
        T v = y[o.x];
        if (HAS_BIAS != 0) v = v + bias[o.y];
        if (ACT >= 0) v = unaryApply(ACT, v);
        y[o.x] = v;
    }
}
