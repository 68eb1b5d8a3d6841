// Exclusive prefix sums of a u32 array in three launches that need no block barrier (so the
// CPU emulation can run them one thread at a time): range_sums_u32 sums `ranges` contiguous
// ranges, range_offsets_u32 turns the range sums into offsets on one thread, and
// prefix_offsets_u32 writes each range's offsets. Used to lay out buckets: RVEA's rows by
// niche (rvea.cu) and the Fisher–Yates steps by target (survival.cu); each module carries
// its own copy of these entry points.
#pragma once

typedef unsigned int u32;

extern "C" __global__ void range_sums_u32(const u32 *counts, u32 len, u32 ranges, u32 *sums) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= ranges) return;
    u32 per = (len + ranges - 1) / ranges;
    u32 k0 = t * per < len ? t * per : len, k1 = k0 + per < len ? k0 + per : len;
    u32 c = 0;
    for (u32 k = k0; k < k1; ++k) c += counts[k];
    sums[t] = c;
}

extern "C" __global__ void range_offsets_u32(u32 *sums, u32 ranges) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    u32 run = 0;
    for (u32 t = 0; t < ranges; ++t) {
        u32 v = sums[t];
        sums[t] = run;
        run += v;
    }
}

extern "C" __global__ void prefix_offsets_u32(const u32 *counts, u32 len, u32 ranges,
                                              const u32 *range_offsets, u32 *offsets) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= ranges) return;
    u32 per = (len + ranges - 1) / ranges;
    u32 k0 = t * per < len ? t * per : len, k1 = k0 + per < len ? k0 + per : len;
    u32 run = range_offsets[t];
    for (u32 k = k0; k < k1; ++k) {
        offsets[k] = run;
        run += counts[k];
    }
}
