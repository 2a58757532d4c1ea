#version 450
// Inclusive cumulative sum along one dim (from the end with REVERSE = 1), one invocation per row, adding in the CPU's
// order. Operands: 0 y, 1 x (2 is x again). Built for float, double (F64), int (I32) and int64_t (I64).
#extension GL_EXT_control_flow_attributes : require
#if defined(F64)
#define T double
#elif defined(I32)
#define T int
#elif defined(I64)
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#define T int64_t
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

layout(constant_id = 0) const int REVERSE = 0;

layout(std430, binding = 0) writeonly buffer Y { T y[]; };
layout(std430, binding = 1) readonly buffer X { T x[]; };

void main() {
    for (int row = int(gl_GlobalInvocationID.x); row < p.rows; row += int(gl_NumWorkGroups.x * gl_WorkGroupSize.x)) {
        ivec2 o = ivec2(p.off0, p.off1);
        int rest = row;
        [[unroll]] for (int d = 3; d >= 0; --d) {
            int c = rest % p.shape[d];
            rest /= p.shape[d];
            o += c * ivec2(p.stride0[d], p.stride1[d]);
        }
        T acc = T(0);
        for (int t = 0; t < p.inner; t++) {
            int i = REVERSE == 1 ? p.inner - 1 - t : t;
            acc += x[o.y + i * p.innerStride1];
            y[o.x + i * p.innerStride0] = acc;
        }
    }
}
