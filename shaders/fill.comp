#version 450
// dst = value for any dtype: the value travels as its raw 32-bit words (WORDS = 1 or 2 per element), so one
// module serves float32, int32, bool (stored as one word on the device), float64 and int64.
#define SCALARS_TAIL uint lo; uint hi; uint unused0; uint unused1;
#include "include/strided.glsl"

layout(constant_id = 0) const int WORDS = 1;

layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        dst[o.x * WORDS] = p.lo;
        if (WORDS == 2) dst[o.x * WORDS + 1] = p.hi;
    }
}
