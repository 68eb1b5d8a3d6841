// survival: mating and the bookkeeping of survival on the device, so a generation needs no
// host round trip between operators.
//
// CPU twin: crate::moo::operators (`random_mating`, `binary_tournament`) and
// crate::moo::algorithm::Core (`merge`, `commit`).
//
// permutations_u32: thread p writes permutation p of 0..n from the stream (purpose, generation,
//   p), Stream::permutation's Fisher–Yates with Stream::below: bit-identical draws. The
//   concatenated permutations are the candidates of random mating (consecutive pairs) and of
//   binary tournaments (consecutive quadruples).
// tournament_pairs_u32: thread k plays pair k's two tournaments on (violation, rank,
//   crowding) with ties broken by the stream ("tournament-tie", generation, k): the CPU's
//   `tournament_winner` and tie rule.
// pairs_split_u32: consecutive draws as the pair columns (a, b) of random mating.
// gather_rows_f64: row r of the output is row idx[r] of [a; b] (a has n_a rows): the
//   survivors' rows of Core::commit, and the parents ∪ offspring of Core::merge.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/emo.cuh"

extern "C" __global__ void permutations_u32(u64 seed, u64 purpose, u64 generation, u32 n,
                                            u32 n_perm, u32 *out) {
    u32 p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= n_perm) return;
    u32 *perm = out + (u64)p * n;
    for (u32 i = 0; i < n; ++i) perm[i] = i;
    Stream st;
    stream_init(st, seed, purpose, generation, p);
    shuffle_u32(st, perm, n);
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
