#version 450
// y[i] = start + i * step, computed in double and truncated into y's dtype as the CPU does (DST: the dtype codes of
// convert.comp). Needs shaderFloat64 and shaderInt64; y is one-dimensional with any stride.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define SCALARS_TAIL double start; double step;
#include "include/strided.glsl"

layout(constant_id = 0) const int DST = 0;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        double v = p.start + double(i_) * p.step;
        if (DST == 0) y[o.x] = floatBitsToUint(float(v));
        if (DST == 2) y[o.x] = uint(int(v));
        if (DST == 1 || DST == 3) {
            uvec2 w = DST == 1 ? unpackDouble2x32(v) : unpackUint2x32(uint64_t(int64_t(v)));
            y[2 * o.x] = w.x;
            y[2 * o.x + 1] = w.y;
        }
    }
}
