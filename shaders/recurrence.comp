#version 450
// The linear recurrence h_t = a_t h_{t-1} + b_t along one dim, as a chunked parallel scan in three dispatches (PHASE):
//   0  one invocation per (row, chunk c but the last): the chunk's composed map h -> A h + B (A = prod a_t, B the
//      recurrence run from 0), into scratch[2 i], scratch[2 i + 1] for i = row * chunks + c;
//   1  one invocation per row: the chunk starts h_{c+1} = A_c h_c + B_c, each written over B_c;
//   2  one invocation per (row, chunk): the recurrence over the chunk from its start (h0, or 0, for chunk 0), each
//      step a_t h + b_t rounded as the CPU rounds it (`precise`: no fma), written to y.
// So the first chunk of every row is bit-identical to the CPU, and a row of one chunk (many rows) skips phases 0 and 1.
// Each invocation loops over at most one chunk (phases 0, 2) or a row's chunk count (phase 1), both kept below
// llvmpipe's 65535 iterations by the host's choice of the chunk length. Reverse runs are forward runs over negated
// strides (the host moves the offsets to the last step). Operands: 0 y, 1 a, 2 b, 3 h0 (contiguous in row order;
// unread without HAS_H0), 4 scratch. Built as recurrence_f32 and recurrence_f64 (F64, needs shaderFloat64).
#extension GL_EXT_control_flow_attributes : require
#ifdef F64
#define T double
#else
#define T float
#endif

layout(local_size_x = 64) in;

// Mirrored by RecurrenceParams.cs.
layout(push_constant, std430) uniform Params {
    int rows;
    int steps;       // the scanned length
    int chunk;       // steps per chunk
    int chunks;      // chunks per row
    int off0;        // y, a, b: offsets of step 0 of row 0
    int off1;
    int off2;
    int h0Offset;
    int step0;       // y, a, b: strides along the scanned dim
    int step1;
    int step2;
    int pad;
    int shape[4];    // the other dims, collapsed, left-padded with 1
    int stride0[4];
    int stride1[4];
    int stride2[4];
} p;

layout(constant_id = 0) const int PHASE = 0;
layout(constant_id = 1) const int HAS_H0 = 0;

layout(std430, binding = 0) writeonly buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };
layout(std430, binding = 3) readonly buffer H0 { T h0[]; };
layout(std430, binding = 4) buffer S { T scratch[]; };

ivec3 rowOffsets(int row) {
    ivec3 o = ivec3(p.off0, p.off1, p.off2);
    [[unroll]] for (int d = 3; d >= 0; --d) {
        int c = row % p.shape[d];
        row /= p.shape[d];
        o += c * ivec3(p.stride0[d], p.stride1[d], p.stride2[d]);
    }
    return o;
}

T initial(int row) { return HAS_H0 != 0 ? h0[p.h0Offset + row] : T(0); }

void main() {
    int stride = int(gl_NumWorkGroups.x * gl_WorkGroupSize.x);
    int items = PHASE == 1 ? p.rows : p.rows * p.chunks;
    for (int item = int(gl_GlobalInvocationID.x); item < items; item += stride) {
        if (PHASE == 1) {
            int base = 2 * item * p.chunks;
            precise T h = initial(item);
            for (int j = 0; j + 1 < p.chunks; ++j) {
                // The start of chunk j + 1 is chunk j's map applied to its start; it replaces B_j.
                h = scratch[base + 2 * j] * h + scratch[base + 2 * j + 1];
                scratch[base + 2 * j + 1] = h;
            }
            continue;
        }
        int row = item / p.chunks;
        int c = item - row * p.chunks;
        if (PHASE == 0 && c == p.chunks - 1) continue;
        int t0 = c * p.chunk;
        int t1 = min(t0 + p.chunk, p.steps);
        ivec3 o = rowOffsets(row) + t0 * ivec3(p.step0, p.step1, p.step2);
        if (PHASE == 0) {
            precise T ca = T(1);
            precise T cb = T(0);
            for (int t = t0; t < t1; ++t) {
                T at = a[o.y];
                cb = at * cb + b[o.z];
                ca = at * ca;
                o += ivec3(p.step0, p.step1, p.step2);
            }
            scratch[2 * item] = ca;
            scratch[2 * item + 1] = cb;
        } else {
            precise T h = c == 0 ? initial(row) : scratch[2 * item - 1];
            for (int t = t0; t < t1; ++t) {
                h = a[o.y] * h + b[o.z];
                y[o.x] = h;
                o += ivec3(p.step0, p.step1, p.step2);
            }
        }
    }
}
