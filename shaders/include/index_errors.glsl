// Device-side index errors (gather.comp, scatter.comp): binding 3 is the device's small error buffer, host-visible
// and zeroed by the host. The first invocation that meets an index outside [0, dimSize) claims word 0 and records
// the index's two words, the op's code, the dim and its size (words 1-5); later bad indices, in this or any later
// dispatch, leave the record as it is until the host has read and cleared it (at its next wait: kernels run
// asynchronously, so the error cannot be raised by the call that recorded the kernel). Needs p.opCode, p.dim and
// p.dimSize in the push constants.
layout(std430, binding = 3) buffer IndexErrors { uint indexErrors[]; };

void reportBadIndex(uint lo, uint hi) {
    if (atomicCompSwap(indexErrors[0], 0u, 1u) == 0u) {
        indexErrors[1] = lo;
        indexErrors[2] = hi;
        indexErrors[3] = p.opCode;
        indexErrors[4] = p.dim;
        indexErrors[5] = uint(p.dimSize);
    }
}
