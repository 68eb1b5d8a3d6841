// Exact nearest-vector search over spatial tiles of the reference vectors, for RVEA's
// association (rvea.cu) and its neighbour angles γ (rvea_adapt.cu).
//
// The host (src/backend/cuda/vector_tiles.rs) orders the vectors by recursive median splits,
// so that `order[tile_start[t] .. tile_start[t + 1])` (a tile, at most 32 vectors) and the
// tiles `group_tile[g] .. group_tile[g + 1]` (a group, at most 16 tiles) are compact regions.
// vector_tile_bounds_f64 gives every tile and group a centre c and a radius r that bounds
// ‖w − c‖ over its vectors. A query then scans one seed tile (the nearest tile centre inside
// the nearest group centre), and every other group and tile only when its lower bound
// (‖q − c‖ − r)² could still beat the best squared distance found so far.
//
// The answer is exact, not approximate: the same squared distance Σ (w_j − q_j)² as the
// brute-force scan, in objective order, and the smallest (d2, index) over all vectors,
// which is what the ascending scan with strict improvement returned (ties to the smaller
// index; a NaN distance never wins). The bound only decides what is skipped, and it is
// widened by 1e-9 relative on each side: far beyond the few-ulp error of a computed distance,
// so a skipped part never holds a vector whose computed d2 reaches the incumbent's.
// Non-finite vectors give their part an infinite radius (never skipped); a NaN query skips
// nothing (its comparisons are false) and finds no vector, as before.
#pragma once

#include "math.cuh"

typedef unsigned int u32;
typedef unsigned long long u64;

#define TILE_NONE 0xffffffffu

// Where the tiling lives: the vectors in their own order, the tile order, and the bounds.
struct VectorTiles {
    const double *v;
    const u32 *order, *tile_start, *group_tile;
    const double *tile_c, *tile_r, *group_c, *group_r;
    u32 n_tiles, n_groups;
};

// The query point, component by component: a unit row computed on the fly, held in
// registers, or read from memory. Each gives the same value for component j every time.
struct RowQuery {
    const double *fi, *ideal;
    double dist;
    __device__ __forceinline__ double at(u32 j) const { return dvd(sub(fi[j], ideal[j]), dist); }
};
template <u32 M> struct RegQuery {
    double u[M];
    __device__ __forceinline__ double at(u32 j) const { return u[j]; }
};
struct PtrQuery {
    const double *a;
    __device__ __forceinline__ double at(u32 j) const { return a[j]; }
};

// Σ (w_j − q_j)² in objective order (M != 0: m at compile time).
template <u32 M, class Q>
__device__ __forceinline__ double sq_dist(const Q &q, const double *w, u32 m) {
    const u32 mm = M != 0 ? M : m;
    double d2 = 0.0;
#pragma unroll
    for (u32 j = 0; j < mm; ++j) {
        double e = sub(w[j], q.at(j));
        d2 = add(d2, mul(e, e));
    }
    return d2;
}

#define TILE_SLACK (1.0 - 1e-9)

// True when no vector of the part (centre c, radius r) can have a computed squared distance
// to q at or below bd.
template <u32 M, class Q>
__device__ __forceinline__ bool part_beyond(const Q &q, const double *c, double r, u32 m,
                                            double bd) {
    double lb = sub(mul(__dsqrt_rn(sq_dist<M>(q, c, m)), TILE_SLACK), r);
    if (!(lb > 0.0)) return false;
    return mul(mul(lb, lb), TILE_SLACK) > bd;
}

// Scans positions [p0, p1) of the order, skipping vector `skip`, keeping the smallest
// (d2, k); finite_only: an infinite d2 never wins (the association's strict scan from +∞).
template <u32 M, class Q>
__device__ __forceinline__ void scan_part(const Q &q, const VectorTiles &T, u32 m, u32 p0, u32 p1,
                                          u32 skip, bool finite_only, u32 &best, double &bd) {
    const double INF = from_bits(0x7ff0000000000000ull);
    for (u32 p = p0; p < p1; ++p) {
        u32 k = T.order[p];
        if (k == skip) continue;
        double d2 = sq_dist<M>(q, T.v + (u64)k * m, m);
        bool better = d2 < bd || (d2 == bd && k < best);
        if (finite_only && !(d2 < INF)) better = false;
        if (better) {
            bd = d2;
            best = k;
        }
    }
}

// The seed tile: the nearest tile centre within the group of nearest centre (a guess that
// makes the first incumbent close; any tile would give the same final answer).
template <u32 M, class Q>
__device__ __forceinline__ u32 seed_tile(const Q &q, const VectorTiles &T, u32 m) {
    const double INF = from_bits(0x7ff0000000000000ull);
    u32 g0 = 0;
    double best = INF;
    for (u32 g = 0; g < T.n_groups; ++g) {
        double d = sq_dist<M>(q, T.group_c + (u64)g * m, m);
        if (d < best) {
            best = d;
            g0 = g;
        }
    }
    u32 t0 = T.group_tile[g0];
    best = INF;
    for (u32 t = T.group_tile[g0]; t < T.group_tile[g0 + 1]; ++t) {
        double d = sq_dist<M>(q, T.tile_c + (u64)t * m, m);
        if (d < best) {
            best = d;
            t0 = t;
        }
    }
    return t0;
}

// The nearest vector to q other than `skip` (TILE_NONE: none found), starting from tile t0.
template <u32 M, class Q>
__device__ __forceinline__ void nearest_tiled(const Q &q, const VectorTiles &T, u32 m, u32 t0,
                                              u32 skip, bool finite_only, u32 &best, double &bd) {
    best = TILE_NONE;
    bd = from_bits(0x7ff0000000000000ull);
    scan_part<M>(q, T, m, T.tile_start[t0], T.tile_start[t0 + 1], skip, finite_only, best, bd);
    for (u32 g = 0; g < T.n_groups; ++g) {
        if (part_beyond<M>(q, T.group_c + (u64)g * m, T.group_r[g], m, bd)) continue;
        for (u32 t = T.group_tile[g]; t < T.group_tile[g + 1]; ++t) {
            if (t == t0 || part_beyond<M>(q, T.tile_c + (u64)t * m, T.tile_r[t], m, bd)) continue;
            scan_part<M>(q, T, m, T.tile_start[t], T.tile_start[t + 1], skip, finite_only, best,
                         bd);
        }
    }
}

// Centre and radius of each part: part t is order[start[t] .. start[t + 1]) (tiles, or groups
// with their start positions). Centre: the middle of the bounding box; radius:
// max ‖w − c‖ · (1 + 1e-9) (+∞ with a non-finite vector, −∞ for an empty part).
extern "C" __global__ void vector_tile_bounds_f64(const double *v, u32 m, const u32 *order,
                                                  const u32 *start, u32 n_parts, double *center,
                                                  double *radius) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n_parts) return;
    const double INF = from_bits(0x7ff0000000000000ull);
    const u32 p0 = start[t], p1 = start[t + 1];
    double *c = center + (u64)t * m;
    bool finite = true;
    for (u32 j = 0; j < m; ++j) {
        double lo = INF, hi = -INF;
        for (u32 p = p0; p < p1; ++p) {
            double x = v[(u64)order[p] * m + j];
            if (!(sub(x, x) == 0.0)) finite = false;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
        }
        c[j] = p1 > p0 && finite ? add(lo, mul(sub(hi, lo), 0.5)) : 0.0;
    }
    if (p1 == p0 || !finite) {
        radius[t] = p1 == p0 ? -INF : INF;
        return;
    }
    PtrQuery cq{c};
    double r2 = 0.0;
    for (u32 p = p0; p < p1; ++p) {
        double d2 = sq_dist<0>(cq, v + (u64)order[p] * m, m);
        if (!(d2 <= r2)) r2 = d2;
    }
    radius[t] = mul(__dsqrt_rn(r2), 1.0 + 1e-9);
}
