// rvea: RVEA's association and angle-penalised distance (APD) on the device.
//
// CPU twin: crate::moo::rvea::Rvea (the association closure of `Rvea::survive`, src/moo/rvea.rs).
//
// One thread per individual i of the merged population (objectives f, n × m):
//   f' = f_i − z* (ideal point), dist = max(‖f'‖, 1e-64), u = f'/dist,
//   k  = the reference vector nearest to u (smallest Σ (v_kj − u_j)², ties to the smaller k:
//        exactly the kd-tree's answer on the CPU, whose pruning is exact),
//   θ  = acos(clamp(u·v_k, −1, 1)), apd = dist · (1 + penalty · θ / γ_k).
// Everything is the CPU's operations in the CPU's order, so the association k is
// bit-identical. θ comes from `acos_dev` below (fdlibm's algorithm and minimax coefficients,
// e_acos.c, evaluated with correctly rounded operations only), the twin of the CPU's
// `crate::math::inverse_trig::acos_f64` bit for bit (tests/moo_acos_twin.rs); so θ and the APD
// equal the CPU's (tests/cuda_emulation_evo.rs still states the older ULP bound, measured
// against libm's acos).
// rvea_select_f64 then picks the survivor of each niche (bit-identical given the APDs).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/acos.cuh"

typedef unsigned int u32;
typedef unsigned long long u64;

extern "C" __global__ void acos_eval_f64(const double *x, double *out, u32 n) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = acos_dev(x[i]);
}

// f: n × m objectives, ideal: m, v: n_vec × m unit vectors, gamma: n_vec; out: niche (n) and
// APD (n) per individual.
extern "C" __global__ void rvea_apd_f64(const double *f, const double *ideal, const double *v,
                                        const double *gamma, double penalty, u32 n, u32 m,
                                        u32 n_vec, u32 *niche, double *apd) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const double *fi = f + (u64)i * m;
    double ss = 0.0;
    for (u32 j = 0; j < m; ++j) {
        double d = sub(fi[j], ideal[j]);
        ss = add(ss, mul(d, d));
    }
    double dist = __dsqrt_rn(ss);
    // f64::max(dist, 1e-64): NaN gives the other argument.
    if (!(dist >= 1e-64)) dist = 1e-64;
    u32 best = 0xffffffffu;
    double best_d2 = from_bits(0x7ff0000000000000ull);
    // u = (f_i − z*) / dist once per row (the CPU's order); beyond 16 objectives it is
    // recomputed per vector, the same operations on the same operands.
    double ul[16];
    const bool cached = m <= 16;
    if (cached)
        for (u32 j = 0; j < m; ++j) ul[j] = dvd(sub(fi[j], ideal[j]), dist);
    for (u32 k = 0; k < n_vec; ++k) {
        const double *w = v + (u64)k * m;
        double d2 = 0.0;
        for (u32 j = 0; j < m; ++j) {
            double u = cached ? ul[j] : dvd(sub(fi[j], ideal[j]), dist);
            double e = sub(w[j], u);
            d2 = add(d2, mul(e, e));
        }
        // Ascending k: a strict improvement only, so ties keep the smaller index.
        if (d2 < best_d2) {
            best_d2 = d2;
            best = k;
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

// RVEA's survivor per niche: thread k scans the individuals in row order and keeps the one
// with the smallest key (infeasible, cv, apd) among those whose niche is k, replacing the
// incumbent only on a strict "less" of Rust's tuple partial_cmp (a NaN makes no key less),
// exactly the fold of `Rvea::survive`. best[k] = 0xffffffff for an empty niche.
// O(n · n_vec) work; the row order of the scan is what makes ties resolve as on the CPU.
extern "C" __global__ void rvea_select_f64(const u32 *niche, const double *apd, const double *cv,
                                           u32 n, u32 n_vec, u32 *best) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_vec) return;
    u32 b = 0xffffffffu;
    bool b_inf = false;
    double b_cv = 0.0, b_apd = 0.0;
    for (u32 i = 0; i < n; ++i) {
        if (niche[i] != k) continue;
        bool inf = cv[i] > 0.0;
        double c = cv[i], a = apd[i];
        bool better;
        if (b == 0xffffffffu) better = true;
        else if (inf != b_inf) better = !inf;
        else if (c < b_cv) better = true;
        else if (c == b_cv) better = a < b_apd;
        else better = false;
        if (better) {
            b = i;
            b_inf = inf;
            b_cv = c;
            b_apd = a;
        }
    }
    best[k] = b;
}
