// variation: SBX crossover and polynomial mutation of row-major populations on the device.
//
// CPU twin: crate::moo::operators::{sbx, polynomial_mutation} (src/moo/operators.rs).
//
// Each offspring pair (SBX) or individual (mutation) draws from its own named ChaCha20
// stream, as on the CPU: SBX pair k from (seed, "sbx", generation, k), mutation of row i from
// (seed, "mutation", generation, first_index + i), in the same order and number (SBX: one
// draw for the pair, then three per variable; mutation: two per variable), whether or not a
// variable changes. Since every variable consumes a fixed number of draws, variable j's
// draws sit at a known position of the stream, and one thread handles VAR_CHUNK consecutive
// variables of one pair or row, seeking its stream there (stream_seek): a row of 10^5
// variables runs on 10^4 threads instead of one. Powers use pow_f64 of common/math.cuh, the
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

// Variables per thread. The host's launch (src/backend/cuda/variation.rs, VAR_CHUNK) uses the
// same value: n_pairs · ⌈n_var / VAR_CHUNK⌉ threads for SBX, rows · ⌈n_var / VAR_CHUNK⌉ for
// mutation. Eight variables are 48 words of an SBX stream (three or four cipher blocks, plus
// block 0 for the pair's crossover draw) and 32 words of a mutation stream (two blocks).
#define VAR_CHUNK 8u

// This thread's pair or row and its variables [j0, j1): thread t takes row t / chunks and
// the VAR_CHUNK variables from VAR_CHUNK · (t % chunks). False past the last chunk.
__device__ __forceinline__ bool var_chunk(u32 rows, u32 n_var, u32 &row, u32 &j0, u32 &j1) {
    const u32 chunks = (n_var + VAR_CHUNK - 1) / VAR_CHUNK;
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (u64)rows * chunks) return false;
    row = (u32)(t / chunks);
    j0 = (u32)(t % chunks) * VAR_CHUNK;
    j1 = j0 + VAR_CHUNK < n_var ? j0 + VAR_CHUNK : n_var;
    return true;
}

// parents: n × n_var; pair_a/pair_b: n_pairs parent rows; out: 2 n_pairs × n_var (pair k's
// children are rows 2k and 2k + 1). Thread t: pair t / chunks, variables from
// VAR_CHUNK · (t % chunks).
extern "C" __global__ void sbx_f64(const double *parents, const u32 *pair_a, const u32 *pair_b,
                                   u32 n_pairs, u32 n_var, const double *lower,
                                   const double *upper, double eta_c, double p_c, double p_var,
                                   double p_swap, u64 seed, u64 purpose, u64 generation,
                                   double *out) {
    u32 k, j0, j1;
    if (!var_chunk(n_pairs, n_var, k, j0, j1)) return;
    double *a = out + (u64)2 * k * n_var;
    double *b = a + n_var;
    const double *pa = parents + (u64)pair_a[k] * n_var;
    const double *pb = parents + (u64)pair_b[k] * n_var;
    Stream st;
    stream_init(st, seed, purpose, generation, (u64)k);
    // Draw 0 (words 0–1) decides the pair; variable j's three draws are words 2 + 6j on.
    bool crosses = uniform_f64(st) < p_c;
    if (j0 > 0) stream_seek(st, (u64)2 + (u64)6 * j0);
    for (u32 j = j0; j < j1; ++j) {
        double u_cross = uniform_f64(st);
        double u_spread = uniform_f64(st);
        double u_swap = uniform_f64(st);
        double x1 = pa[j], x2 = pb[j], lo = lower[j], hi = upper[j];
        a[j] = x1;
        b[j] = x2;
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

// x: n × n_var, mutated in place; row i uses stream first_index + i, variable j its words
// 4j to 4j + 3. Thread t: row t / chunks, variables from VAR_CHUNK · (t % chunks).
extern "C" __global__ void polynomial_mutation_f64(double *x, u32 n, u32 n_var,
                                                   const double *lower, const double *upper,
                                                   double eta_m, double p_m, u64 seed,
                                                   u64 purpose, u64 generation,
                                                   u64 first_index) {
    u32 i, j0, j1;
    if (!var_chunk(n, n_var, i, j0, j1)) return;
    double *row = x + (u64)i * n_var;
    Stream st;
    stream_init(st, seed, purpose, generation, first_index + (u64)i);
    if (j0 > 0) stream_seek(st, (u64)4 * j0);
    double e1 = add(eta_m, 1.0);
    double mut_pow = dvd(1.0, e1);
    for (u32 j = j0; j < j1; ++j) {
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
