// Named ChaCha20 streams on the device, shared by every kernel that draws random numbers
// (chacha_uniform.cu, variation.cu).
//
// CPU twin: crate::rng::Stream (src/rng.rs); the stream layout is described in
// kernels/chacha_uniform.cu.
#pragma once

typedef unsigned int u32;
typedef unsigned long long u64;

__device__ __forceinline__ u32 rotl32(u32 x, int n) { return (x << n) | (x >> (32 - n)); }

#define QR(a, b, c, d)                                                                        \
    a += b; d ^= a; d = rotl32(d, 16);                                                        \
    c += d; b ^= c; b = rotl32(b, 12);                                                        \
    a += b; d ^= a; d = rotl32(d, 8);                                                         \
    c += d; b ^= c; b = rotl32(b, 7);

// One ChaCha20 block (20 rounds) of the given key at block counter `counter`.
__device__ __forceinline__ void chacha20_block(const u32 key[8], u64 counter, u32 out[16]) {
    u32 x[16];
    x[0] = 0x61707865u; x[1] = 0x3320646eu; x[2] = 0x79622d32u; x[3] = 0x6b206574u;
#pragma unroll
    for (int i = 0; i < 8; ++i) x[4 + i] = key[i];
    x[12] = (u32)counter; x[13] = (u32)(counter >> 32); x[14] = 0u; x[15] = 0u;
    u32 s[16];
#pragma unroll
    for (int i = 0; i < 16; ++i) s[i] = x[i];
    // The double round indexes x[] by constants only, so it needs no unrolling of its own.
#pragma unroll 1
    for (int r = 0; r < 10; ++r) {
        QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
    }
#pragma unroll
    for (int i = 0; i < 16; ++i) out[i] = x[i] + s[i];
}

// A stream's position: key, current block, and the next word within it.
struct Stream {
    u32 key[8];
    u64 counter;
    u32 block[16];
    int pos;
};

__device__ __forceinline__ void stream_init(Stream &st, u64 seed, u64 purpose, u64 generation,
                                            u64 index) {
    st.key[0] = (u32)seed; st.key[1] = (u32)(seed >> 32);
    st.key[2] = (u32)purpose; st.key[3] = (u32)(purpose >> 32);
    st.key[4] = (u32)generation; st.key[5] = (u32)(generation >> 32);
    st.key[6] = (u32)index; st.key[7] = (u32)(index >> 32);
    st.counter = 0;
    st.pos = 16;
}

// Positions the stream at u32 word `word` (0-based), as if that many words had been read:
// the cipher is a counter mode, so a thread can start anywhere in a stream without drawing
// what comes before.
__device__ __forceinline__ void stream_seek(Stream &st, u64 word) {
    chacha20_block(st.key, word >> 4, st.block);
    st.counter = (word >> 4) + 1;
    st.pos = (int)(word & 15);
}

__device__ __forceinline__ u32 next_u32(Stream &st) {
    if (st.pos == 16) {
        chacha20_block(st.key, st.counter, st.block);
        st.counter += 1;
        st.pos = 0;
    }
    // Indexed at run time, so the block lives in local memory (L1-cached); one 16-word block
    // is computed per 16 reads, which keeps the cipher, not this read, the cost.
    return st.block[st.pos++];
}

__device__ __forceinline__ u64 next_u64(Stream &st) {
    u64 lo = (u64)next_u32(st);
    u64 hi = (u64)next_u32(st);
    return lo | (hi << 32);
}

// Stream::uniform_f64: (next_u64 >> 11) * 2^-53, both steps exact.
__device__ __forceinline__ double uniform_f64(Stream &st) {
    return __dmul_rn(__ull2double_rn(next_u64(st) >> 11), 1.1102230246251565e-16);
}

