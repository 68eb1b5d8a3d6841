// problems: the DTLZ1-7 and ZDT1-4, ZDT6 test problems evaluated on the device.
//
// CPU twin: crate::moo::problems::{Dtlz, Zdt} (Problem::evaluate; src/moo/problems/{dtlz,zdt}.rs).
//
// One thread per row of the row-major population x (n × n_var), writing its objectives to
// f (n × n_obj). Each thread folds its sums in the CPU's order (left to right from 0.0) with
// the CPU's operations, and takes sin, cos, exp and pow from common/math.cuh, the
// transcription of crate::math, so the objectives are bit-identical. Products with constants
// such as 20π are formed as the CPU forms them: (20·π) rounded once, then times the variable.
// DTLZ5/6 compute their angles θ_j on the fly instead of storing them.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"

typedef unsigned int u32;
typedef unsigned long long u64;

#define PM_PI 0x1.921fb54442d18p+1
#define PM_FRAC_PI_2 0x1.921fb54442d18p+0

// 100 (|xm| + Σ ((v − ½)² − cos(20π(v − ½)))).
// From this many distance variables on, the host computes DTLZ1/DTLZ3's Rastrigin terms in
// a separate launch, one thread per term (dtlz_rastrigin_terms_f64), and dtlz_f64 only sums
// them in the CPU's order: a row of 10^5 variables would otherwise take 10^5 serial cosines
// on one thread. src/backend/cuda/problems.rs (DTLZ_TERMS_MIN_K) uses the same value.
#define DTLZ_TERMS_MIN_K 256u

__device__ __forceinline__ double rastrigin_term(double x) {
    double d = sub(x, 0.5);
    return sub(mul(d, d), cos_f64(mul(mul(20.0, PM_PI), d)));
}

// tm: the row's precomputed terms, or null to compute them here. Precomputed terms are
// loaded 32 at a time, so that the loads overlap instead of each add waiting for one; the
// sum still runs in index order.
__device__ __forceinline__ double g_rastrigin(const double *xm, const double *tm, u32 len) {
    double s = 0.0;
    if (tm) {
        u32 j = 0;
        for (; j + 32 <= len; j += 32) {
            double t[32];
#pragma unroll
            for (u32 q = 0; q < 32; ++q) t[q] = tm[j + q];
#pragma unroll
            for (u32 q = 0; q < 32; ++q) s = add(s, t[q]);
        }
        for (; j < len; ++j) s = add(s, tm[j]);
    } else {
        for (u32 j = 0; j < len; ++j) s = add(s, rastrigin_term(xm[j]));
    }
    return mul(100.0, add((double)len, s));
}

// Σ (v − ½)².
__device__ __forceinline__ double g_sphere(const double *xm, u32 len) {
    double s = 0.0;
    for (u32 j = 0; j < len; ++j) s = add(s, mul(sub(xm[j], 0.5), sub(xm[j], 0.5)));
    return s;
}

// θ_j of DTLZ5/6 (θ_0 = x_0), or x_j itself for DTLZ2-4 (`bent` false).
__device__ __forceinline__ double theta(const double *xp, u32 j, double g, bool bent) {
    if (!bent || j == 0) return xp[j];
    return mul(dvd(1.0, mul(2.0, add(1.0, g))), add(1.0, mul(mul(2.0, g), xp[j])));
}

// dtlz.rs `sphere_objectives`: alpha = 1 uses the angles unchanged (no pow call).
__device__ __forceinline__ void sphere_objectives(const double *xp, u32 m, double g, double alpha,
                                                  bool bent, double *f) {
    bool identity = bits(alpha) == bits(1.0);
    for (u32 i = 0; i < m; ++i) {
        double v = add(1.0, g);
        for (u32 j = 0; j < m - 1 - i; ++j) {
            double th = theta(xp, j, g, bent);
            double t = identity ? th : pow_f64(th, alpha);
            v = mul(v, cos_f64(mul(t, PM_FRAC_PI_2)));
        }
        if (i > 0) {
            double th = theta(xp, m - 1 - i, g, bent);
            double t = identity ? th : pow_f64(th, alpha);
            v = mul(v, sin_f64(mul(t, PM_FRAC_PI_2)));
        }
        f[i] = v;
    }
}

// terms: n × k Rastrigin terms of the distance variables (k = n_var − n_obj + 1), row-major.
extern "C" __global__ void dtlz_rastrigin_terms_f64(const double *x, u32 n, u32 n_var, u32 n_obj,
                                                   double *terms) {
    const u32 k = n_var - (n_obj - 1);
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (u64)n * k) return;
    u64 r = t / k, j = t % k;
    terms[t] = rastrigin_term(x[r * n_var + (n_obj - 1) + j]);
}

// terms: null, or (DTLZ1 and DTLZ3 only) the output of dtlz_rastrigin_terms_f64.
extern "C" __global__ void dtlz_f64(const double *x, u32 n, u32 n_var, u32 n_obj, u32 number,
                                    const double *terms, double *f) {
    u32 r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    const u32 m = n_obj;
    const double *xp = x + (u64)r * n_var;
    const double *xm = xp + (m - 1);
    const u32 k = n_var - (m - 1);
    const double *tm = terms ? terms + (u64)r * k : nullptr;
    double *fr = f + (u64)r * m;
    if (number == 1) {
        double g = g_rastrigin(xm, tm, k);
        for (u32 i = 0; i < m; ++i) {
            double v = mul(0.5, add(1.0, g));
            for (u32 j = 0; j < m - 1 - i; ++j) v = mul(v, xp[j]);
            if (i > 0) v = mul(v, sub(1.0, xp[m - 1 - i]));
            fr[i] = v;
        }
    } else if (number == 2) {
        sphere_objectives(xp, m, g_sphere(xm, k), 1.0, false, fr);
    } else if (number == 3) {
        sphere_objectives(xp, m, g_rastrigin(xm, tm, k), 1.0, false, fr);
    } else if (number == 4) {
        sphere_objectives(xp, m, g_sphere(xm, k), 100.0, false, fr);
    } else if (number == 5 || number == 6) {
        double g;
        if (number == 5) {
            g = g_sphere(xm, k);
        } else {
            g = 0.0;
            for (u32 j = 0; j < k; ++j) g = add(g, pow_f64(xm[j], 0.1));
        }
        sphere_objectives(xp, m, g, 1.0, true, fr);
    } else {
        double s = 0.0;
        for (u32 j = 0; j < k; ++j) s = add(s, xm[j]);
        double g = add(1.0, mul(dvd(9.0, (double)k), s));
        double h = (double)m;
        for (u32 j = 0; j < m - 1; ++j) {
            double fi = xp[j];
            h = sub(h, mul(dvd(fi, add(1.0, g)), add(1.0, sin_f64(mul(mul(3.0, PM_PI), fi)))));
        }
        for (u32 j = 0; j < m - 1; ++j) fr[j] = xp[j];
        fr[m - 1] = mul(add(1.0, g), h);
    }
}

// kind: 1, 2, 3, 4 or 6 (ZDT1..ZDT4, ZDT6); f is n × 2.
extern "C" __global__ void zdt_f64(const double *x, u32 n, u32 n_var, u32 kind, double *f) {
    u32 r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    const double *xr = x + (u64)r * n_var;
    double x1 = xr[0];
    double f1, g;
    if (kind == 4) {
        double s = 0.0;
        for (u32 j = 1; j < n_var; ++j) {
            double v = xr[j];
            s = add(s, sub(mul(v, v), mul(10.0, cos_f64(mul(mul(4.0, PM_PI), v)))));
        }
        f1 = x1;
        g = add(add(1.0, mul(10.0, (double)(n_var - 1))), s);
    } else if (kind == 6) {
        double s6 = sin_f64(mul(mul(6.0, PM_PI), x1));
        f1 = sub(1.0, mul(exp_f64(mul(-4.0, x1)), pow_f64(s6, 6.0)));
        double s = 0.0;
        for (u32 j = 1; j < n_var; ++j) s = add(s, xr[j]);
        g = add(1.0, mul(9.0, pow_f64(dvd(s, (double)(n_var - 1)), 0.25)));
    } else {
        double s = 0.0;
        for (u32 j = 1; j < n_var; ++j) s = add(s, xr[j]);
        f1 = x1;
        g = add(1.0, mul(dvd(9.0, (double)(n_var - 1)), s));
    }
    double q = dvd(f1, g);
    double h;
    if (kind == 1 || kind == 4) h = sub(1.0, __dsqrt_rn(q));
    else if (kind == 2 || kind == 6) h = sub(1.0, mul(q, q));
    else h = sub(sub(1.0, __dsqrt_rn(q)), mul(q, sin_f64(mul(mul(10.0, PM_PI), f1))));
    f[(u64)r * 2] = f1;
    f[(u64)r * 2 + 1] = mul(g, h);
}
