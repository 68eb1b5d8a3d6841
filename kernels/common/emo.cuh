// Helpers shared by the selection kernels (nsga3.cu, rvea_adapt.cu, survival.cu): the integer
// draws of crate::rng::Stream (below, shuffle) on top of chacha.cuh, Rust's f64::total_cmp,
// and min/max with the tie rule the CPU folds use.
#pragma once
#include "chacha.cuh"

// High 64 bits of a 64 × 64-bit product (the device instruction, or __int128 on the host
// build of kernels/emulate/).
__device__ __forceinline__ u64 mulhi64(u64 a, u64 b) {
#ifdef __CUDACC_RTC__
    return __umul64hi(a, b);
#else
    return (u64)(((unsigned __int128)a * (unsigned __int128)b) >> 64);
#endif
}

// Stream::below: Lemire's multiply-and-reject, the same words consumed as on the CPU.
__device__ __forceinline__ u64 below(Stream &st, u64 n) {
    if (n == 0) return 0;
    u64 threshold = (0 - n) % n;
    for (;;) {
        u64 x = next_u64(st);
        if (x * n >= threshold) return mulhi64(x, n);
    }
}

// Stream::shuffle (Fisher–Yates from the back).
__device__ __forceinline__ void shuffle_u32(Stream &st, u32 *items, u32 len) {
    for (u32 i = len; i-- > 1;) {
        u32 j = (u32)below(st, (u64)i + 1);
        u32 t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
}

// Rust's f64::total_cmp as a signed key: a < b in the total order iff key(a) < key(b).
__device__ __forceinline__ long long total_key(double x) {
    long long b = __double_as_longlong(x);
    return b ^ (long long)(((unsigned long long)(b >> 63)) >> 1);
}

// a.min(b) and a.max(b) of the CPU folds for non-NaN arguments: the incumbent a stays on
// ties (the sign of a zero is the one case where CPU and device may differ: Rust leaves it
// unspecified).
__device__ __forceinline__ double fold_min(double a, double b) { return b < a ? b : a; }
__device__ __forceinline__ double fold_max(double a, double b) { return b > a ? b : a; }
