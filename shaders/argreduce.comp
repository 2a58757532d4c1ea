#version 450
// Index (int64) of the max (MAX = 1) or min (MAX = 0) along one dim, first occurrence, a NaN winning at its first
// position, as the CPU; with VALUES = 1 the extreme values too. One workgroup per row: each invocation keeps the best
// (value, index) of a strided share, then a tree in shared memory keeps the better of each pair, ties going to the
// smaller index. Operand 0 is the Int64 indices (as pairs of words), 1 the input, 2 the values (the input again when
// not asked for). Built for float, double (F64), int (I32) and int64_t (I64).
#extension GL_EXT_control_flow_attributes : require
#if defined(F64)
#define T double
#define FLOATING 1
#elif defined(I32)
#define T int
#define FLOATING 0
#elif defined(I64)
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define T int64_t
#define FLOATING 0
#else
#define T float
#define FLOATING 1
#endif

layout(local_size_x = 256) in;

// Mirrored by RowParams.cs.
layout(push_constant, std430) uniform Params {
    int rows;
    int inner;
    int off0;
    int off1;
    int off2;
    int innerStride0;
    int innerStride1;
    int innerStride2;
    int shape[4];
    int stride0[4];
    int stride1[4];
    int stride2[4];
} p;

layout(constant_id = 0) const int MAX = 1;
layout(constant_id = 1) const int VALUES = 0;

layout(std430, binding = 0) writeonly buffer Indices { uint indices[]; };
layout(std430, binding = 1) readonly buffer X { T x[]; };
layout(std430, binding = 2) writeonly buffer Values { T values[]; };

shared T bestValue[256];
shared int bestIndex[256];

bool isNan(T v) {
#if FLOATING
    return isnan(v);
#else
    return false;
#endif
}

// Whether (v, i) beats (w, j): a NaN beats any number, then the more extreme value, then the smaller index.
bool better(T v, int i, T w, int j) {
    if (j < 0) return i >= 0;
    if (i < 0) return false;
    bool nv = isNan(v);
    bool nw = isNan(w);
    if (nv || nw) return nv && (!nw || i < j);
    if (v == w) return i < j;
    return MAX == 1 ? v > w : v < w;
}

void main() {
    int tid = int(gl_LocalInvocationID.x);
    for (int row = int(gl_WorkGroupID.x); row < p.rows; row += int(gl_NumWorkGroups.x)) {
        ivec3 o = ivec3(p.off0, p.off1, p.off2);
        int rest = row;
        [[unroll]] for (int d = 3; d >= 0; --d) {
            int c = rest % p.shape[d];
            rest /= p.shape[d];
            o += c * ivec3(p.stride0[d], p.stride1[d], p.stride2[d]);
        }
        T v = T(0);
        int at = -1;
        for (int i = tid; i < p.inner; i += 256) {
            T u = x[o.y + i * p.innerStride1];
            if (better(u, i, v, at)) {
                v = u;
                at = i;
            }
        }
        bestValue[tid] = v;
        bestIndex[tid] = at;
        barrier();
        [[unroll]] for (int s = 128; s > 0; s >>= 1) {
            if (tid < s && better(bestValue[tid + s], bestIndex[tid + s], bestValue[tid], bestIndex[tid])) {
                bestValue[tid] = bestValue[tid + s];
                bestIndex[tid] = bestIndex[tid + s];
            }
            barrier();
        }
        if (tid == 0) {
            indices[2 * o.x] = uint(bestIndex[0]);
            indices[2 * o.x + 1] = 0u;
            if (VALUES == 1) values[o.z] = bestValue[0];
        }
        barrier();
    }
}
