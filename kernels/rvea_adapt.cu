// rvea_adapt: RVEA's reference-vector adaptation and the vectors' neighbour angles γ.
//
// CPU twin: crate::moo::rvea (`adapted_vectors` and `gammas`, run by `Rvea::adapt`).
//
// rvea_adapt_f64, one thread per vector k: range = nadir − ideal; if any range is not finite
// and > 0 nothing changes (a collapsed range carries no shape information), else
// v_k = (v0_k ∘ range) / ‖v0_k ∘ range‖, the CPU's operations in its order: bit-identical.
// rvea_gamma_f64, one thread per vector k: the nearest other vector (smallest squared
// distance, ties to the smaller index: the k-d tree's answer; found by the exact tiled search
// of common/tiles.cuh), θ = acos(clamp(v_k · v_nn)), γ_k = max(θ, 1e-64), π for a lone
// vector. Bit-identical: the CPU takes θ from the same fdlibm arccosine.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/acos.cuh"
#include "common/tiles.cuh"

typedef unsigned int u32;
typedef unsigned long long u64;

// v0: n_vec × m initial unit vectors; ideal, nadir: m; v: n_vec × m, overwritten when the
// range is valid.
extern "C" __global__ void rvea_adapt_f64(const double *v0, u32 n_vec, u32 m, const double *ideal,
                                          const double *nadir, double *v) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_vec) return;
    for (u32 j = 0; j < m; ++j) {
        double r = sub(nadir[j], ideal[j]);
        if (!(r - r == 0.0 && r > 0.0)) return;
    }
    const double *a = v0 + (u64)k * m;
    double ss = 0.0;
    for (u32 j = 0; j < m; ++j) {
        double x = mul(a[j], sub(nadir[j], ideal[j]));
        ss = add(ss, mul(x, x));
    }
    double norm = __dsqrt_rn(ss);
    double *out = v + (u64)k * m;
    for (u32 j = 0; j < m; ++j) out[j] = dvd(mul(a[j], sub(nadir[j], ideal[j])), norm);
}

// v: n_vec × m unit vectors with their tiling (common/tiles.cuh; the bounds of the current
// v); gamma: n_vec out. Thread t takes vector order[t], so a warp's vectors are neighbours.
extern "C" __global__ void rvea_gamma_f64(const double *v, u32 n_vec, u32 m, const u32 *order,
                                          const u32 *tile_start, const u32 *group_tile,
                                          const double *tile_c, const double *tile_r,
                                          const double *group_c, const double *group_r,
                                          u32 n_tiles, u32 n_groups, double *gamma) {
    u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n_vec) return;
    const VectorTiles T{v, order, tile_start, group_tile, tile_c, tile_r,
                        group_c, group_r, n_tiles, n_groups};
    const u32 k = order[t];
    const double *a = v + (u64)k * m;
    u32 nn;
    double best;
    if (m == 3) {
        RegQuery<3> q{{a[0], a[1], a[2]}};
        nearest_tiled<3>(q, T, m, seed_tile<3>(q, T, m), k, false, nn, best);
    } else {
        PtrQuery q{a};
        nearest_tiled<0>(q, T, m, seed_tile<0>(q, T, m), k, false, nn, best);
    }
    if (nn == TILE_NONE) {
        gamma[k] = 0x1.921fb54442d18p+1;
        return;
    }
    const double *b = v + (u64)nn * m;
    double c = 0.0;
    for (u32 j = 0; j < m; ++j) c = add(c, mul(a[j], b[j]));
    if (c < -1.0) c = -1.0;
    if (c > 1.0) c = 1.0;
    double theta = acos_dev(c);
    gamma[k] = theta >= 1e-64 ? theta : 1e-64;
}
