// chacha_uniform: named ChaCha20 random streams on the device.
//
// CPU twin: crate::rng::Stream::{next_u64, uniform_f64, uniform_f32} (src/rng.rs).
// The stream (seed, purpose, generation, index) is ChaCha20 with the 256-bit key
//   seed | FNV-1a-64(purpose) | generation | index   (each little-endian u64),
// stream id 0 and a 64-bit block counter starting at 0 (state words 12..13 = counter,
// 14..15 = stream id = 0), exactly as rand_chacha's ChaCha20Rng::from_seed. Words come out
// in keystream order; next_u64 joins two words, the first as the low half.
//
// One thread per stream: thread t serves index = first_index + t and writes `count` draws to
// out[t * count .. (t + 1) * count]. The purpose hash is computed on the host
// (rng::purpose_hash) and passed as a number.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/chacha.cuh"

extern "C" __global__ void chacha_words_u64(u64 *out, u64 seed, u64 purpose, u64 generation,
                                            u64 first_index, u32 n_streams, u32 count) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n_streams) return;
    Stream st;
    stream_init(st, seed, purpose, generation, first_index + (u64)t);
    u64 *dst = out + (u64)t * count;
    for (u32 c = 0; c < count; ++c) dst[c] = next_u64(st);
}

// uniform_f64 = (next_u64 >> 11) * 2^-53: the conversion of a 53-bit integer and the product
// with a power of two are both exact, so any IEEE device gives the CPU's bits.
extern "C" __global__ void chacha_uniform_f64(double *out, u64 seed, u64 purpose,
                                              u64 generation, u64 first_index, u32 n_streams,
                                              u32 count) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n_streams) return;
    Stream st;
    stream_init(st, seed, purpose, generation, first_index + (u64)t);
    double *dst = out + (u64)t * count;
    for (u32 c = 0; c < count; ++c) {
        u64 w = next_u64(st);
        dst[c] = __dmul_rn(__ull2double_rn(w >> 11), 1.1102230246251565e-16);
    }
}

// uniform_f32 = (next_u32 >> 8) * 2^-24, one word per draw (exact, as above).
extern "C" __global__ void chacha_uniform_f32(float *out, u64 seed, u64 purpose,
                                              u64 generation, u64 first_index, u32 n_streams,
                                              u32 count) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n_streams) return;
    Stream st;
    stream_init(st, seed, purpose, generation, first_index + (u64)t);
    float *dst = out + (u64)t * count;
    for (u32 c = 0; c < count; ++c) {
        u32 w = next_u32(st);
        dst[c] = __fmul_rn(__uint2float_rn(w >> 8), 5.9604644775390625e-8f);
    }
}
