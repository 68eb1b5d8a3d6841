// Exclusive prefix sums of a u32 array in three launches that need no block barrier (so the
// CPU emulation can run them one thread at a time): range_sums_u32 sums `ranges` contiguous
// ranges, range_offsets_u32 turns the range sums into offsets on one thread, and
// prefix_offsets_u32 writes each range's offsets. Used to lay out buckets: RVEA's rows by
// niche (rvea.cu) and the Fisher–Yates steps by target (survival.cu); each module carries
// its own copy of these entry points.
#pragma once

typedef unsigned int u32;

// Part t of `parts` contiguous parts of 0..len, each ⌈len / parts⌉ long (the last ones short
// or empty): [k0, k1).
__device__ __forceinline__ void part_range(u32 t, u32 len, u32 parts, u32 &k0, u32 &k1) {
    u32 per = (len + parts - 1) / parts;
    k0 = t * per < len ? t * per : len;
    k1 = k0 + per < len ? k0 + per : len;
}

// b[0..c) in ascending order, in place (insertion sort: for the short buckets of the
// bucketing kernels, which hold a few entries each).
__device__ __forceinline__ void sort_small_u32(u32 *b, u32 c) {
    for (u32 q = 1; q < c; ++q) {
        u32 v = b[q], r = q;
        while (r > 0 && b[r - 1] > v) {
            b[r] = b[r - 1];
            --r;
        }
        b[r] = v;
    }
}

extern "C" __global__ void range_sums_u32(const u32 *counts, u32 len, u32 ranges, u32 *sums) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= ranges) return;
    u32 k0, k1;
    part_range(t, len, ranges, k0, k1);
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
    u32 k0, k1;
    part_range(t, len, ranges, k0, k1);
    u32 run = range_offsets[t];
    for (u32 k = k0; k < k1; ++k) {
        offsets[k] = run;
        run += counts[k];
    }
}
