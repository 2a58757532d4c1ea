#version 450
// y[..i..] = x[..index[..i..]..] along one dim, any dtype (WORDS raw 32-bit words per element). Operands over y's
// shape: 0 y, 1 x with stride 0 along the dim, 2 the Int64 index. The tail carries x's stride and size along the
// dim, the op's code and the dim (for the error report). An index outside [0, size) reads nothing and yields zero
// bits, and the first one is recorded in the error buffer (binding 3, include/index_errors.glsl) for the host to
// raise at its next wait, as the CPU's exception.
#define SCALARS_TAIL int dimStride; int dimSize; uint opCode; uint dim;
#include "include/strided.glsl"
#include "include/index_errors.glsl"

layout(constant_id = 0) const int WORDS = 1;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };
layout(std430, binding = 1) readonly buffer X { uint x[]; };
layout(std430, binding = 2) readonly buffer Index { uint index[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        uint lo = index[2 * o.z];
        uint hi = index[2 * o.z + 1];
        bool inside = hi == 0u && lo < uint(p.dimSize);
        if (!inside) reportBadIndex(lo, hi);
        int from = o.y + int(lo) * p.dimStride;
        y[o.x * WORDS] = inside ? x[from * WORDS] : 0u;
        if (WORDS == 2) y[o.x * WORDS + 1] = inside ? x[from * WORDS + 1] : 0u;
    }
}
