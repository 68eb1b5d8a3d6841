// dominance_rank: Pareto dominance matrix and non-dominated front ranks (minimisation).
//
// CPU twin: crate::moo::nondominated_sort (src/moo/nondominated_sort.rs).
// Dominance is crate::moo::dominance::dominates. Ranks are integers, so the device result must equal the
// CPU result exactly; the comparisons are the CPU's (`<` per objective, so -0.0 == 0.0).
//
// Two kernels:
// 1. dominance_matrix_<f64|f32>: one thread per (row j, 32-row word w). Bit b of
//    dom_by[j * words + w] is set when row i = 32 w + b dominates row j; the thread also adds
//    the popcount to dom_count[j] (integer atomics: the sum is order-free, so deterministic).
//    O(N^2 M) work, N * ceil(N / 32) threads.
// 2. dominance_peel_u32: a single block peels the fronts. Round k: every unranked row with no
//    unranked dominator gets rank k and sets its bit in a front mask; then each unranked row
//    subtracts popc(dom_by[j][w] & front[w]) over the words. Repeat until all rows are ranked.
//    O(fronts * N^2 / 32) word operations, no host round trip between fronts. One block keeps
//    the rounds in step with __syncthreads; fine for populations up to tens of thousands.
//
// rank[] must be filled with 0xffffffff (unranked) and front_mask[] with zeros by the caller;
// dom_count[] must be zero before kernel 1.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

typedef unsigned int u32;

template <typename T>
__device__ __forceinline__ void dominance_matrix(const T *f, u32 n, u32 m, u32 *dom_by,
                                                 u32 *dom_count) {
    u32 words = (n + 31u) / 32u;
    unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (unsigned long long)n * words) return;
    u32 j = (u32)(t / words);
    u32 w = (u32)(t % words);
    const T *fj = f + (unsigned long long)j * m;
    u32 bits = 0u;
    for (u32 b = 0; b < 32u; ++b) {
        u32 i = w * 32u + b;
        if (i >= n) break;
        if (i == j) continue;
        const T *fi = f + (unsigned long long)i * m;
        bool i_better = false, j_better = false;
        for (u32 k = 0; k < m; ++k) {
            T x = fi[k], y = fj[k];
            if (x < y) i_better = true;
            else if (y < x) j_better = true;
        }
        if (i_better && !j_better) bits |= 1u << b;
    }
    dom_by[t] = bits;
    if (bits != 0u) atomicAdd(&dom_count[j], (u32)__popc(bits));
}

extern "C" __global__ void dominance_matrix_f64(const double *f, u32 n, u32 m, u32 *dom_by,
                                                u32 *dom_count) {
    dominance_matrix<double>(f, n, m, dom_by, dom_count);
}

extern "C" __global__ void dominance_matrix_f32(const float *f, u32 n, u32 m, u32 *dom_by,
                                                u32 *dom_count) {
    dominance_matrix<float>(f, n, m, dom_by, dom_count);
}

#define UNRANKED 0xffffffffu

// Launch with one block (any size up to 1024 threads, a multiple of 32).
extern "C" __global__ void dominance_peel_u32(const u32 *dom_by, u32 *dom_count, u32 n,
                                              u32 *front_mask, u32 *rank) {
    __shared__ u32 ranked_total;
    __shared__ u32 ranked_now;
    u32 words = (n + 31u) / 32u;
    if (threadIdx.x == 0) ranked_total = 0u;
    __syncthreads();
    for (u32 k = 0; k < n; ++k) {
        if (threadIdx.x == 0) ranked_now = 0u;
        for (u32 w = threadIdx.x; w < words; w += blockDim.x) front_mask[w] = 0u;
        __syncthreads();
        // Mark: rows whose dominators are all ranked form front k.
        u32 mine = 0u;
        for (u32 j = threadIdx.x; j < n; j += blockDim.x) {
            if (rank[j] == UNRANKED && dom_count[j] == 0u) {
                rank[j] = k;
                atomicOr(&front_mask[j / 32u], 1u << (j % 32u));
                mine += 1u;
            }
        }
        if (mine != 0u) atomicAdd(&ranked_now, mine);
        __syncthreads();
        u32 now = ranked_now;
        if (threadIdx.x == 0) ranked_total += now;
        __syncthreads();
        if (ranked_total >= n || now == 0u) break;
        // Release: remove front k from the dominator counts of the rows still unranked.
        for (u32 j = threadIdx.x; j < n; j += blockDim.x) {
            if (rank[j] != UNRANKED) continue;
            const u32 *row = dom_by + (unsigned long long)j * words;
            u32 gone = 0u;
            for (u32 w = 0; w < words; ++w) gone += (u32)__popc(row[w] & front_mask[w]);
            dom_count[j] -= gone;
        }
        __syncthreads();
    }
}
