// Host emulation of the few CUDA C features our kernels use, so that the kernel sources in
// kernels/*.cu compile with a plain C++ compiler and run on the CPU (tests/cuda_emulation.rs).
// This checks the kernels' logic and arithmetic on machines without a GPU; it does not check
// concurrency: launches run their threads one after another, and block-synchronous kernels
// (dominance_peel_u32) are launched with one thread per block, which they support.
// Compile with -ffp-contract=off so that, as on the device (-fmad=false), nothing is fused.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

struct EmuDim3 {
    unsigned x, y, z;
};
static EmuDim3 blockIdx, threadIdx, blockDim, gridDim;

#define __global__
#define __launch_bounds__(...)
#define __device__
#define __forceinline__ inline
#define __shared__ static

static inline void __syncthreads() {}
static inline int __popc(unsigned v) { return __builtin_popcount(v); }
static inline unsigned atomicAdd(unsigned *p, unsigned v) {
    unsigned old = *p;
    *p = old + v;
    return old;
}
static inline unsigned atomicOr(unsigned *p, unsigned v) {
    unsigned old = *p;
    *p = old | v;
    return old;
}
static inline long long __double_as_longlong(double v) {
    long long b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}
static inline double __longlong_as_double(long long b) {
    double v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return std::sqrt(a); }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return std::sqrt(a); }
// glibc's fma and fmaf are correctly rounded (hardware FMA or an exact software fallback).
static inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
static inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
// rint in the default rounding mode (never changed here) rounds half to even, as cvt.rni.
using std::rint;
using std::rintf;
static inline unsigned __float_as_uint(float v) {
    unsigned b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}
static inline float __uint_as_float(unsigned b) {
    float v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}
static inline float __double2float_rn(double v) { return (float)v; }
static inline double __ull2double_rn(unsigned long long v) { return (double)v; }
static inline float __uint2float_rn(unsigned v) { return (float)v; }

// Runs `kernel` for every thread of a 1-D grid, one thread at a time.
template <typename F>
static void emu_launch(unsigned blocks, unsigned threads, F kernel) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    for (unsigned b = 0; b < blocks; ++b) {
        for (unsigned t = 0; t < threads; ++t) {
            blockIdx = {b, 0, 0};
            threadIdx = {t, 0, 0};
            kernel();
        }
    }
}
