#version 450
// One fused Adam/AdamW step in place over contiguous param, grad, exp_avg, exp_avg_sq (and max_exp_avg_sq with
// AMSGRAD = 1), in the CPU backend's order of operations (IBackend.AdamUpdate gives the rule); the host folds the
// step's scalars (bias corrections, decoupled decay) in double precision as the CPU does. Operands: 0 param, 1 grad,
// 2 m, 3 v, 4 vmax (m again without AMSGrad). Built as adam_f32 and adam_f64 (F64, needs shaderFloat64).
#ifdef F64
#define T double
#else
#define T float
#endif

layout(local_size_x = 256) in;

// Mirrored by AdamParams.cs.
layout(push_constant, std430) uniform Params {
    int numel;
    int off[5];
    int maximize;
    int unused;
    T l2;
    T oneMinusBeta1;
    T beta2;
    T oneMinusBeta2;
    T decay;
    T stepSize;
    T bias2Sqrt;
    T eps;
} p;

layout(constant_id = 0) const int AMSGRAD = 0;

layout(std430, binding = 0) buffer Param { T param[]; };
layout(std430, binding = 1) readonly buffer Grad { T grad[]; };
layout(std430, binding = 2) buffer M { T m[]; };
layout(std430, binding = 3) buffer V { T v[]; };
layout(std430, binding = 4) buffer VMax { T vmax[]; };

void main() {
    for (int i = int(gl_GlobalInvocationID.x); i < p.numel; i += int(gl_NumWorkGroups.x * gl_WorkGroupSize.x)) {
        precise T g = grad[p.off[1] + i];
        if (p.maximize != 0) g = -g;
        precise T theta = param[p.off[0] + i];
        if (p.l2 != T(0)) g += p.l2 * theta;
        precise T mi = m[p.off[2] + i];
        mi = mi + p.oneMinusBeta1 * (g - mi);
        precise T vi = p.beta2 * v[p.off[3] + i] + p.oneMinusBeta2 * g * g;
        m[p.off[2] + i] = mi;
        v[p.off[3] + i] = vi;
        precise T second = vi;
        if (AMSGRAD == 1) {
            second = max(vmax[p.off[4] + i], vi);
            vmax[p.off[4] + i] = second;
        }
        precise T updated = theta * p.decay - p.stepSize * mi / (sqrt(second) / p.bias2Sqrt + p.eps);
        param[p.off[0] + i] = updated;
    }
}
