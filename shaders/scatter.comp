#version 450
// y[..index[..i..]..] = src[..i..] (ACCUMULATE = 0, any dtype as WORDS raw words; with repeated indices one of the
// writes wins) or += src (ACCUMULATE = 1: float32 through a compare-and-swap loop, int32 through atomicAdd, both on
// the word; the summation order is not the CPU's). Operands over the index's shape: 0 y with stride 0 along the dim,
// 1 src, 2 the Int64 index. The tail carries y's stride and size along the dim, the op's code and the dim. An
// index outside [0, size) writes nothing, and the first one is recorded in the error buffer (binding 3,
// include/index_errors.glsl) for the host to raise at its next wait, as the CPU's exception.
#define SCALARS_TAIL int dimStride; int dimSize; uint opCode; uint dim;
#include "include/strided.glsl"
#include "include/index_errors.glsl"

layout(constant_id = 0) const int WORDS = 1;
layout(constant_id = 1) const int ACCUMULATE = 0;
layout(constant_id = 2) const int FLOAT = 1;

layout(std430, binding = 0) buffer Y { uint y[]; };
layout(std430, binding = 1) readonly buffer Src { uint src[]; };
layout(std430, binding = 2) readonly buffer Index { uint index[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        uint lo = index[2 * o.z];
        uint hi = index[2 * o.z + 1];
        if (hi != 0u || lo >= uint(p.dimSize)) {
            reportBadIndex(lo, hi);
            continue;
        }
        int at = o.x + int(lo) * p.dimStride;
        if (ACCUMULATE == 0) {
            y[at * WORDS] = src[o.y * WORDS];
            if (WORDS == 2) y[at * WORDS + 1] = src[o.y * WORDS + 1];
        } else if (FLOAT == 0) {
            atomicAdd(y[at], src[o.y]);
        } else {
            float v = uintBitsToFloat(src[o.y]);
            uint seen = y[at];
            for (;;) {
                uint expected = seen;
                seen = atomicCompSwap(y[at], expected, floatBitsToUint(uintBitsToFloat(expected) + v));
                if (seen == expected) break;
            }
        }
    }
}
