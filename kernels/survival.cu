// survival: mating and the bookkeeping of survival on the device, so a generation needs no
// host round trip between operators.
//
// CPU twin: crate::moo::operators (`random_mating`, `binary_tournament`) and
// crate::moo::algorithm::Core (`merge`, `commit`).
//
// shuffle_targets_u32, perm_*_u32, permutations_u32: permutation p of 0..n from the stream
//   (purpose, generation, p), Stream::permutation's Fisher–Yates with Stream::below:
//   bit-identical draws. The draws (the swap targets) are computed in parallel first, one
//   cipher block per thread; long permutations then follow each entry's chain of swaps in
//   parallel, short ones swap on one thread in shared memory. The concatenated
//   permutations are the candidates of random mating (consecutive pairs) and of binary
//   tournaments (consecutive quadruples).
// tournament_pairs_u32: thread k plays pair k's two tournaments on (violation, rank,
//   crowding) with ties broken by the stream ("tournament-tie", generation, k): the CPU's
//   `tournament_winner` and tie rule.
// pairs_split_u32: consecutive draws as the pair columns (a, b) of random mating.
// gather_rows_f64: row r of the output is row idx[r] of [a; b] (a has n_a rows): the
//   survivors' rows of Core::commit, and the parents ∪ offspring of Core::merge.
// rvea_ideal_f64, column_max_f64, compact_u32: the ideal point, the survivors' nadir and the
//   survivor list of crate::moo::rvea::Rvea::survive (one block each).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/emo.cuh"
#include "common/scan.cuh"

// Swap targets of the Fisher–Yates steps: step i (n − 1 ≥ i ≥ 1) of permutation p takes
// Stream::below(i + 1) from word n − 1 − i of its stream, as long as no earlier step rejected
// a draw. Thread t computes one cipher block (eight words) of permutation t / blocks. A
// rejection (probability under n / 2^64 per step) shifts every later word, so the thread only
// flags the permutation (rejected[p] = 1; racing writers store the same value) and
// permutations_u32 redraws that one sequentially. targets: n_perm × n (entry i of row p).
extern "C" __global__ void shuffle_targets_u32(u64 seed, u64 purpose, u64 generation, u32 n,
                                               u32 n_perm, u32 *targets, u32 *rejected) {
    if (n < 2) return;
    const u32 steps = n - 1, blocks = (steps + 7) / 8;
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (u64)n_perm * blocks) return;
    u32 p = (u32)(t / blocks), b = (u32)(t % blocks);
    Stream st;
    stream_init(st, seed, purpose, generation, p);
    u32 w[16];
    chacha20_block(st.key, b, w);
#pragma unroll
    for (u32 q = 0; q < 8; ++q) {
        u32 c = b * 8 + q;
        if (c >= steps) break;
        u32 i = steps - c;
        u64 x = (u64)w[2 * q] | ((u64)w[2 * q + 1] << 32);
        u64 bound = (u64)i + 1;
        u64 lo = x * bound;
        // Lemire's threshold (2^64 − bound) mod bound is below bound: most draws are
        // accepted without the 64-bit modulo.
        if (lo < bound && lo < (0 - bound) % bound) rejected[p] = 1u;
        targets[(u64)p * n + i] = (u32)mulhi64(x, bound);
    }
}

// From this length on, the swaps are replaced by the parallel chain below; shorter
// permutations swap on one thread in shared memory (16-bit entries), where the chain's nine
// launches would cost more than the swaps. src/backend/cuda/survival.rs (PERM_CHAIN_MIN)
// uses the same value.
#define PERM_CHAIN_MIN 2048u

// The Fisher–Yates result without the serial chain of swaps. Steps run i = n−1 down to 1,
// step i swapping positions i and j_i ≤ i, so position i is final after step i and
//   out[i] = (value at position j_i just before step i).
// The value at a position x just before step t (x ≤ t) was last written by the earliest-run,
// i.e. smallest, step s > t with j_s = x, which moved there the value at position s just
// before step s; if no such step exists it is still x. So out[k] follows a chain:
//   x = j_k, t = k (k = 0: x = 0, t = 0); while some step s > t has j_s = x: x = t = s.
// Every link needs "the smallest step after t aiming at x": the steps are bucketed by
// target (perm_count_u32, the prefix sums of common/scan.cuh, perm_scatter_u32), each bucket
// is sorted (perm_sort_buckets_u32), and perm_follow_u32 walks one chain per entry.
// Arrays are n_perm × n, entry x of permutation p at p·n + x; a permutation with a rejected
// draw is skipped here and redrawn by permutations_u32.

// This thread's step: permutation p, step i ≥ 1 (one thread per step of every permutation).
// False past the last step, and for a permutation with a rejected draw.
__device__ __forceinline__ bool perm_step(u32 n, u32 n_perm, const u32 *rejected, u32 &p,
                                          u32 &i) {
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (n < 2 || t >= (u64)n_perm * (n - 1)) return false;
    p = (u32)(t / (n - 1));
    i = 1 + (u32)(t % (n - 1));
    return !rejected[p];
}

// counts[p·n + j_i] += 1 for every step i ≥ 1.
extern "C" __global__ void perm_count_u32(const u32 *targets, const u32 *rejected, u32 n,
                                          u32 n_perm, u32 *counts) {
    u32 p, i;
    if (!perm_step(n, n_perm, rejected, p, i)) return;
    atomicAdd(&counts[(u64)p * n + targets[(u64)p * n + i]], 1u);
}

// The steps into their target's bucket (fill zeroed by the host), in any order.
extern "C" __global__ void perm_scatter_u32(const u32 *targets, const u32 *rejected, u32 n,
                                            u32 n_perm, const u32 *offsets, u32 *fill,
                                            u32 *bucket) {
    u32 p, i;
    if (!perm_step(n, n_perm, rejected, p, i)) return;
    u64 x = (u64)p * n + targets[(u64)p * n + i];
    bucket[offsets[x] + atomicAdd(&fill[x], 1u)] = i;
}

// Each bucket in ascending step order (insertion sort: buckets hold about one step each; the
// most crowded, position 0, about ln n).
extern "C" __global__ void perm_sort_buckets_u32(const u32 *counts, const u32 *offsets, u64 len,
                                                 u32 *bucket) {
    u64 x = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (x < len) sort_small_u32(bucket + offsets[x], counts[x]);
}

// The smallest step after t in bucket x (0xffffffff: none).
__device__ __forceinline__ u32 next_step(const u32 *counts, const u32 *offsets, const u32 *bucket,
                                         u64 x, u32 t) {
    const u32 *b = bucket + offsets[x];
    const u32 c = counts[x];
    for (u32 q = 0; q < c; ++q)
        if (b[q] > t) return b[q];
    return 0xffffffffu;
}

// out[p·n + k] by following k's chain.
extern "C" __global__ void perm_follow_u32(const u32 *targets, const u32 *rejected,
                                           const u32 *counts, const u32 *offsets,
                                           const u32 *bucket, u32 n, u32 n_perm, u32 *out) {
    u64 e = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= (u64)n_perm * n) return;
    u32 p = (u32)(e / n), k = (u32)(e % n);
    if (n >= 2 && rejected[p]) return;
    const u64 base = (u64)p * n;
    u32 x = k == 0 ? 0u : targets[base + k], t = k;
    for (;;) {
        u32 s = next_step(counts, offsets, bucket, base + x, t);
        if (s == 0xffffffffu) break;
        x = s;
        t = s;
    }
    out[e] = x;
}

// Block p (PERM_THREADS threads; src/backend/cuda/survival.rs launches that many):
// permutation p when a draw was rejected (from its stream, step by step, on thread 0), or
// when it is shorter than PERM_CHAIN_MIN (from its targets: the swaps run on thread 0 in
// shared memory, the targets loaded eight ahead, and the block fills and copies the
// permutation). Otherwise the chain kernels above have written it.
extern "C" __global__ void permutations_u32(u64 seed, u64 purpose, u64 generation, u32 n,
                                            u32 n_perm, const u32 *targets,
                                            const u32 *rejected, u32 *out) {
    __shared__ unsigned short sp[PERM_CHAIN_MIN];
    const u32 p = blockIdx.x, t = threadIdx.x, T = blockDim.x;
    if (p >= n_perm) return;
    u32 *perm = out + (u64)p * n;
    if (n >= 2 && rejected[p]) {
        if (t != 0) return;
        for (u32 i = 0; i < n; ++i) perm[i] = i;
        Stream st;
        stream_init(st, seed, purpose, generation, p);
        shuffle_u32(st, perm, n);
        return;
    }
    if (n >= PERM_CHAIN_MIN) return;
    const u32 *tj = targets + (u64)p * n;
    for (u32 i = t; i < n; i += T) sp[i] = (unsigned short)i;
    __syncthreads();
    if (t == 0 && n >= 2) {
        u32 i = n - 1;
        for (; i >= 8; i -= 8) {
            u32 jj[8];
#pragma unroll
            for (u32 q = 0; q < 8; ++q) jj[q] = tj[i - q];
#pragma unroll
            for (u32 q = 0; q < 8; ++q) {
                const u32 a = i - q;
                unsigned short v = sp[a];
                sp[a] = sp[jj[q]];
                sp[jj[q]] = v;
            }
        }
        for (; i >= 1; --i) {
            const u32 b = tj[i];
            unsigned short v = sp[i];
            sp[i] = sp[b];
            sp[b] = v;
        }
    }
    __syncthreads();
    for (u32 i = t; i < n; i += T) perm[i] = sp[i];
}

// draws: at least 4·n_pairs candidates; cv, crowd: n values; rank: n ranks. Out: a, b.
extern "C" __global__ void tournament_pairs_u32(const u32 *draws, const double *cv, const u32 *rank,
                                                const double *crowd, u32 n_pairs, u64 seed,
                                                u64 purpose_tie, u64 generation, u32 *a_out,
                                                u32 *b_out) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_pairs) return;
    Stream st;
    stream_init(st, seed, purpose_tie, generation, k);
    double ties[2];
    ties[0] = uniform_f64(st);
    ties[1] = uniform_f64(st);
    u32 won[2];
    for (int h = 0; h < 2; ++h) {
        u32 a = draws[(u64)4 * k + 2 * h], b = draws[(u64)4 * k + 2 * h + 1];
        int order; // −1: a wins, 1: b wins, 0: tie
        if (cv[a] > 0.0 || cv[b] > 0.0) {
            long long ka = total_key(cv[a]), kb = total_key(cv[b]);
            order = ka < kb ? -1 : (ka > kb ? 1 : 0);
        } else if (rank[a] != rank[b]) {
            order = rank[a] < rank[b] ? -1 : 1;
        } else {
            // Larger crowding wins: crowd[b].total_cmp(crowd[a]).
            long long ka = total_key(crowd[a]), kb = total_key(crowd[b]);
            order = kb < ka ? -1 : (kb > ka ? 1 : 0);
        }
        won[h] = order < 0 ? a : (order > 0 ? b : (ties[h] < 0.5 ? a : b));
    }
    a_out[k] = won[0];
    b_out[k] = won[1];
}

extern "C" __global__ void pairs_split_u32(const u32 *draws, u32 n_pairs, u32 *a_out, u32 *b_out) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_pairs) return;
    a_out[k] = draws[(u64)2 * k];
    b_out[k] = draws[(u64)2 * k + 1];
}

// a: n_a × cols, b: rows beyond n_a, idx: n_idx row indices into [a; b]; out: n_idx × cols.
// One thread per output element.
extern "C" __global__ void gather_rows_f64(const double *a, u32 n_a, const double *b, const u32 *idx,
                                           u32 n_idx, u32 cols, double *out) {
    u64 e = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= (u64)n_idx * cols) return;
    u32 r = (u32)(e / cols), j = (u32)(e % cols);
    u32 i = idx[r];
    out[e] = i < n_a ? a[(u64)i * cols + j] : b[(u64)(i - n_a) * cols + j];
}

// RVEA's ideal point and nadir are folds over rows in row order: acc = v < acc ? v : acc (and
// > for the nadir), NaN never replacing. Their result is the value of the first row (in row
// order) among those equal (==, so +0 and -0 tie) to the extreme, unless that does not beat
// the start value. As a pair (value, row) with ties to the smaller row, that answer does not
// depend on the order of combination, so one block of T threads takes strided rows and
// combines its T partials in a tree in shared memory. The first version folded the partials
// on one thread in thread order: 176 µs at population 2^14 on an H200, and only equal to the
// row-order fold up to the sign of a zero.
#define REDUCE_MAX_THREADS 1024u

// (v, r) comes before (bv, br) for a minimum (MAX = false) or a maximum (MAX = true).
template <bool MAX> __device__ __forceinline__ bool first_extreme(double v, u32 r, double bv, u32 br) {
    return (MAX ? v > bv : v < bv) || (v == bv && r < br);
}

// Combines the block's partials (v_t, r_t), t < T, in a tree; thread 0's pair is the result.
template <bool MAX>
__device__ __forceinline__ void block_extreme(double *sv, u32 *sr, u32 t, u32 T, double &v, u32 &r) {
    sv[t] = v;
    sr[t] = r;
    __syncthreads();
    for (u32 step = 1; step < T; step *= 2) {
        if (t % (2 * step) == 0 && t + step < T && first_extreme<MAX>(sv[t + step], sr[t + step], sv[t], sr[t])) {
            sv[t] = sv[t + step];
            sr[t] = sr[t + step];
        }
        __syncthreads();
    }
    v = sv[0];
    r = sr[0];
    __syncthreads();
}

// RVEA's ideal-point update (one block of T <= 1024 threads): ideal = the fold of min over the
// feasible rows of sel (n × m) or, when none is feasible, over all rows, from ideal: the
// CPU's `Rvea::survive` preamble.
extern "C" __global__ void rvea_ideal_f64(const double *sel, const double *cv, u32 n, u32 m,
                                          double *ideal) {
    __shared__ double sv[REDUCE_MAX_THREADS];
    __shared__ u32 sr[REDUCE_MAX_THREADS];
    const u32 T = blockDim.x, t = threadIdx.x;
    if (blockIdx.x != 0 || T > REDUCE_MAX_THREADS) return;
    const double INF = from_bits(0x7ff0000000000000ull);
    u32 count = 0;
    for (u32 i = t; i < n; i += T) count += cv[i] <= 0.0;
    // The number of feasible rows (an integer sum: any order).
    sr[t] = count;
    __syncthreads();
    for (u32 step = 1; step < T; step *= 2) {
        if (t % (2 * step) == 0 && t + step < T) sr[t] += sr[t + step];
        __syncthreads();
    }
    const bool feasible_only = sr[0] > 0;
    __syncthreads();
    for (u32 j = 0; j < m; ++j) {
        double v = INF;
        u32 r = 0xffffffffu;
        for (u32 i = t; i < n; i += T) {
            if (feasible_only && !(cv[i] <= 0.0)) continue;
            const double x = sel[(u64)i * m + j];
            if (first_extreme<false>(x, i, v, r)) {
                v = x;
                r = i;
            }
        }
        block_extreme<false>(sv, sr, t, T, v, r);
        if (t == 0 && r != 0xffffffffu && v < ideal[j]) ideal[j] = v;
    }
}

// Column maxima of f (n × m), the fold of max from −inf in row order (one block of T <= 1024
// threads): the nadir of RVEA's survivors.
extern "C" __global__ void column_max_f64(const double *f, u32 n, u32 m, double *out) {
    __shared__ double sv[REDUCE_MAX_THREADS];
    __shared__ u32 sr[REDUCE_MAX_THREADS];
    const u32 T = blockDim.x, t = threadIdx.x;
    if (blockIdx.x != 0 || T > REDUCE_MAX_THREADS) return;
    const double NEG_INF = from_bits(0xfff0000000000000ull);
    for (u32 j = 0; j < m; ++j) {
        double v = NEG_INF;
        u32 r = 0xffffffffu;
        for (u32 i = t; i < n; i += T) {
            const double x = f[(u64)i * m + j];
            if (first_extreme<true>(x, i, v, r)) {
                v = x;
                r = i;
            }
        }
        block_extreme<true>(sv, sr, t, T, v, r);
        if (t == 0) out[j] = r != 0xffffffffu && v > NEG_INF ? v : NEG_INF;
    }
}

// The survivors of RVEA's niches in niche order (best[k] = 0xffffffff: empty niche), written
// to out; their number to count[0]. One block of T ≤ 1024 threads (a stable compaction):
// thread t counts the survivors of its contiguous range of niches, thread 0 turns the counts
// into offsets, and every thread writes its survivors at its offset.
extern "C" __global__ void compact_u32(const u32 *best, u32 n_vec, u32 *out, u32 *count) {
    __shared__ u32 offsets[1024];
    const u32 t = threadIdx.x, T = blockDim.x;
    if (blockIdx.x != 0 || T > 1024) return;
    u32 k0, k1;
    part_range(t, n_vec, T, k0, k1);
    u32 c = 0;
    for (u32 k = k0; k < k1; ++k) c += best[k] != 0xffffffffu;
    offsets[t] = c;
    __syncthreads();
    if (t == 0) {
        u32 run = 0;
        for (u32 s = 0; s < T; ++s) {
            u32 v = offsets[s];
            offsets[s] = run;
            run += v;
        }
        count[0] = run;
    }
    __syncthreads();
    u32 o = offsets[t];
    for (u32 k = k0; k < k1; ++k)
        if (best[k] != 0xffffffffu) out[o++] = best[k];
}
