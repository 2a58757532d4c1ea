#version 450
// c[b] (+)= a[b] @ b[b] for strided a [M,K] and b [K,N] (any row/column/batch strides, batch stride 0 included) and c
// with unit column stride. Register-blocked: an 8x8 workgroup (64 invocations) computes a 64x64 tile of c, each
// invocation an 8x8 block held in sixteen explicit vec4 registers c<row><half>: rows 4ty..4ty+3 and 32+4ty..32+4ty+3,
// columns 4tx..4tx+3 and 32+4tx..32+4tx+3. Per step of k it reads two vec4 of a and two of b from shared memory and
// does 64 multiply-adds (16 vec4 FMAs): 4 shared loads per 64 FMAs instead of 2 per 1. The 64x16 and 16x64 tiles of a
// and b are staged in shared memory as vec4 along m and n; each invocation loads 16 elements of each, with the
// invocation-to-element map chosen so that neighbouring invocations read neighbouring addresses for either operand
// layout (row-major or transposed). [[unroll]] unrolls the k loop of a tile and the loads (glslc -O does not unroll,
// and a dynamically indexed local array would live in slow memory). Built as gemm_f32 and gemm_f64 (F64, needs
// shaderFloat64).
#extension GL_EXT_control_flow_attributes : require
#ifdef F64
#define T double
#define V dvec4
#else
#define T float
#define V vec4
#endif

#define TILE 64
#define TK 16
#define THREADS 64

layout(local_size_x = 8, local_size_y = 8) in;

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

// tileA[kk][r / 4][r % 4] = a[row0 + r, k0 + kk]; tileB[kk][col / 4][col % 4] = b[k0 + kk, col0 + col].
// One vec4 of padding per row of k: a transposed load writes down a column, and unpadded rows 256 bytes apart would
// all fall in the same shared-memory bank.
shared V tileA[TK][TILE / 4 + 1];
shared V tileB[TK][TILE / 4 + 1];

// One row of the register block: row i of the 8x8 block times the two vec4 of b.
#define ROW(i, s) c##i##0 += (s) * b0; c##i##1 += (s) * b1;

void store(int baseC, int r, int col, V v) {
    if (r >= p.m) return;
    int at = baseC + r * p.rowC + col;
    [[unroll]] for (int j = 0; j < 4; j++) {
        if (col + j < p.n) c[at + j] = p.accumulate != 0 ? c[at + j] + v[j] : v[j];
    }
}

void main() {
    int batch = int(gl_WorkGroupID.z);
    int row0 = int(gl_WorkGroupID.y) * TILE;
    int col0 = int(gl_WorkGroupID.x) * TILE;
    int tx = int(gl_LocalInvocationID.x);
    int ty = int(gl_LocalInvocationID.y);
    int tid = ty * 8 + tx;
    int baseA = p.offA + batch * p.batchA;
    int baseB = p.offB + batch * p.batchB;
    // Which index runs fastest across invocations when loading: k for row-major a (unit column stride), m for a
    // transposed a (unit row stride); n for row-major b, k for a transposed b.
    bool aAlongK = p.colA == 1 || p.rowA != 1;
    bool bAlongN = p.colB == 1 || p.rowB != 1;

    V c00 = V(0), c01 = V(0), c10 = V(0), c11 = V(0), c20 = V(0), c21 = V(0), c30 = V(0), c31 = V(0);
    V c40 = V(0), c41 = V(0), c50 = V(0), c51 = V(0), c60 = V(0), c61 = V(0), c70 = V(0), c71 = V(0);

    for (int k0 = 0; k0 < p.k; k0 += TK) {
        // 1024 elements per tile, 16 per invocation; out-of-range elements load as 0.
        [[unroll]] for (int e = 0; e < TILE * TK / THREADS; e++) {
            int idx = tid + e * THREADS;
            int r = aAlongK ? idx / TK : idx % TILE;
            int kk = aAlongK ? idx % TK : idx / TILE;
            int gr = row0 + r;
            int gk = k0 + kk;
            tileA[kk][r >> 2][r & 3] = (gr < p.m && gk < p.k) ? a[baseA + gr * p.rowA + gk * p.colA] : T(0);
            int cb = bAlongN ? idx % TILE : idx / TK;
            int kb = bAlongN ? idx / TILE : idx % TK;
            int gkb = k0 + kb;
            int gc = col0 + cb;
            tileB[kb][cb >> 2][cb & 3] = (gkb < p.k && gc < p.n) ? b[baseB + gkb * p.rowB + gc * p.colB] : T(0);
        }
        barrier();
        [[unroll]] for (int kk = 0; kk < TK; kk++) {
            V a0 = tileA[kk][ty];
            V a1 = tileA[kk][ty + 8];
            V b0 = tileB[kk][tx];
            V b1 = tileB[kk][tx + 8];
            ROW(0, a0.x) ROW(1, a0.y) ROW(2, a0.z) ROW(3, a0.w)
            ROW(4, a1.x) ROW(5, a1.y) ROW(6, a1.z) ROW(7, a1.w)
        }
        barrier();
    }

    int baseC = p.offC + batch * p.batchC;
    int r0 = row0 + 4 * ty;
    int r1 = row0 + 32 + 4 * ty;
    int q0 = col0 + 4 * tx;
    int q1 = col0 + 32 + 4 * tx;
    store(baseC, r0, q0, c00); store(baseC, r0, q1, c01);
    store(baseC, r0 + 1, q0, c10); store(baseC, r0 + 1, q1, c11);
    store(baseC, r0 + 2, q0, c20); store(baseC, r0 + 2, q1, c21);
    store(baseC, r0 + 3, q0, c30); store(baseC, r0 + 3, q1, c31);
    store(baseC, r1, q0, c40); store(baseC, r1, q1, c41);
    store(baseC, r1 + 1, q0, c50); store(baseC, r1 + 1, q1, c51);
    store(baseC, r1 + 2, q0, c60); store(baseC, r1 + 2, q1, c61);
    store(baseC, r1 + 3, q0, c70); store(baseC, r1 + 3, q1, c71);
}
