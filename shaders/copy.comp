#version 450
// dst = src between any strides, same dtype: elements move as WORDS raw 32-bit words.
#define SCALARS_TAIL uint unused0; uint unused1; uint unused2; uint unused3;
#include "include/strided.glsl"

layout(constant_id = 0) const int WORDS = 1;

layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };
layout(std430, binding = 1) readonly buffer Src { uint src[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        dst[o.x * WORDS] = src[o.y * WORDS];
        if (WORDS == 2) dst[o.x * WORDS + 1] = src[o.y * WORDS + 1];
    }
}
