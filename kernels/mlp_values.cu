// mlp_values: population MLP outputs (values only, no input derivatives) for P genomes x N
// points, with the hidden activations in registers. The fast path of
// CudaDevice::mlp_jets for value-only jets of networks whose hidden layers all have one of
// the widths instantiated below; other networks take mlp_jets_* (mlp_population.cu).
//
// CPU twin: crate::backend::cpu::Cpu::jets with JetSpec::values() (and the per-member MLP of
// src/backend/cpu/member.rs): every unit's pre-activation starts from its bias and adds
// fma(W_oi, a_i, acc) for i ascending, then the activation (common/math.cuh twins). No sum
// crosses points, so each (member, point) gives the CPU's bits whatever thread computes it.
//
// Why it is fast where mlp_jets_* is not: mlp_jets_* keeps each thread's activations in
// slot-major global memory (any width, any jet), so every multiply-add waits on a load. Here
// a thread holds R points' activations in registers (the width W is a template parameter, so
// the unrolled loops index registers), and each weight it loads from the member's genome
// (all threads of a block share the member, so a warp's load is one broadcast) feeds R
// multiply-adds; weights come four at a time (16-byte loads) from a padded copy of the
// genomes in which every layer (weights lo × li row-major, then the lo biases) is padded to
// a multiple of four elements, and every member to a multiple of four
// (src/backend/cuda/mlp_values.rs builds it).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "mlp_common.cuh"

typedef unsigned int u32;

// Threads per block (the host launches this many; a block covers VALUES_BLOCK · R points of
// one member).
#define VALUES_BLOCK 128u

__device__ __forceinline__ u32 pad4(u32 k) { return (k + 3u) & ~3u; }

// Four consecutive weights (16-byte aligned on the device).
template <typename T> __device__ __forceinline__ void load4(const T *p, T w[4]) {
#ifdef __CUDACC__
    if (sizeof(T) == 4) {
        float4 v = __ldg(reinterpret_cast<const float4 *>(p));
        w[0] = (T)v.x; w[1] = (T)v.y; w[2] = (T)v.z; w[3] = (T)v.w;
    } else {
        double2 a = __ldg(reinterpret_cast<const double2 *>(p));
        double2 b = __ldg(reinterpret_cast<const double2 *>(p) + 1);
        w[0] = (T)a.x; w[1] = (T)a.y; w[2] = (T)b.x; w[3] = (T)b.y;
    }
#else
    for (int k = 0; k < 4; ++k) w[k] = p[k];
#endif
}

template <typename T> __device__ __forceinline__ T load1(const T *p) {
#ifdef __CUDACC__
    return __ldg(p);
#else
    return *p;
#endif
}

// z[r][o] = act(z[r][o]) for the W units of R points. The values pass through this thread's
// column of `stage` (shared memory, VALUES_BLOCK columns, so a warp's accesses hit 32 banks)
// and a loop that is not unrolled: unrolled over the units, the activation's code would be
// copied W·R times per layer (megabytes of PTX), for two shared-memory accesses per unit
// against W multiply-adds.
template <typename T, u32 W, u32 R>
__device__ __forceinline__ void activate(u32 act, T (&z)[R][W], T *stage) {
    if (act == ACT_IDENTITY) return;
    T *col = stage + threadIdx.x;
#pragma unroll
    for (u32 r = 0; r < R; ++r)
#pragma unroll
        for (u32 o = 0; o < W; ++o) col[(r * W + o) * VALUES_BLOCK] = z[r][o];
    if (act == ACT_TANH) {
#pragma unroll 2
        for (u32 q = 0; q < R * W; ++q) {
            T *v = col + q * VALUES_BLOCK;
            *v = act_value(*v, ACT_TANH);
        }
    } else {
#pragma unroll 1
        for (u32 q = 0; q < R * W; ++q) {
            T *v = col + q * VALUES_BLOCK;
            *v = act_value(*v, ACT_SIN);
        }
    }
#pragma unroll
    for (u32 r = 0; r < R; ++r)
#pragma unroll
        for (u32 o = 0; o < W; ++o) z[r][o] = col[(r * W + o) * VALUES_BLOCK];
}

// acc[r] = bias + Σ_i wrow[i] · a[r][i] for R points, i ascending, one fma each: a unit's sum
// on the CPU. The W weights of the row come in 16-byte loads when W is a multiple of four
// (rows then start on 16-byte boundaries of the padded genome).
template <typename T, u32 W, u32 R>
__device__ __forceinline__ void row_sums(const T *wrow, T bias, const T (&a)[R][W], T (&acc)[R]) {
#pragma unroll
    for (u32 r = 0; r < R; ++r) acc[r] = bias;
    if (W % 4 == 0) {
#pragma unroll
        for (u32 i = 0; i < W; i += 4) {
            T wv[4];
            load4(wrow + i, wv);
#pragma unroll
            for (u32 k = 0; k < 4; ++k)
#pragma unroll
                for (u32 r = 0; r < R; ++r) acc[r] = fma_(wv[k], a[r][i + k], acc[r]);
        }
    } else {
#pragma unroll
        for (u32 i = 0; i < W; ++i) {
            const T wi = load1(wrow + i);
#pragma unroll
            for (u32 r = 0; r < R; ++r) acc[r] = fma_(wi, a[r][i], acc[r]);
        }
    }
}

template <typename T, u32 W, u32 R>
__device__ void values_body(const u32 *pl, const T *gpad, u32 stride, const T *x, u32 n, u32 members,
                            T *out) {
    const u32 blocks_per_member = (n + VALUES_BLOCK * R - 1) / (VALUES_BLOCK * R);
    const u32 m = blockIdx.x / blocks_per_member;
    if (m >= members) return;
    const u32 p0 = (blockIdx.x % blocks_per_member) * (VALUES_BLOCK * R) + threadIdx.x;
    const u32 L = pl[PL_LAYERS], n_in = pl[PL_N_IN], n_out = pl[PL_N_OUT];
    const T *g = gpad + (unsigned long long)m * stride;
    // A point past the end repeats the last one (its result is not stored), so that every
    // thread runs the same instructions.
    u32 pt[R];
#pragma unroll
    for (u32 r = 0; r < R; ++r) {
        u32 p = p0 + r * VALUES_BLOCK;
        pt[r] = p < n ? p : n - 1;
    }
    T a[R][W], z[R][W];
    __shared__ T stage[R * W * VALUES_BLOCK];
    // Input layer (n_in → W): z_o = b_o, then + W_oi x_i for i ascending.
    {
        const u32 *lw = pl + PL_HEADER;
        const T *w = g, *b = g + W * n_in;
#pragma unroll
        for (u32 o = 0; o < W; ++o) {
            const T bo = load1(b + o);
#pragma unroll
            for (u32 r = 0; r < R; ++r) z[r][o] = bo;
        }
        for (u32 i = 0; i < n_in; ++i) {
            T xi[R];
#pragma unroll
            for (u32 r = 0; r < R; ++r) xi[r] = x[(unsigned long long)pt[r] * n_in + i];
#pragma unroll
            for (u32 o = 0; o < W; ++o) {
                const T wo = load1(w + o * n_in + i);
#pragma unroll
                for (u32 r = 0; r < R; ++r) z[r][o] = fma_(wo, xi[r], z[r][o]);
            }
        }
        activate<T, W, R>(lw[2], z, stage);
    }
    // Hidden layers (W → W).
    u32 off = pad4(W * n_in + W);
    for (u32 l = 1; l + 1 < L; ++l) {
        const u32 act = pl[PL_HEADER + PL_LAYER_WORDS * l + 2];
#pragma unroll
        for (u32 r = 0; r < R; ++r)
#pragma unroll
            for (u32 i = 0; i < W; ++i) a[r][i] = z[r][i];
        const T *w = g + off, *b = w + W * W;
#pragma unroll
        for (u32 o = 0; o < W; ++o) {
            T acc[R];
            row_sums<T, W, R>(w + o * W, load1(b + o), a, acc);
#pragma unroll
            for (u32 r = 0; r < R; ++r) z[r][o] = acc[r];
        }
        activate<T, W, R>(act, z, stage);
        off += pad4(W * W + W);
    }
    // Output layer (W → n_out), stored per point.
    const u32 act = pl[PL_HEADER + PL_LAYER_WORDS * (L - 1) + 2];
    const T *w = g + off, *b = w + n_out * W;
    for (u32 k = 0; k < n_out; ++k) {
        T acc[R];
        row_sums<T, W, R>(w + k * W, load1(b + k), z, acc);
#pragma unroll
        for (u32 r = 0; r < R; ++r) {
            const u32 p = p0 + r * VALUES_BLOCK;
            if (p < n) out[((unsigned long long)m * n + p) * n_out + k] = act_value(acc[r], act);
        }
    }
}

#define PM_VALUES_KERNEL(T, SUF, W, R)                                                             \
    extern "C" __global__ void mlp_values_w##W##_##SUF(const u32 *plan, const T *gpad, u32 stride, \
                                                       const T *x, u32 n, u32 members, T *out) {   \
        values_body<T, W, R>(plan, gpad, stride, x, n, members, out);                              \
    }

// Widths of the hidden layers with a fast path, and R, the points per thread: as many as
// keep the two activation arrays (2·R·W values) within the registers, f64 taking two each.
// f32 width 20 (the Burgers PINN) takes one: on an H200, R = 1 ran 7–10 % faster than R = 2
// (more resident warps outweigh the reuse of each weight load); the other widths are not
// measured yet.
PM_VALUES_KERNEL(float, f32, 8, 4)
PM_VALUES_KERNEL(float, f32, 16, 2)
PM_VALUES_KERNEL(float, f32, 20, 1)
PM_VALUES_KERNEL(float, f32, 32, 2)
PM_VALUES_KERNEL(double, f64, 8, 2)
PM_VALUES_KERNEL(double, f64, 16, 1)
PM_VALUES_KERNEL(double, f64, 20, 1)
PM_VALUES_KERNEL(double, f64, 32, 1)
