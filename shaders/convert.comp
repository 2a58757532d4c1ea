#version 450
// dst = src with a dtype conversion (truncation toward zero into integers, nonzero -> 1 into bool). Dtype codes:
// 0 float32, 1 float64, 2 int32, 3 int64, 4 bool (one word). Built twice: convert.spv for float32/int32/bool and,
// with WIDE, convert_wide.spv, which also handles float64 and int64 and needs shaderFloat64 and shaderInt64.
#define SCALARS_TAIL uint unused0; uint unused1; uint unused2; uint unused3;
#include "include/strided.glsl"
#ifdef WIDE
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define INT int64_t
#define WIDE_OR(wide, narrow) (wide)
#else
#define INT int
#define WIDE_OR(wide, narrow) (narrow)
#endif

layout(constant_id = 0) const int SRC = 0;
layout(constant_id = 1) const int DST = 0;

layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };
layout(std430, binding = 1) readonly buffer Src { uint src[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        // The source value as the one representation that holds it exactly.
        float f = 0.0;
        INT n = INT(0);
#ifdef WIDE
        double d = 0.0;
        if (SRC == 1) d = packDouble2x32(uvec2(src[2 * o.y], src[2 * o.y + 1]));
        if (SRC == 3) n = int64_t(packUint2x32(uvec2(src[2 * o.y], src[2 * o.y + 1])));
#endif
        if (SRC == 0) f = uintBitsToFloat(src[o.y]);
        if (SRC == 2) n = INT(int(src[o.y]));
        if (SRC == 4) n = INT(src[o.y] != 0u ? 1 : 0);
        bool isFloat32 = SRC == 0;
        bool isInteger = SRC >= 2;

        if (DST == 0) dst[o.x] = floatBitsToUint(isFloat32 ? f : isInteger ? float(n) : WIDE_OR(float(d), 0.0));
        if (DST == 2) dst[o.x] = uint(isFloat32 ? int(f) : isInteger ? int(n) : WIDE_OR(int(d), 0));
        if (DST == 4) dst[o.x] = (isFloat32 ? f != 0.0 : isInteger ? n != INT(0) : WIDE_OR(d != 0.0, false)) ? 1u : 0u;
#ifdef WIDE
        if (DST == 1) {
            uvec2 w = unpackDouble2x32(isFloat32 ? double(f) : isInteger ? double(n) : d);
            dst[2 * o.x] = w.x;
            dst[2 * o.x + 1] = w.y;
        }
        if (DST == 3) {
            uvec2 w = unpackUint2x32(uint64_t(isFloat32 ? int64_t(f) : isInteger ? n : int64_t(d)));
            dst[2 * o.x] = w.x;
            dst[2 * o.x + 1] = w.y;
        }
#endif
    }
}
