#version 450
// Softmax family along one dim, one workgroup per row (grid-stride over rows), each row reduced in shared memory.
// MODE (specialization constant): 0 softmax, 1 log-softmax (out = f(a)), 2 softmax backward (out = gx from a = y,
// b = gy: y (gy - sum(gy y))), 3 log-softmax backward (gy - exp(y) sum(gy)). Operand 0 is the output, 1 and 2 the
// inputs (forward modes bind a twice). The host collapses the other dims to rank 4. Built as softmax_f32 and
// softmax_f64 (F64, needs shaderFloat64), which takes exp and log from include/f64math.glsl (GLSL has no double ones).
#extension GL_EXT_control_flow_attributes : require
#ifdef F64
#define T double
#else
#define T float
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

layout(constant_id = 0) const int MODE = 0;

#ifdef F64
#include "include/f64math.glsl"
#define EXP m_exp
#define LOG m_log
#else
#define EXP exp
#define LOG log
#endif

layout(std430, binding = 0) writeonly buffer Out { T outv[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };

shared T partial[256];

// Sum (or NaN-propagating max) of one value per invocation, returned to all of them.
T reduceRow(T v, bool isMax) {
    int tid = int(gl_LocalInvocationID.x);
    partial[tid] = v;
    barrier();
    [[unroll]] for (int s = 128; s > 0; s >>= 1) {
        if (tid < s) {
            T u = partial[tid];
            T w = partial[tid + s];
            partial[tid] = isMax ? (isnan(u) || isnan(w) ? u + w : max(u, w)) : u + w;
        }
        barrier();
    }
    T r = partial[0];
    barrier();
    return r;
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
        ivec3 s = ivec3(p.innerStride0, p.innerStride1, p.innerStride2);
        if (MODE == 2) {
            T dot = T(0);
            for (int i = tid; i < p.inner; i += 256) dot += b[o.z + i * s.z] * a[o.y + i * s.y];
            dot = reduceRow(dot, false);
            for (int i = tid; i < p.inner; i += 256) outv[o.x + i * s.x] = a[o.y + i * s.y] * (b[o.z + i * s.z] - dot);
        }
        if (MODE == 0 || MODE == 1) {
            T m = T(-1.0 / 0.0);
            for (int i = tid; i < p.inner; i += 256) {
                T v = a[o.y + i * s.y];
                m = isnan(m) || isnan(v) ? m + v : max(m, v);
            }
            m = reduceRow(m, true);
            // A row of -inf: exp(x - 0) gives zeros, as the CPU.
            if (isinf(m) && m < T(0)) m = T(0);
            T sum = T(0);
            for (int i = tid; i < p.inner; i += 256) sum += EXP(a[o.y + i * s.y] - m);
            sum = reduceRow(sum, false);
            T logSum = LOG(sum);
            for (int i = tid; i < p.inner; i += 256) {
                T v = a[o.y + i * s.y] - m;
                outv[o.x + i * s.x] = MODE == 0 ? EXP(v) / sum : v - logSum;
            }
        }
        if (MODE == 3) {
            T sum = T(0);
            for (int i = tid; i < p.inner; i += 256) sum += b[o.z + i * s.z];
            sum = reduceRow(sum, false);
            for (int i = tid; i < p.inner; i += 256) outv[o.x + i * s.x] = b[o.z + i * s.z] - EXP(a[o.y + i * s.y]) * sum;
        }
    }
}
