#version 450
// y = sum, max or min of x over the reduced dims (OP: the ReduceOp value, Sum 0, Max 1, Min 2; NaN propagates through
// Max and Min). One workgroup per output element (grid-stride over outputs): each invocation folds a strided share
// of the reduced elements, then the 256 partial results are combined: with SUBGROUP (the reduce_*_sg variants, for
// devices whose subgroups support arithmetic in compute shaders) by subgroupAdd/Max/Min within each subgroup and once
// more over the subgroups' results in the first subgroup (two barriers), otherwise by an 8-step tree in shared memory
// (eight barriers). The subgroup build is a separate module rather than a specialization constant because a module
// that merely declares the GroupNonUniformArithmetic capability is invalid on a device without it. Kept and reduced
// dims are each collapsed to rank 4 by the host. Built for float, double (F64), int (I32) and int64_t (I64).
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

// Mirrored by ReduceParams.cs.
layout(push_constant, std430) uniform Params {
    int outCount;
    int reduceCount;
    int offX;
    int offY;
    int outShape[4];
    int outStrideX[4];
    int outStrideY[4];
    int reduceShape[4];
    int reduceStrideX[4];
} p;

layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) writeonly buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer X { T x[]; };

shared T partial[256];

T identity() {
#if FLOATING
    T inf = T(1.0 / 0.0);
    return OP == 0 ? T(0) : OP == 1 ? -inf : inf;
#elif defined(I32)
    return OP == 0 ? 0 : OP == 1 ? int(0x80000000) : 0x7fffffff;
#else
    return OP == 0 ? T(0) : OP == 1 ? T(0x8000000000000000ul) : T(0x7ffffffffffffffful);
#endif
}

T combine(T u, T v) {
#if FLOATING
    if (OP != 0 && (isnan(u) || isnan(v))) return u + v;
#endif
    return OP == 0 ? u + v : OP == 1 ? max(u, v) : min(u, v);
}

#ifdef SUBGROUP
// The op over the subgroup's active invocations; NaN propagates through Max and Min (subgroupMax/Min leave NaN
// unspecified, an add of every value gives NaN when any is).
T subgroupCombine(T v) {
#if FLOATING
    if (OP != 0 && subgroupAny(isnan(v))) return subgroupAdd(v);
#endif
    return OP == 0 ? subgroupAdd(v) : OP == 1 ? subgroupMax(v) : subgroupMin(v);
}
#endif

void main() {
    int tid = int(gl_LocalInvocationID.x);
    for (int o = int(gl_WorkGroupID.x); o < p.outCount; o += int(gl_NumWorkGroups.x)) {
        int ox = p.offX;
        int oy = p.offY;
        int rest = o;
        [[unroll]] for (int d = 3; d >= 0; --d) {
            int c = rest % p.outShape[d];
            rest /= p.outShape[d];
            ox += c * p.outStrideX[d];
            oy += c * p.outStrideY[d];
        }
        T acc = identity();
        for (int r = tid; r < p.reduceCount; r += 256) {
            int at = ox;
            int left = r;
            [[unroll]] for (int d = 3; d >= 0; --d) {
                int c = left % p.reduceShape[d];
                left /= p.reduceShape[d];
                at += c * p.reduceStrideX[d];
            }
            acc = combine(acc, x[at]);
        }
#ifdef SUBGROUP
        // Each subgroup's result to partial[subgroup], then the first subgroup folds those (each of its invocations
        // a strided share when there are more subgroups than it has invocations) and combines them.
        acc = subgroupCombine(acc);
        if (subgroupElect()) partial[gl_SubgroupID] = acc;
        barrier();
        if (gl_SubgroupID == 0) {
            T total = identity();
            for (int i = int(gl_SubgroupInvocationID); i < int(gl_NumSubgroups); i += int(gl_SubgroupSize))
                total = combine(total, partial[i]);
            total = subgroupCombine(total);
            if (subgroupElect()) y[oy] = total;
        }
#else
        partial[tid] = acc;
        barrier();
        [[unroll]] for (int s = 128; s > 0; s >>= 1) {
            if (tid < s) partial[tid] = combine(partial[tid], partial[tid + s]);
            barrier();
        }
        if (tid == 0) y[oy] = partial[0];
#endif
        barrier();
    }
}
