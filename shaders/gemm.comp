#version 450
// c[b] (+)= a[b] @ b[b] for strided a [M,K] and b [K,N] (any row/column/batch strides, batch stride 0 included) and c
// with unit column stride. Tiled: a 16x16 workgroup computes a 64x64 tile of c, each invocation a 4x4 block held in
// registers (rows ty + 16i, columns tx + 16j), from 64x16 and 16x64 tiles of a and b staged in shared memory.
// [[unroll]] makes the register block constant-indexed (glslc -O does not unroll, and a dynamically indexed local
// array would live in slow memory). Built as gemm_f32 and gemm_f64 (F64, needs shaderFloat64).
#extension GL_EXT_control_flow_attributes : require
#ifdef F64
#define T double
#else
#define T float
#endif

#define TILE 64
#define TK 16

layout(local_size_x = 16, local_size_y = 16) in;

// Mirrored by GemmParams.cs.
layout(push_constant, std430) uniform Params {
    int m;
    int n;
    int k;
    int accumulate;
    int offA;
    int offB;
    int offC;
    int unused;
    int batchA;
    int rowA;
    int colA;
    int batchB;
    int rowB;
    int colB;
    int batchC;
    int rowC;
} p;

layout(std430, binding = 0) buffer C { T c[]; };
layout(std430, binding = 1) readonly buffer A { T a[]; };
layout(std430, binding = 2) readonly buffer B { T b[]; };

shared T tileA[TK][TILE];
shared T tileB[TK][TILE];

void main() {
    int batch = int(gl_WorkGroupID.z);
    int row0 = int(gl_WorkGroupID.y) * TILE;
    int col0 = int(gl_WorkGroupID.x) * TILE;
    int tx = int(gl_LocalInvocationID.x);
    int ty = int(gl_LocalInvocationID.y);
    int tid = ty * 16 + tx;
    int baseA = p.offA + batch * p.batchA;
    int baseB = p.offB + batch * p.batchB;

    T acc[4][4];
    [[unroll]] for (int i = 0; i < 4; i++)
        [[unroll]] for (int j = 0; j < 4; j++) acc[i][j] = T(0);

    for (int k0 = 0; k0 < p.k; k0 += TK) {
        // 1024 elements per tile, 4 per invocation; out-of-range elements load as 0.
        [[unroll]] for (int e = 0; e < 4; e++) {
            int idx = tid + e * 256;
            int r = idx / TK;
            int kk = idx % TK;
            int gr = row0 + r;
            int gk = k0 + kk;
            tileA[kk][r] = (gr < p.m && gk < p.k) ? a[baseA + gr * p.rowA + gk * p.colA] : T(0);
            int kb = idx / TILE;
            int cb = idx % TILE;
            int gkb = k0 + kb;
            int gc = col0 + cb;
            tileB[kb][cb] = (gkb < p.k && gc < p.n) ? b[baseB + gkb * p.rowB + gc * p.colB] : T(0);
        }
        barrier();
        [[unroll]] for (int kk = 0; kk < TK; kk++) {
            T av[4];
            T bv[4];
            [[unroll]] for (int i = 0; i < 4; i++) av[i] = tileA[kk][ty + 16 * i];
            [[unroll]] for (int j = 0; j < 4; j++) bv[j] = tileB[kk][tx + 16 * j];
            [[unroll]] for (int i = 0; i < 4; i++)
                [[unroll]] for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
        }
        barrier();
    }

    int baseC = p.offC + batch * p.batchC;
    [[unroll]] for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        [[unroll]] for (int j = 0; j < 4; j++) {
            int col = col0 + tx + 16 * j;
            if (r < p.m && col < p.n) {
                int at = baseC + r * p.rowC + col;
                c[at] = p.accumulate != 0 ? c[at] + acc[i][j] : acc[i][j];
            }
        }
    }
}
