// rvea: RVEA's association and angle-penalised distance (APD) on the device.
//
// CPU twin: crate::moo::rvea::Rvea (the association closure of `Rvea::survive`, src/moo/rvea.rs).
//
// For each individual i of the merged population (objectives f, n × m):
//   f' = f_i − z* (ideal point), dist = max(‖f'‖, 1e-64), u = f'/dist,
//   k  = the reference vector nearest to u (smallest Σ (v_kj − u_j)², ties to the smaller k:
//        exactly the kd-tree's answer on the CPU, whose pruning is exact),
//   θ  = acos(clamp(u·v_k, −1, 1)), apd = dist · (1 + penalty · θ / γ_k).
// The nearest vector comes from the exact tiled search of common/tiles.cuh: rvea_seed_u32
// picks each row's seed tile, the rows are bucketed by it (rvea_niche_count_u32, the prefix
// sums, rvea_niche_scatter_u32) so that a warp searches one neighbourhood, and
// rvea_nearest_f64 searches. A brute-force scan costs n · n_vec distances (5·10⁸ at
// population 2¹⁴, most of a generation's time on an H100); the tiles visit a few hundred
// vectors per row. Everything is the CPU's operations in the CPU's order, so the association
// k is bit-identical. θ comes from `acos_dev` (common/acos.cuh: fdlibm's algorithm and minimax
// coefficients, e_acos.c, evaluated with correctly rounded operations only), the twin of the
// CPU's `crate::math::inverse_trig::acos_f64` bit for bit (tests/moo_acos_twin.rs), so θ and
// the APD equal the CPU's too.
// rvea_select_f64 then picks the survivor of each niche (bit-identical given the APDs).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/acos.cuh"
#include "common/scan.cuh"
#include "common/tiles.cuh"

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

#define RVEA_TILE_PARAMS                                                                       \
    const double *v, const u32 *order, const u32 *tile_start, const u32 *group_tile,           \
        const double *tile_c, const double *tile_r, const double *group_c,                     \
        const double *group_r, u32 n_tiles, u32 n_groups
#define RVEA_TILES VectorTiles{v, order, tile_start, group_tile, tile_c, tile_r, group_c, group_r, \
                               n_tiles, n_groups}

// The unit row u = (f_i − z*) / dist in registers (M = 2, 3), in a thread-local array (up to
// ROW_LOCAL_M objectives), or recomputed per use (any m): the same operations on the same
// operands, hence the same bits; the array spares the search a division per component and
// vector.
#define ROW_LOCAL_M 16u
template <u32 M> __device__ __forceinline__ RegQuery<M> reg_query(const RowQuery &q) {
    RegQuery<M> r;
#pragma unroll
    for (u32 j = 0; j < M; ++j) r.u[j] = q.at(j);
    return r;
}

// u in `ul` (m <= ROW_LOCAL_M values), read through a PtrQuery.
__device__ __forceinline__ PtrQuery local_query(const RowQuery &q, u32 m, double *ul) {
    for (u32 j = 0; j < m; ++j) ul[j] = q.at(j);
    return PtrQuery{ul};
}

// The seed tile of each row (common/tiles.cuh), the key by which the rows are bucketed so
// that a warp of rvea_nearest_f64 searches one neighbourhood.
extern "C" __global__ void rvea_seed_u32(const double *f, const double *ideal, u32 n, u32 m,
                                         RVEA_TILE_PARAMS, u32 *key) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const VectorTiles T = RVEA_TILES;
    const double *fi = f + (u64)i * m;
    RowQuery q{fi, ideal, row_dist(fi, ideal, m)};
    double ul[ROW_LOCAL_M];
    if (m == 2) key[i] = seed_tile<2>(reg_query<2>(q), T, m);
    else if (m == 3) key[i] = seed_tile<3>(reg_query<3>(q), T, m);
    else if (m <= ROW_LOCAL_M) key[i] = seed_tile<0>(local_query(q, m, ul), T, m);
    else key[i] = seed_tile<0>(q, T, m);
}

// The nearest reference vector of each row (smallest Σ (v_kj − u_j)² summed in objective
// order, ties to the smaller k, a NaN distance never wins: the CPU kd-tree's answer, whose
// pruning is exact too), by the exact tiled search of common/tiles.cuh from the row's seed
// tile key[i]. Thread t takes row rows[t] (the rows bucketed by seed tile), writing niche[i]
// (0xffffffff: none).
extern "C" __global__ void rvea_nearest_f64(const double *f, const double *ideal, u32 n, u32 m,
                                            RVEA_TILE_PARAMS, const u32 *key, const u32 *rows,
                                            u32 *niche) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n) return;
    const VectorTiles T = RVEA_TILES;
    const u32 i = rows[t];
    const double *fi = f + (u64)i * m;
    RowQuery q{fi, ideal, row_dist(fi, ideal, m)};
    u32 best;
    double bd;
    double ul[ROW_LOCAL_M];
    if (m == 2) nearest_tiled<2>(reg_query<2>(q), T, m, key[i], TILE_NONE, true, best, bd);
    else if (m == 3) nearest_tiled<3>(reg_query<3>(q), T, m, key[i], TILE_NONE, true, best, bd);
    else if (m <= ROW_LOCAL_M)
        nearest_tiled<0>(local_query(q, m, ul), T, m, key[i], TILE_NONE, true, best, bd);
    else nearest_tiled<0>(q, T, m, key[i], TILE_NONE, true, best, bd);
    niche[i] = best;
}

// f: n × m objectives, ideal: m, v: n_vec × m unit vectors, gamma: n_vec, niche: n (from
// rvea_nearest_f64); out: APD (n) per individual:
//   θ = acos(clamp(u·v_k, −1, 1)), apd = dist · (1 + penalty · θ / γ_k).
extern "C" __global__ void rvea_apd_f64(const double *f, const double *ideal, const double *v,
                                        const double *gamma, double penalty, u32 n, u32 m,
                                        const u32 *niche, double *apd) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const double *fi = f + (u64)i * m;
    double dist = row_dist(fi, ideal, m);
    const u32 best = niche[i];
    if (best == TILE_NONE) {
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
