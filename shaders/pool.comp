#version 450
// 2-D pooling over contiguous [N,C,H,W] planes with PyTorch's window rules, as the CPU backend
// (src/Engine/Backends/Cpu/CpuBackend.Pool.cs), in the CPU's order of operations:
//   MODE 0, max:                one invocation per output: the first maximum of its window wins, a NaN wins (the last
//                               one, as the CPU's "v > best || isnan(v)"); writes y and the flat index in the plane.
//   MODE 1, max gradient:       one invocation per plane: gx[index] += gy over the plane's outputs in order (windows
//                               may overlap; the host zeroed gx), the CPU's summation order.
//   MODE 2, average:            one invocation per output: the window's sum from 0, row by row, over the divisor.
//   MODE 3, average gradient:   one invocation per input element: gy / divisor summed over the windows that cover it,
//                               in output order (the order in which the CPU's scatter adds them).
//   MODE 4, adaptive average:   as MODE 2 with window [floor(i*In/Out), ceil((i+1)*In/Out)).
//   MODE 5, adaptive gradient:  as MODE 3 with those windows.
// Int64 indices travel as two 32-bit words (low, high), so no shaderInt64 is needed. Built as pool_f32, pool_f64.
#ifdef F64
#define T double
#else
#define T float
#endif

layout(local_size_x = 256) in;

layout(constant_id = 0) const int MODE = 0;

// Mirrored by PoolParams.cs.
layout(push_constant, std430) uniform Params {
    int total;
    int h;
    int w;
    int oh;
    int ow;
    int kh;
    int kw;
    int strideH;
    int strideW;
    int padH;
    int padW;
    int dilH;
    int dilW;
    int countIncludePad;
    int offIn;
    int offOut;
    int offIndex;
} p;

layout(std430, binding = 0) buffer Out { T outp[]; };
layout(std430, binding = 1) readonly buffer In { T inp[]; };
layout(std430, binding = 2) buffer Index { uint index[]; };

// PyTorch's average-pooling window of output (y, x) clipped to the input, and its divisor.
void avgWindow(int y, int x, out int h0, out int h1, out int w0, out int w1, out int divisor) {
    int hs = y * p.strideH - p.padH;
    int ws = x * p.strideW - p.padW;
    int he = min(hs + p.kh, p.h + p.padH);
    int we = min(ws + p.kw, p.w + p.padW);
    int padded = (he - hs) * (we - ws);
    h0 = max(hs, 0);
    h1 = min(he, p.h);
    w0 = max(ws, 0);
    w1 = min(we, p.w);
    divisor = p.countIncludePad != 0 ? padded : max(0, h1 - h0) * max(0, w1 - w0);
}

int adaptiveStart(int i, int inSize, int outSize) { return (i * inSize) / outSize; }

int adaptiveEnd(int i, int inSize, int outSize) { return ((i + 1) * inSize + outSize - 1) / outSize; }

T windowSum(int plane, int h0, int h1, int w0, int w1) {
    precise T sum = T(0);
    for (int a = h0; a < h1; a++)
        for (int b = w0; b < w1; b++) sum += inp[p.offIn + plane * p.h * p.w + a * p.w + b];
    return sum;
}

void run(int e) {
    int inArea = p.h * p.w;
    int outArea = p.oh * p.ow;
    if (MODE == 1) {
        // e is a plane.
        for (int k = 0; k < outArea; k++) {
            int at = int(index[2 * (p.offIndex + e * outArea + k)]);
            if (at >= 0 && at < inArea) {
                int dst = p.offOut + e * inArea + at;
                outp[dst] = outp[dst] + inp[p.offIn + e * outArea + k];
            }
        }
        return;
    }
    if (MODE == 3 || MODE == 5) {
        // e is an input element.
        int plane = e / inArea;
        int rest = e - plane * inArea;
        int ih = rest / p.w;
        int iw = rest - ih * p.w;
        precise T sum = T(0);
        if (MODE == 3) {
            // Outputs y with y*s - pad <= ih < y*s - pad + k (window clipping only trims the padding side).
            int y0 = max(0, (ih + p.padH - p.kh + p.strideH) / p.strideH);
            int y1 = min(p.oh - 1, (ih + p.padH) / p.strideH);
            int x0 = max(0, (iw + p.padW - p.kw + p.strideW) / p.strideW);
            int x1 = min(p.ow - 1, (iw + p.padW) / p.strideW);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) {
                    int h0, h1, w0, w1, divisor;
                    avgWindow(y, x, h0, h1, w0, w1, divisor);
                    if (ih < h0 || ih >= h1 || iw < w0 || iw >= w1) continue;
                    T term = inp[p.offIn + plane * outArea + y * p.ow + x] / T(divisor);
                    sum += term;
                }
        } else {
            int y0 = (ih * p.oh) / p.h;
            int y1 = min(p.oh - 1, ((ih + 1) * p.oh + p.h - 1) / p.h);
            int x0 = (iw * p.ow) / p.w;
            int x1 = min(p.ow - 1, ((iw + 1) * p.ow + p.w - 1) / p.w);
            for (int y = y0; y <= y1; y++) {
                int h0 = adaptiveStart(y, p.h, p.oh);
                int h1 = adaptiveEnd(y, p.h, p.oh);
                if (ih < h0 || ih >= h1) continue;
                for (int x = x0; x <= x1; x++) {
                    int w0 = adaptiveStart(x, p.w, p.ow);
                    int w1 = adaptiveEnd(x, p.w, p.ow);
                    if (iw < w0 || iw >= w1) continue;
                    T term = inp[p.offIn + plane * outArea + y * p.ow + x] / T((h1 - h0) * (w1 - w0));
                    sum += term;
                }
            }
        }
        outp[p.offOut + e] = sum;
        return;
    }
    // e is an output element.
    int plane = e / outArea;
    int rest = e - plane * outArea;
    int y = rest / p.ow;
    int x = rest - y * p.ow;
    if (MODE == 0) {
        T best = -T(1.0 / 0.0);
        int arg = -1;
        for (int i = 0; i < p.kh; i++) {
            int ih = y * p.strideH - p.padH + i * p.dilH;
            if (ih < 0 || ih >= p.h) continue;
            for (int j = 0; j < p.kw; j++) {
                int iw = x * p.strideW - p.padW + j * p.dilW;
                if (iw < 0 || iw >= p.w) continue;
                T v = inp[p.offIn + plane * inArea + ih * p.w + iw];
                if (arg < 0 || v > best || isnan(v)) {
                    best = v;
                    arg = ih * p.w + iw;
                }
            }
        }
        outp[p.offOut + e] = best;
        index[2 * (p.offIndex + e)] = uint(arg);
        index[2 * (p.offIndex + e) + 1] = arg < 0 ? 0xFFFFFFFFu : 0u;
        return;
    }
    int h0, h1, w0, w1, divisor;
    if (MODE == 2) {
        avgWindow(y, x, h0, h1, w0, w1, divisor);
    } else {
        h0 = adaptiveStart(y, p.h, p.oh);
        h1 = adaptiveEnd(y, p.h, p.oh);
        w0 = adaptiveStart(x, p.w, p.ow);
        w1 = adaptiveEnd(x, p.w, p.ow);
        divisor = (h1 - h0) * (w1 - w0);
    }
    bool empty = h1 <= h0 || w1 <= w0;
    outp[p.offOut + e] = empty ? T(0) : windowSum(plane, h0, h1, w0, w1) / T(divisor);
}

void main() {
    int stride = int(gl_NumWorkGroups.x) * 256;
    for (int e = int(gl_GlobalInvocationID.x); e < p.total; e += stride) run(e);
}
