// rvea: RVEA's association and angle-penalised distance (APD) on the device.
//
// CPU twin: crate::moo::rvea::Rvea (the association closure of `Rvea::survive`, src/moo/rvea.rs).
//
// For each individual i of the merged population (objectives f, n × m):
//   f' = f_i − z* (ideal point), dist = max(‖f'‖, 1e-64), u = f'/dist,
//   k  = the reference vector nearest to u (smallest Σ (v_kj − u_j)², ties to the smaller k:
//        exactly the kd-tree's answer on the CPU, whose pruning is exact),
//   θ  = acos(clamp(u·v_k, −1, 1)), apd = dist · (1 + penalty · θ / γ_k).
// rvea_nearest_f64 searches slices of the vectors in parallel (one thread per individual and
// slice) and rvea_apd_f64 combines the slices in order and computes the APD (one thread per
// individual). Everything is the CPU's operations in the CPU's order, so the association k
// is bit-identical. θ comes from `acos_dev` (common/acos.cuh: fdlibm's algorithm and minimax
// coefficients, e_acos.c, evaluated with correctly rounded operations only), the twin of the
// CPU's `crate::math::inverse_trig::acos_f64` bit for bit (tests/moo_acos_twin.rs), so θ and
// the APD equal the CPU's too.
// rvea_select_f64 then picks the survivor of each niche (bit-identical given the APDs).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/acos.cuh"
#include "common/scan.cuh"

typedef unsigned int u32;
typedef unsigned long long u64;

extern "C" __global__ void acos_eval_f64(const double *x, double *out, u32 n) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = acos_dev(x[i]);
}

// Distance and translated row of individual i: dist = max(‖f_i − z*‖, 1e-64) (NaN gives
// 1e-64, as f64::max) in the CPU's order of operations.
__device__ __forceinline__ double row_dist(const double *fi, const double *ideal, u32 m) {
    double ss = 0.0;
    for (u32 j = 0; j < m; ++j) {
        double d = sub(fi[j], ideal[j]);
        ss = add(ss, mul(d, d));
    }
    double dist = __dsqrt_rn(ss);
    if (!(dist >= 1e-64)) dist = 1e-64;
    return dist;
}

// The nearest of vectors [k0, k1) to the unit row u = (f_i − z*) / dist, by the squared
// distance Σ (w_j − u_j)² summed in objective order; ascending k with a strict improvement
// only, so ties keep the smaller index and a NaN distance never wins. M != 0: the objective
// count at compile time (u in registers); M = 0: any m, u recomputed per vector (the same
// operations on the same operands, hence the same bits).
template <u32 M>
__device__ __forceinline__ void nearest_in(const double *fi, const double *ideal, double dist,
                                           const double *v, u32 m, u32 k0, u32 k1, u32 &best,
                                           double &best_d2) {
    // MM: M, or 1 where M = 0 (so that no loop compares against zero).
    constexpr u32 MM = M != 0 ? M : 1;
    double ul[MM];
    if (M != 0) {
#pragma unroll
        for (u32 j = 0; j < MM; ++j) ul[j] = dvd(sub(fi[j], ideal[j]), dist);
    }
    for (u32 k = k0; k < k1; ++k) {
        const double *w = v + (u64)k * m;
        double d2 = 0.0;
        if (M != 0) {
#pragma unroll
            for (u32 j = 0; j < MM; ++j) {
                double e = sub(w[j], ul[j]);
                d2 = add(d2, mul(e, e));
            }
        } else {
            for (u32 j = 0; j < m; ++j) {
                double e = sub(w[j], dvd(sub(fi[j], ideal[j]), dist));
                d2 = add(d2, mul(e, e));
            }
        }
        if (d2 < best_d2) {
            best_d2 = d2;
            best = k;
        }
    }
}

// The association split over the reference vectors: thread t scans slice t / n of
// ⌈n_vec / slices⌉ vectors for individual t % n, writing its nearest vector (0xffffffff:
// none) and squared distance to part_k / part_d2 (n × slices, row-major). Consecutive threads
// take consecutive individuals and the same slice, so a warp reads each vector once for all
// its lanes (the first version, slice-fastest, made every lane stream its own vectors and ran
// at a third of this at population 4096 on an H100). rvea_apd_f64 then takes the first slice
// with a strict improvement, in slice order: the same vector as one scan of all vectors in
// ascending order, with many more threads.
extern "C" __global__ void rvea_nearest_f64(const double *f, const double *ideal, const double *v,
                                            u32 n, u32 m, u32 n_vec, u32 slices, u32 *part_k,
                                            double *part_d2) {
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (u64)n * slices) return;
    u32 s = (u32)(t / n), i = (u32)(t % n);
    u32 k0, k1;
    part_range(s, n_vec, slices, k0, k1);
    const double *fi = f + (u64)i * m;
    double dist = row_dist(fi, ideal, m);
    u32 best = 0xffffffffu;
    double best_d2 = from_bits(0x7ff0000000000000ull);
    if (m == 2) nearest_in<2>(fi, ideal, dist, v, m, k0, k1, best, best_d2);
    else if (m == 3) nearest_in<3>(fi, ideal, dist, v, m, k0, k1, best, best_d2);
    else nearest_in<0>(fi, ideal, dist, v, m, k0, k1, best, best_d2);
    u64 q = (u64)i * slices + s;
    part_k[q] = best;
    part_d2[q] = best_d2;
}

// f: n × m objectives, ideal: m, v: n_vec × m unit vectors, gamma: n_vec, part_k/part_d2:
// rvea_nearest_f64's slices; out: niche (n) and APD (n) per individual:
//   θ = acos(clamp(u·v_k, −1, 1)), apd = dist · (1 + penalty · θ / γ_k).
extern "C" __global__ void rvea_apd_f64(const double *f, const double *ideal, const double *v,
                                        const double *gamma, double penalty, u32 n, u32 m,
                                        u32 slices, const u32 *part_k, const double *part_d2,
                                        u32 *niche, double *apd) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const double *fi = f + (u64)i * m;
    double dist = row_dist(fi, ideal, m);
    u32 best = 0xffffffffu;
    double best_d2 = from_bits(0x7ff0000000000000ull);
    for (u32 s = 0; s < slices; ++s) {
        u64 q = (u64)i * slices + s;
        if (part_k[q] != 0xffffffffu && part_d2[q] < best_d2) {
            best_d2 = part_d2[q];
            best = part_k[q];
        }
    }
    niche[i] = best;
    if (best == 0xffffffffu) {
        apd[i] = from_bits(0x7ff8000000000000ull);
        return;
    }
    const double *w = v + (u64)best * m;
    double c = 0.0;
    for (u32 j = 0; j < m; ++j) c = add(c, mul(dvd(sub(fi[j], ideal[j]), dist), w[j]));
    if (c < -1.0) c = -1.0;
    if (c > 1.0) c = 1.0;
    double theta = acos_dev(c);
    apd[i] = mul(dist, add(1.0, dvd(mul(penalty, theta), gamma[best])));
}

// RVEA's survivor per niche: among the rows whose niche is k, the one that the fold of
// `Rvea::survive` keeps: scanning rows in order, a row replaces the incumbent only on a strict
// "less" of Rust's tuple partial_cmp on (infeasible, cv, apd) (a NaN makes no key less).
// best[k] = 0xffffffff for an empty niche.
//
// The rows are first bucketed by niche (rvea_niche_count_u32, the offsets, then
// rvea_niche_scatter_u32, whose atomics leave each bucket in some order), so that thread k
// reads only its own rows. Without NaNs the fold keeps the first row of smallest key, which is
// the smallest (key, row) whatever the order of the bucket; a bucket holding a NaN (never in a
// DeviceRvea run: device problems have finite objectives) replays the fold in row order.

// counts[k] += rows of niche k (niche ≥ n_vec: an unassociated row, skipped).
extern "C" __global__ void rvea_niche_count_u32(const u32 *niche, u32 n, u32 n_vec, u32 *counts) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && niche[i] < n_vec) atomicAdd(&counts[niche[i]], 1u);
}

// bucket[offsets[k] + j] = the rows of niche k, j counted by fill[k] (zeroed by the host).
extern "C" __global__ void rvea_niche_scatter_u32(const u32 *niche, u32 n, u32 n_vec,
                                                  const u32 *offsets, u32 *fill, u32 *bucket) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n || niche[i] >= n_vec) return;
    u32 k = niche[i];
    bucket[offsets[k] + atomicAdd(&fill[k], 1u)] = i;
}

// The fold's "new row beats the incumbent" (strict less of the tuple partial_cmp).
__device__ __forceinline__ bool select_better(bool inf, double c, double a, bool b_inf,
                                              double b_cv, double b_apd) {
    if (inf != b_inf) return !inf;
    if (c < b_cv) return true;
    if (c == b_cv) return a < b_apd;
    return false;
}

extern "C" __global__ void rvea_select_f64(u32 *bucket, const u32 *offsets,
                                           const u32 *counts, const double *apd,
                                           const double *cv, u32 n_vec, u32 *best) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_vec) return;
    u32 *rows = bucket + offsets[k];
    const u32 len = counts[k];
    bool has_nan = false;
    for (u32 q = 0; q < len; ++q) {
        u32 i = rows[q];
        if (cv[i] != cv[i] || apd[i] != apd[i]) has_nan = true;
    }
    u32 b = 0xffffffffu;
    bool b_inf = false;
    double b_cv = 0.0, b_apd = 0.0;
    if (!has_nan) {
        // A total preorder: the smallest (key, row).
        for (u32 q = 0; q < len; ++q) {
            u32 i = rows[q];
            bool inf = cv[i] > 0.0;
            double c = cv[i], a = apd[i];
            bool take = b == 0xffffffffu || select_better(inf, c, a, b_inf, b_cv, b_apd) ||
                        (!select_better(b_inf, b_cv, b_apd, inf, c, a) && i < b);
            if (take) {
                b = i;
                b_inf = inf;
                b_cv = c;
                b_apd = a;
            }
        }
    } else {
        // The fold itself, on the bucket sorted into row order (quadratic in the bucket, and
        // only reached with NaNs).
        sort_small_u32(rows, len);
        for (u32 q = 0; q < len; ++q) {
            u32 i = rows[q];
            bool inf = cv[i] > 0.0;
            double c = cv[i], a = apd[i];
            if (b == 0xffffffffu || select_better(inf, c, a, b_inf, b_cv, b_apd)) {
                b = i;
                b_inf = inf;
                b_cv = c;
                b_apd = a;
            }
        }
    }
    best[k] = b;
}
