// Shared by every elementwise kernel: up to four strided operands over one logical shape of rank 4 (the host
// collapses contiguous dims, pads on the left with size-1 dims, and splits higher ranks into several dispatches).
// Offsets and strides are in elements. The 16-byte tail carries each kernel's scalars (alpha/beta or raw words).
// 128 bytes in all, the push-constant size every device guarantees; StridedParams.cs mirrors it byte for byte.
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 256) in;

layout(push_constant, std430) uniform Params {
    int numel;
    int off0;
    int off1;
    int off2;
    int off3;
    int pad0;
    int pad1;
    int pad2;
    int shape[4];
    int stride0[4];
    int stride1[4];
    int stride2[4];
    int stride3[4];
    SCALARS_TAIL
} p;

ivec4 operandOffsets(int i) {
    ivec4 o = ivec4(p.off0, p.off1, p.off2, p.off3);
    [[unroll]] for (int d = 3; d >= 0; --d) {
        int n = p.shape[d];
        int c = i % n;
        i /= n;
        o += c * ivec4(p.stride0[d], p.stride1[d], p.stride2[d], p.stride3[d]);
    }
    return o;
}

// Grid-stride loop: the host caps the group count at the device limit, so one dispatch covers any numel.
#define FOR_EACH_ELEMENT(o) \
    for (int i_ = int(gl_GlobalInvocationID.x); i_ < p.numel; i_ += int(gl_NumWorkGroups.x * gl_WorkGroupSize.x)) \
        for (ivec4 o = operandOffsets(i_), once_ = ivec4(1); once_.x == 1; once_.x = 0)
