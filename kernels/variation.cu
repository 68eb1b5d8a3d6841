// variation: SBX crossover and polynomial mutation of row-major populations on the device.
//
// CPU twin: crate::moo::operators::{sbx, polynomial_mutation} (src/moo/operators.rs).
//
// One thread per offspring pair (SBX) or individual (mutation), each with its own named
// ChaCha20 stream, as on the CPU: SBX pair k draws from stream (seed, "sbx", generation, k),
// mutation of row i from (seed, "mutation", generation, first_index + i), in the same order
// and number (SBX: one draw for the pair, then three per variable; mutation: two per
// variable), whether or not a variable changes. Powers use pow_f64 of common/math.cuh, the
// transcription of crate::math::pow_f64, and every other step is the CPU's correctly rounded
// operation in the CPU's order, so offspring are bit-identical.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/chacha.cuh"
#include "common/math.cuh"

// f64::clamp for lo <= hi: below lo gives lo, above hi gives hi, NaN stays NaN.
__device__ __forceinline__ double clamp_f64(double x, double lo, double hi) {
    double r = x;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return r;
}

// operators.rs `betaq`: the spread factor of SBX for uniform u and the bound term beta.
__device__ __forceinline__ double betaq(double u, double beta, double eta) {
    double e1 = add(eta, 1.0);
    double alpha = sub(2.0, pow_f64(beta, -e1));
    if (u <= dvd(1.0, alpha)) return pow_f64(mul(u, alpha), dvd(1.0, e1));
    return pow_f64(dvd(1.0, sub(2.0, mul(u, alpha))), dvd(1.0, e1));
}

// parents: n × n_var; pair_a/pair_b: n_pairs parent rows; out: 2 n_pairs × n_var (pair k's
// children are rows 2k and 2k + 1).
extern "C" __global__ void sbx_f64(const double *parents, const u32 *pair_a, const u32 *pair_b,
                                   u32 n_pairs, u32 n_var, const double *lower,
                                   const double *upper, double eta_c, double p_c, double p_var,
                                   double p_swap, u64 seed, u64 purpose, u64 generation,
                                   double *out) {
    u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n_pairs) return;
    double *a = out + (u64)2 * k * n_var;
    double *b = a + n_var;
    const double *pa = parents + (u64)pair_a[k] * n_var;
    const double *pb = parents + (u64)pair_b[k] * n_var;
    for (u32 j = 0; j < n_var; ++j) {
        a[j] = pa[j];
        b[j] = pb[j];
    }
    Stream st;
    stream_init(st, seed, purpose, generation, (u64)k);
    bool crosses = uniform_f64(st) < p_c;
    for (u32 j = 0; j < n_var; ++j) {
        double u_cross = uniform_f64(st);
        double u_spread = uniform_f64(st);
        double u_swap = uniform_f64(st);
        double x1 = a[j], x2 = b[j], lo = lower[j], hi = upper[j];
        if (!crosses || u_cross >= p_var || fabs(sub(x1, x2)) <= 1e-14 || lo >= hi) continue;
        double y1 = x1 < x2 ? x1 : x2;
        double y2 = x1 < x2 ? x2 : x1;
        double delta = sub(y2, y1);
        double b1 = betaq(u_spread, add(1.0, dvd(mul(2.0, sub(y1, lo)), delta)), eta_c);
        double c1 = mul(0.5, sub(add(y1, y2), mul(b1, delta)));
        double b2 = betaq(u_spread, add(1.0, dvd(mul(2.0, sub(hi, y2)), delta)), eta_c);
        double c2 = mul(0.5, add(add(y1, y2), mul(b2, delta)));
        if (u_swap < p_swap) {
            double t = c1;
            c1 = c2;
            c2 = t;
        }
        a[j] = clamp_f64(c1, lo, hi);
        b[j] = clamp_f64(c2, lo, hi);
    }
}

// x: n × n_var, mutated in place; row i uses stream first_index + i.
extern "C" __global__ void polynomial_mutation_f64(double *x, u32 n, u32 n_var,
                                                   const double *lower, const double *upper,
                                                   double eta_m, double p_m, u64 seed,
                                                   u64 purpose, u64 generation,
                                                   u64 first_index) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double *row = x + (u64)i * n_var;
    Stream st;
    stream_init(st, seed, purpose, generation, first_index + (u64)i);
    double e1 = add(eta_m, 1.0);
    double mut_pow = dvd(1.0, e1);
    for (u32 j = 0; j < n_var; ++j) {
        double u_mut = uniform_f64(st);
        double u = uniform_f64(st);
        double lo = lower[j], hi = upper[j];
        if (u_mut >= p_m || lo >= hi) continue;
        double y = row[j];
        double range = sub(hi, lo);
        double deltaq;
        if (u <= 0.5) {
            double xy = sub(1.0, dvd(sub(y, lo), range));
            double val = add(mul(2.0, u), mul(sub(1.0, mul(2.0, u)), pow_f64(xy, e1)));
            deltaq = sub(pow_f64(val, mut_pow), 1.0);
        } else {
            double xy = sub(1.0, dvd(sub(hi, y), range));
            double val = add(mul(2.0, sub(1.0, u)), mul(mul(2.0, sub(u, 0.5)), pow_f64(xy, e1)));
            deltaq = sub(1.0, pow_f64(val, mut_pow));
        }
        row[j] = clamp_f64(add(y, mul(deltaq, range)), lo, hi);
    }
}
