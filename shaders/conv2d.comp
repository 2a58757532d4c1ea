#version 450
// Conv2d and its two gradients as implicit GEMMs (no im2col matrix in memory): per group g, with Cg = C/groups,
// Og = O/groups, taps = KH*KW, Kg = Cg*taps, L = OH*OW, on contiguous x [N,C,H,W], w [O,Cg,KH,KW], y [N,O,OH,OW]:
//   MODE 0, forward:         y[n, g*Og+r, l]      = sum_k w[g*Og+r, k] * cols(n, l, k)           (+ bias[g*Og+r])
//   MODE 1, input gradient:  gx[n, g*Cg+r, h, w]  = sum_(o,t) w[g*Og+o, r, t] * gy(n, g*Og+o, the output
//                                                   position whose tap t reads (h, w); 0 if none)
//   MODE 2, weight gradient: part[s, g*Og+r, k]   = sum_(n,l) in split s of gy[n, g*Og+r, l] * cols(n, l, k)
// where cols(n, l, k) is the input element that tap (c, i, j) = k of output position l reads (0 in the padding).
// The GEMM is M x COLS with reduction K: MODE 0 Og x N*L by Kg, MODE 1 Cg x N*H*W by Og*taps, MODE 2 Og x Kg by
// N*L, cut into `splits` chunks of `chunk` (split-K; the host sums the partial products in a fixed order).
// Tiled as shaders/gemm.comp: a 16x16 workgroup computes a 64x64 tile, each invocation a 4x4 register block (rows
// ty + 16i, columns tx + 16j), from 64x16 and 16x64 tiles staged in shared memory; grid z = group * splits + split.
// [[unroll]] keeps the register block constant-indexed. Built as conv2d_f32 and conv2d_f64 (F64).
#extension GL_EXT_control_flow_attributes : require
#ifdef F64
#define T double
#else
#define T float
#endif

#define TILE 64
#define TK 16

layout(local_size_x = 16, local_size_y = 16) in;

layout(constant_id = 0) const int MODE = 0;

// Mirrored by ConvParams.cs.
layout(push_constant, std430) uniform Params {
    int n;
    int c;
    int h;
    int w;
    int o;
    int kh;
    int kw;
    int groups;
    int oh;
    int ow;
    int strideH;
    int strideW;
    int padH;
    int padW;
    int dilH;
    int dilW;
    int m;
    int cols;
    int k;
    int chunk;
    int splits;
    int hasBias;
    int off0;
    int off1;
    int off2;
    int off3;
} p;

// MODE 0: y, x, w, bias. MODE 1: gx, gy, w (binding 3 unused). MODE 2: partial sums, gy, x (binding 3 unused).
layout(std430, binding = 0) writeonly buffer Out { T outp[]; };
layout(std430, binding = 1) readonly buffer In1 { T in1[]; };
layout(std430, binding = 2) readonly buffer In2 { T in2[]; };
layout(std430, binding = 3) readonly buffer In3 { T in3[]; };

shared T tileA[TK][TILE];
shared T tileB[TK][TILE];

// The input element that tap kk (c, i, j within the group) of output position l of image img reads, 0 in the
// padding. The input is in1 (MODE 0) or in2 (MODE 2).
T unfolded(int img, int l, int kk, int g) {
    int taps = p.kh * p.kw;
    int cc = kk / taps;
    int t = kk - cc * taps;
    int i = t / p.kw;
    int j = t - i * p.kw;
    int y = l / p.ow;
    int x = l - y * p.ow;
    int ih = y * p.strideH - p.padH + i * p.dilH;
    int iw = x * p.strideW - p.padW + j * p.dilW;
    if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) return T(0);
    int at = ((img * p.c + g * (p.c / p.groups) + cc) * p.h + ih) * p.w + iw;
    return MODE == 0 ? in1[p.off1 + at] : in2[p.off2 + at];
}

// A[r][kk] of group g (r < m, kk < k checked by the caller).
T loadA(int r, int kk, int g) {
    int og = p.o / p.groups;
    int taps = p.kh * p.kw;
    int kg = (p.c / p.groups) * taps;
    if (MODE == 0) return in2[p.off2 + (g * og + r) * kg + kk];
    if (MODE == 1) {
        int oo = kk / taps;
        return in2[p.off2 + (g * og + oo) * kg + r * taps + (kk - oo * taps)];
    }
    int l = p.oh * p.ow;
    int img = kk / l;
    return in1[p.off1 + (img * p.o + g * og + r) * l + (kk - img * l)];
}

// B[kk][col] of group g (kk < k, col < cols checked by the caller).
T loadB(int kk, int col, int g) {
    int l = p.oh * p.ow;
    if (MODE == 0) {
        int img = col / l;
        return unfolded(img, col - img * l, kk, g);
    }
    if (MODE == 2) {
        int img = kk / l;
        return unfolded(img, kk - img * l, col, g);
    }
    // MODE 1: which output position (y, x) reads input (ih, iw) through tap (i, j) of output channel oo.
    int taps = p.kh * p.kw;
    int plane = p.h * p.w;
    int img = col / plane;
    int rest = col - img * plane;
    int ih = rest / p.w;
    int iw = rest - ih * p.w;
    int oo = kk / taps;
    int t = kk - oo * taps;
    int i = t / p.kw;
    int j = t - i * p.kw;
    int th = ih + p.padH - i * p.dilH;
    int tw = iw + p.padW - j * p.dilW;
    if (th < 0 || tw < 0) return T(0);
    int y = th / p.strideH;
    int x = tw / p.strideW;
    if (y * p.strideH != th || x * p.strideW != tw || y >= p.oh || x >= p.ow) return T(0);
    int og = p.o / p.groups;
    return in1[p.off1 + ((img * p.o + g * og + oo) * p.oh + y) * p.ow + x];
}

void main() {
    int g = int(gl_WorkGroupID.z) / p.splits;
    int s = int(gl_WorkGroupID.z) - g * p.splits;
    int row0 = int(gl_WorkGroupID.y) * TILE;
    int col0 = int(gl_WorkGroupID.x) * TILE;
    int tx = int(gl_LocalInvocationID.x);
    int ty = int(gl_LocalInvocationID.y);
    int tid = ty * 16 + tx;
    int kBegin = s * p.chunk;
    int kEnd = min(p.k, kBegin + p.chunk);

    T acc[4][4];
    [[unroll]] for (int i = 0; i < 4; i++)
        [[unroll]] for (int j = 0; j < 4; j++) acc[i][j] = T(0);

    for (int k0 = kBegin; k0 < kEnd; k0 += TK) {
        // 1024 elements per tile, 4 per invocation; out-of-range elements load as 0.
        [[unroll]] for (int e = 0; e < 4; e++) {
            int idx = tid + e * 256;
            int r = idx / TK;
            int kk = idx % TK;
            int gr = row0 + r;
            int gk = k0 + kk;
            tileA[kk][r] = (gr < p.m && gk < kEnd) ? loadA(gr, gk, g) : T(0);
            int kb = idx / TILE;
            int cb = idx % TILE;
            int gkb = k0 + kb;
            int gc = col0 + cb;
            tileB[kb][cb] = (gkb < kEnd && gc < p.cols) ? loadB(gkb, gc, g) : T(0);
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

    int og = p.o / p.groups;
    int cg = p.c / p.groups;
    int l = p.oh * p.ow;
    int plane = p.h * p.w;
    [[unroll]] for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        [[unroll]] for (int j = 0; j < 4; j++) {
            int col = col0 + tx + 16 * j;
            if (r < p.m && col < p.cols) {
                if (MODE == 0) {
                    int img = col / l;
                    T b = p.hasBias != 0 ? in3[p.off3 + g * og + r] : T(0);
                    outp[p.off0 + (img * p.o + g * og + r) * l + (col - img * l)] = acc[i][j] + b;
                } else if (MODE == 1) {
                    int img = col / plane;
                    outp[p.off0 + (img * p.c + g * cg + r) * plane + (col - img * plane)] = acc[i][j];
                } else {
                    outp[p.off0 + s * p.o * cg * p.kh * p.kw + (g * og + r) * cg * p.kh * p.kw + col] = acc[i][j];
                }
            }
        }
    }
}
