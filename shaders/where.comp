#version 450
// y = cond ? a : b for any dtype: cond is Bool (one word per element), a, b and y move as WORDS raw 32-bit words.
#define SCALARS_TAIL uint unused0; uint unused1; uint unused2; uint unused3;
#include "include/strided.glsl"

layout(constant_id = 0) const int WORDS = 1;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };
layout(std430, binding = 1) readonly buffer Cond { uint cond[]; };
layout(std430, binding = 2) readonly buffer A { uint a[]; };
layout(std430, binding = 3) readonly buffer B { uint b[]; };

void main() {
    FOR_EACH_ELEMENT(o) {
        bool pick = cond[o.y] != 0u;
        int from = pick ? o.z : o.w;
        y[o.x * WORDS] = pick ? a[from * WORDS] : b[from * WORDS];
        if (WORDS == 2) y[o.x * WORDS + 1] = pick ? a[from * WORDS + 1] : b[from * WORDS + 1];
    }
}
