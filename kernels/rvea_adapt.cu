// rvea_adapt: RVEA's reference-vector adaptation and the vectors' neighbour angles γ.
//
// CPU twin: crate::moo::rvea (`adapted_vectors` and `gammas`, run by `Rvea::adapt`).
//
// rvea_adapt_f64, one thread per vector k: range = nadir − ideal; if any range is not finite
// and > 0 nothing changes (a collapsed range carries no shape information), else
// v_k = (v0_k ∘ range) / ‖v0_k ∘ range‖, the CPU's operations in its order: bit-identical.
// rvea_gamma_f64, one thread per vector k: the nearest other vector (smallest squared
// distance, ties to the smaller index: the k-d tree's answer), θ = acos(clamp(v_k · v_nn)),
// γ_k = max(θ, 1e-64), π for a lone vector. The nearest index is bit-identical; γ carries the
// arccosine's bound (ACOS_MAX_ULP) because the CPU calls libm's acos.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/acos.cuh"

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

// v: n_vec × m unit vectors; gamma: n_vec out.
extern "C" __global__ void rvea_gamma_f64(const double *v, u32 n_vec, u32 m, double *gamma) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_vec) return;
    const double *a = v + (u64)k * m;
    u32 nn = 0xffffffffu;
    double best = from_bits(0x7ff0000000000000ull);
    for (u32 p = 0; p < n_vec; ++p) {
        if (p == k) continue;
        const double *b = v + (u64)p * m;
        double d2 = 0.0;
        for (u32 j = 0; j < m; ++j) {
            double e = sub(b[j], a[j]);
            d2 = add(d2, mul(e, e));
        }
        if (d2 < best || (d2 <= best && p < nn)) {
            best = d2;
            nn = p;
        }
    }
    if (nn == 0xffffffffu) {
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
