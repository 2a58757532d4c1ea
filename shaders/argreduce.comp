#version 450
// Index (int64) of the max (MAX = 1) or min (MAX = 0) along one dim, first occurrence, a NaN winning at its first
// position, as the CPU; with VALUES = 1 the extreme values too. One workgroup per row: each invocation keeps the best
// (value, index) of a strided share, then the 256 candidates are combined, ties going to the smaller index: with
// SUBGROUP (the argreduce_*_sg variants, for devices with subgroup arithmetic in compute; not int64, which would need
// shaderSubgroupExtendedTypes) by subgroupMax/Min of the value and then of the index among the invocations holding
// it, within each subgroup and once more over the subgroups' winners (two barriers); otherwise by a tree in shared
// memory that keeps the better of each pair (eight barriers). Operand 0 is the Int64 indices (as pairs of words), 1
// the input, 2 the values (the input again when not asked for). Built for float, double (F64), int (I32) and int64_t
// (I64).
#extension GL_EXT_control_flow_attributes : require
#ifdef SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
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

#ifdef SUBGROUP
const int NONE = 0x7fffffff;

// The best (value, index) over the subgroup's active invocations, each holding a candidate (index -1: none): a NaN
// at the smallest index if any, else the most extreme value at the smallest index holding it. The winner's index
// goes to every invocation; -1 when no invocation had a candidate.
int subgroupBest(T v, int at) {
    bool has = at >= 0;
#if FLOATING
    if (subgroupAny(has && isNan(v))) {
        int first = subgroupMin(has && isNan(v) ? at : NONE);
        return first;
    }
    T far = MAX == 1 ? T(-1.0 / 0.0) : T(1.0 / 0.0);
#elif defined(I32)
    T far = MAX == 1 ? int(0x80000000) : 0x7fffffff;
#endif
    T w = MAX == 1 ? subgroupMax(has ? v : far) : subgroupMin(has ? v : far);
    int first = subgroupMin(has && v == w ? at : NONE);
    return first == NONE ? -1 : first;
}
#endif

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
#ifdef SUBGROUP
        // Each subgroup's winner to slot [subgroup] (read back from x: the index alone travels through the subgroup
        // operations), then the first subgroup folds those slots and picks the winner among them the same way.
        int win = subgroupBest(v, at);
        if (subgroupElect()) {
            bestIndex[gl_SubgroupID] = win;
            if (win >= 0) bestValue[gl_SubgroupID] = x[o.y + win * p.innerStride1];
        }
        barrier();
        if (gl_SubgroupID == 0) {
            T w = T(0);
            int j = -1;
            for (int s = int(gl_SubgroupInvocationID); s < int(gl_NumSubgroups); s += int(gl_SubgroupSize)) {
                if (better(bestValue[s], bestIndex[s], w, j)) {
                    w = bestValue[s];
                    j = bestIndex[s];
                }
            }
            win = subgroupBest(w, j);
            if (subgroupElect()) {
                bestIndex[0] = win;
                bestValue[0] = x[o.y + win * p.innerStride1];
            }
        }
        barrier();
#else
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
#endif
        if (tid == 0) {
            indices[2 * o.x] = uint(bestIndex[0]);
            indices[2 * o.x + 1] = 0u;
            if (VALUES == 1) values[o.z] = bestValue[0];
        }
        barrier();
    }
}
