#version 450
// y[..i..] = x[..index[..i..]..] along one dim, any dtype (WORDS raw 32-bit words per element). Operands over y's
// shape: 0 y, 1 x with stride 0 along the dim, 2 the Int64 index. The tail carries x's stride and size along the
// dim. An index outside [0, size) reads nothing and yields zero bits (the CPU throws; device-side index errors are
// not reported yet).
#define SCALARS_TAIL int dimStride; int dimSize; uint unused0; uint unused1;
#include "include/strided.glsl"

layout(constant_id = 0) const int WORDS = 1;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };
layout(std430, binding = 1) readonly buffer X { uint x[]; };
layout(std430, binding = 2) readonly buffer Index { uint index[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        uint lo = index[2 * o.z];
        bool inside = index[2 * o.z + 1] == 0u && lo < uint(p.dimSize);
        int from = o.y + int(lo) * p.dimStride;
        y[o.x * WORDS] = inside ? x[from * WORDS] : 0u;
        if (WORDS == 2) y[o.x * WORDS + 1] = inside ? x[from * WORDS + 1] : 0u;
    }
}
