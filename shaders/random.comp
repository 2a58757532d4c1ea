#version 450
// Random fills from the Philox4x32-10 stream, the CPU generator's mapping (src/Engine/Tensors/Philox.cs,
// CpuBackend.Random.cs): element i takes words of block offset + i / k (k elements per block), key = seed. The raw
// words and every derivation built from integer and double arithmetic are bit-identical to the CPU. Normals: this build
// evaluates Box-Muller in double as the CPU does, with log and cos from include/f64math.glsl (within a few ulps of the
// CPU's Math.Log/Math.Cos), so float32 normals round to the CPU's values and float64 ones agree within ~1e-15; the
// NARROW build uses float32 log, sqrt and cos and agrees to float precision only.
// y is written as y.Offset + i, as the CPU does. This build needs shaderFloat64 and shaderInt64; the NARROW build is
// for devices without them (Apple, many Intel and mobile GPUs): float32 and int32 outputs, arithmetic in float, so
// uniforms other than [0, 1) may differ from the CPU's in the last bit; integers need an int32 low bound and a range
// below 2^32, passed as words, and stay exact.
#extension GL_EXT_control_flow_attributes : require
#ifdef NARROW
#define REAL float
#else
#define REAL double
#define F64
#define T double
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "include/f64math.glsl"
#endif

layout(local_size_x = 256) in;

// Mirrored by RandomParams.cs.
layout(push_constant, std430) uniform Params {
    int numel;
    int yOffset;
    uint range;
    int low;
    uvec2 seed;
    uvec2 block;
    REAL alpha;
    REAL beta;
} p;

// KIND: 0 uniform, 1 normal, 2 integer (RandomKind); DST: the dtype codes of convert.comp.
layout(constant_id = 0) const int KIND = 0;
layout(constant_id = 1) const int DST = 0;

layout(std430, binding = 0) writeonly buffer Y { uint y[]; };

// Elements per block, as RandomKindInfo.For.
const int PER_BLOCK = KIND == 0 && DST == 1 ? 2 : KIND == 1 && DST == 0 ? 2 : KIND == 1 && DST == 1 ? 1 : 4;

uvec4 philox(uvec4 c, uvec2 k) {
    [[unroll]] for (int round = 0; round < 10; round++) {
        uint hi0, lo0, hi1, lo1;
        umulExtended(0xD2511F53u, c.x, hi0, lo0);
        umulExtended(0xCD9E8D57u, c.z, hi1, lo1);
        c = uvec4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k += uvec2(0x9E3779B9u, 0xBB67AE85u);
    }
    return c;
}

// The top 24 bits as a float in [0, 1): exact.
float uniformFloat(uint w) { return float(w >> 8) * (1.0 / 16777216.0); }

#ifndef NARROW
// 53 bits of (hi, lo) as a double in [0, 1): exact.
double uniformDouble(uint hi, uint lo) { return double((uint64_t(hi) << 32 | uint64_t(lo)) >> 11) * (1.0lf / 9007199254740992.0lf); }

// Box-Muller, cosine branch, in double as CpuBackend.BoxMuller: sqrt(-2 log u1) cos(2 pi u2), 2 pi rounded to double.
double boxMullerDouble(double u1, double u2) {
    precise double r = sqrt(-2.0lf * m_log(u1));
    precise double c = m_cos(6.283185307179586lf * u2);
    precise double v = r * c;
    return v;
}
#else
// Box-Muller, cosine branch, from u1 in (0, 1] and u2 in [0, 1).
float boxMuller(float u1, float u2) { return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2); }
#endif

void main() {
    for (int i = int(gl_GlobalInvocationID.x); i < p.numel; i += int(gl_NumWorkGroups.x * gl_WorkGroupSize.x)) {
        int blk = i / PER_BLOCK;
        int j = i - blk * PER_BLOCK;
        uint carry;
        uint lo = uaddCarry(p.block.x, uint(blk), carry);
        uvec4 w = philox(uvec4(lo, p.block.y + carry, 0u, 0u), p.seed);
        int o = p.yOffset + i;
#ifdef NARROW
        precise float v;
        if (KIND == 0) v = p.alpha + (p.beta - p.alpha) * uniformFloat(w[j]);
        else if (KIND == 1) v = p.alpha + p.beta * boxMuller(uniformFloat(w[2 * j]) + 1.0 / 16777216.0, uniformFloat(w[2 * j + 1]));
        if (KIND == 2) {
            uint hi, lo_;
            umulExtended(w[j], p.range, hi, lo_);
            int n = p.low + int(hi);
            y[o] = DST == 0 ? floatBitsToUint(float(n)) : uint(n);
        } else {
            y[o] = DST == 0 ? floatBitsToUint(v) : uint(int(v));
        }
#else
        precise double v;
        if (KIND == 0 && DST == 1) {
            double u = j == 0 ? uniformDouble(w.x, w.y) : uniformDouble(w.z, w.w);
            v = p.alpha + (p.beta - p.alpha) * u;
        } else if (KIND == 0) {
            v = p.alpha + (p.beta - p.alpha) * double(uniformFloat(w[j]));
        } else if (KIND == 1 && DST == 1) {
            double u1 = uniformDouble(w.x, w.y) + 1.0lf / 9007199254740992.0lf;
            v = p.alpha + p.beta * boxMullerDouble(u1, uniformDouble(w.z, w.w));
        } else if (KIND == 1) {
            // uniformFloat(w) + 2^-24 is exact in float (and in double, as the CPU adds it).
            float u1 = uniformFloat(w[2 * j]) + 1.0 / 16777216.0;
            v = p.alpha + p.beta * boxMullerDouble(double(u1), double(uniformFloat(w[2 * j + 1])));
        } else {
            uint64_t range = uint64_t(p.beta - p.alpha);
            v = p.alpha + double((uint64_t(w[j]) * range) >> 32);
        }
        if (DST == 0) y[o] = floatBitsToUint(float(v));
        if (DST == 2) y[o] = uint(int(v));
        if (DST == 1 || DST == 3) {
            uvec2 words = DST == 1 ? unpackDouble2x32(v) : unpackUint2x32(uint64_t(int64_t(v)));
            y[2 * o] = words.x;
            y[2 * o + 1] = words.y;
        }
#endif
    }
}
