// rk_step: batched adaptive Runge-Kutta solves (Dormand-Prince 5(4), Tsitouras 5(4)) with
// per-member error control, dense output at shared output times, per-member statuses and step
// statistics, for the built-in test and physics systems, in f64.
//
// CPU twin: crate::ode::solve (src/ode/{stepper,kernels,controller,tableau,system}.rs)
//
// One thread per member runs the whole solve: the CPU's stepping loop (run_block) for a single
// member, operation by operation. Members never share arithmetic on the CPU either (its slots
// and blocks only decide which rows run together), so a member's thread reproduces its bits:
// - stage sums as src/ode/kernels.rs::combine (zero coefficients skipped, the first term a
//   product, the rest fused multiply-adds, then y + h·sum fused), error scaling and the RMS in
//   component order;
// - the controller (integral or PI) with pow from common/math.cuh (the CPU's crate::math);
// - Hairer's initial step, the clamp to the last output time, dense output with the method's
//   weights evaluated in f64 with the CPU's expressions;
// - statuses Success 0, MaxSteps 1, StepTooSmall 2, NonFinite 3, and the CPU's statistics.
// Integer and real settings arrive in two small arrays (layouts RI_* and RF_* below, built by
// src/backend/cuda/ode.rs); the tableau as a f64 array [a (ns x ns, row s holds s entries,
// zero padded), b (ns), e (ns), c (ns)]; the hybrid forms' network plan (the layout of
// mlp_common.cuh) as a u32 array.
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "mlp_common.cuh"

#define RI_SYSTEM 0
#define RI_DIM 1
#define RI_NP 2
#define RI_N_OUT 3
#define RI_STAGES 4
#define RI_FSAL 5
#define RI_ORDER 6
#define RI_EMB_ORDER 7
#define RI_METHOD 8
#define RI_MAX_STEPS 9
#define RI_HAS_H0 10
#define RI_PI 11
#define RI_MEMBERS 12
#define RI_FORM 13
#define RI_TIME_INPUT 14
#define RI_PHYS_NP 15
#define RF_T0 0
#define RF_RTOL 1
#define RF_ATOL 2
#define RF_H0 3
#define RF_SAFETY 4
#define RF_FMIN 5
#define RF_FMAX 6
#define RF_PCOEFF 7
#define RF_ICOEFF 8
#define RF_LAMBDA 9
#define RK_MAX_DIM 4
#define RK_MAX_STAGES 7
#define SYS_DECAY 0u
#define SYS_OSCILLATOR 1u
#define SYS_VAN_DER_POL 2u
#define SYS_LOTKA_VOLTERRA 3u
#define SYS_QUADRATIC 4u
#define SYS_LOTKA_VOLTERRA_NO_INTERACTION 5u
#define METHOD_DOPRI5 0u
#define METHOD_TSIT5 1u

// The systems of src/ode/system.rs, one member's row.
__device__ __forceinline__ void physics(unsigned sys, const double *y, const double *p, double *dy) {
    if (sys == SYS_DECAY) {
        dy[0] = -(p[0] * y[0]);
    } else if (sys == SYS_OSCILLATOR) {
        double x = y[0], v = y[1], w = p[0], z = p[1];
        dy[0] = v;
        dy[1] = -(w * w * x) - 2.0 * z * w * v;
    } else if (sys == SYS_VAN_DER_POL) {
        double x = y[0], v = y[1], mu = p[0];
        dy[0] = v;
        dy[1] = mu * (1.0 - x * x) * v - x;
    } else if (sys == SYS_LOTKA_VOLTERRA) {
        double x = y[0], z = y[1];
        dy[0] = p[0] * x - p[1] * x * z;
        dy[1] = p[2] * x * z - p[3] * z;
    } else if (sys == SYS_LOTKA_VOLTERRA_NO_INTERACTION) {
        dy[0] = p[0] * y[0];
        dy[1] = -(p[1] * y[1]);
    } else {
        dy[0] = p[0] * y[0] * y[0];
    }
}

// A member's right-hand side: the physics, or a hybrid form of src/ode/hybrid.rs
// (1 additive, 2 parametric, 3 both) with the member's network (genome after the physics
// parameters in its row). With lambda = +-0 the network is not evaluated, as on the CPU.
struct Rhs {
    unsigned sys, form, time_input, dim, npp;
    const double *p;
    const unsigned *plan;
    double lambda;
};

__device__ void rk_rhs(const Rhs &r, double t, const double *y, double *dy) {
    const bool lam_zero = (bits(r.lambda) << 1) == 0ull;
    if (r.form == 0 || lam_zero) {
        physics(r.sys, y, r.p, dy);
        return;
    }
    double x[RK_MAX_DIM + 1], o[2 * RK_MAX_DIM + 4];
    for (unsigned i = 0; i < r.dim; ++i) x[i] = y[i];
    if (r.time_input) x[r.dim] = t;
    mlp_value_local(r.plan, r.p + r.npp, x, o);
    if (r.form == 1) {
        physics(r.sys, y, r.p, dy);
    } else {
        const unsigned first = r.form == 3 ? r.dim : 0;
        double pe[4];
        for (unsigned k = 0; k < r.npp; ++k) pe[k] = __fma_rn(r.lambda, o[first + k], r.p[k]);
        physics(r.sys, y, pe, dy);
        if (r.form == 2) return;
    }
    for (unsigned k = 0; k < r.dim; ++k) dy[k] = __fma_rn(r.lambda, o[k], dy[k]);
}

__device__ __forceinline__ bool is_fin(double v) {
    return (bits(v) & 0x7ff0000000000000ull) != 0x7ff0000000000000ull;
}
__device__ __forceinline__ double dmax(double a, double b) { return b > a ? b : a; }
__device__ __forceinline__ double dmin(double a, double b) { return b < a ? b : a; }

// out = y + h * sum_j coef[j] k[j] (src/ode/kernels.rs::combine), j < n.
__device__ __forceinline__ void combine(double *out, const double *base, double h,
                                        double k[][RK_MAX_DIM], const double *coef, unsigned n,
                                        unsigned dim) {
    bool first = true;
    for (unsigned j = 0; j < n; ++j) {
        const double c = coef[j];
        if (bits(c) == 0ull) continue;
        for (unsigned i = 0; i < dim; ++i) out[i] = first ? c * k[j][i] : __fma_rn(c, k[j][i], out[i]);
        first = false;
    }
    if (first) {
        for (unsigned i = 0; i < dim; ++i) out[i] = base[i];
        return;
    }
    for (unsigned i = 0; i < dim; ++i) out[i] = __fma_rn(h, out[i], base[i]);
}

// The method's dense-output weights B_s(theta) (src/ode/tableau.rs::dense_weights), in f64.
__device__ void dense_weights(unsigned method, double t, const double *b, double *out) {
    if (method == METHOD_DOPRI5) {
        const double D[7] = {-12715105075.0 / 11282082432.0, 0.0, 87487479700.0 / 32700410799.0,
                             -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,
                             -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0};
        const double u = 1.0 - t;
        for (unsigned s = 0; s < 7; ++s) {
            const double bs = b[s];
            const double d1 = s == 0 ? 1.0 : 0.0;
            const double d7 = s == 6 ? 1.0 : 0.0;
            out[s] = t * bs + t * u * (d1 - bs) + t * t * u * (2.0 * bs - d1 - d7) + t * t * u * u * D[s];
        }
    } else {
        const double t2 = t * t;
        out[0] = -1.0530884977290216 * t * (t - 1.3299890189751412) *
                 (t2 - 1.4364028541716351 * t + 0.7139816917074209);
        out[1] = 0.1017 * t2 * (t2 - 2.1966568338249754 * t + 1.2949852507374631);
        out[2] = 2.490627285651252793 * t2 * (t2 - 2.38535645472061657 * t + 1.57803468208092486);
        out[3] = -16.54810288924490272 * (t - 1.21712927295533244) * (t - 0.61620406037800089) * t2;
        out[4] = 47.37952196281928122 * (t - 1.203071208372362603) * (t - 0.658047292653547382) * t2;
        out[5] = -34.87065786149660974 * (t - 1.2) * (t - 0.666666666666666667) * t2;
        out[6] = 2.5 * (t - 1.0) * (t - 0.6) * t2;
    }
}

extern "C" __global__ void rk_solve_f64(const unsigned *ic, const double *fc, const double *tab,
                                        const unsigned *plan,
                                        const double *y0, const double *params,
                                        const double *t_eval, double *y_out, unsigned *status,
                                        unsigned *counts, double *fstats) {
    const unsigned m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= ic[RI_MEMBERS]) return;
    const unsigned sys = ic[RI_SYSTEM], dim = ic[RI_DIM], np = ic[RI_NP], n_out = ic[RI_N_OUT];
    const unsigned ns = ic[RI_STAGES];
    const bool fsal = ic[RI_FSAL] != 0;
    const double *A = tab, *B = tab + ns * ns, *E = B + ns, *C = E + ns;
    const double t0 = fc[RF_T0], rtol = fc[RF_RTOL], atol = fc[RF_ATOL];
    const double *p = params + (unsigned long long)m * np;
    const Rhs rhs{sys, ic[RI_FORM], ic[RI_TIME_INPUT], dim, ic[RI_PHYS_NP], p, plan, fc[RF_LAMBDA]};
    double *yo = y_out + (unsigned long long)m * n_out * dim;
    for (unsigned i = 0; i < n_out * dim; ++i) yo[i] = from_bits(0x7ff8000000000000ull);
    double y[RK_MAX_DIM], y1[RK_MAX_DIM], ytmp[RK_MAX_DIM], w[RK_MAX_DIM], zeros[RK_MAX_DIM];
    double k[RK_MAX_STAGES][RK_MAX_DIM], bw[RK_MAX_STAGES];
    for (unsigned i = 0; i < dim; ++i) {
        y[i] = y0[(unsigned long long)m * dim + i];
        zeros[i] = 0.0;
        ytmp[i] = 0.0;
    }
    unsigned accepted = 0, rejected = 0, evals = 0, st = 0;
    double st_t = 0.0, st_h = 0.0, st_ratio = 0.0, prev_ratio = 1.0;
    const double t_end = t_eval[n_out - 1];
    const double dir = t_end > t0 ? 1.0 : -1.0;
    unsigned next_out = 0;
    if (bits(t_eval[0]) == bits(t0)) {
        for (unsigned i = 0; i < dim; ++i) yo[i] = y[i];
        next_out = 1;
    }
    const double span = fabs(t_end - t0);
    const bool has_h0 = ic[RI_HAS_H0] != 0;
    if (ns > 0 && (fsal || !has_h0)) {
        rk_rhs(rhs, t0, y, k[0]);
        evals += 1;
    }
    double h;
    if (has_h0) {
        h = dir * fc[RF_H0];
    } else {
        // Hairer's selection (src/ode/controller.rs::initial_step_*).
        double d0 = 0.0, d1 = 0.0;
        for (unsigned i = 0; i < dim; ++i) {
            const double sc = __fma_rn(rtol, fabs(y[i]), atol);
            const double u = y[i] / sc, v = k[0][i] / sc;
            d0 = __fma_rn(u, u, d0);
            d1 = __fma_rn(v, v, d1);
        }
        const double len = (double)dim;
        d0 = __dsqrt_rn(d0 / len);
        d1 = __dsqrt_rn(d1 / len);
        double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
        h0 = dmin(h0, span);
        const double one[1] = {1.0};
        combine(ytmp, y, dir * h0, k, one, 1, dim);
        rk_rhs(rhs, t0 + dir * h0, ytmp, k[1]);
        evals += 1;
        double d2 = 0.0;
        for (unsigned i = 0; i < dim; ++i) {
            const double sc = __fma_rn(rtol, fabs(y[i]), atol);
            const double v = (k[1][i] - k[0][i]) / sc;
            d2 = __fma_rn(v, v, d2);
        }
        d2 = __dsqrt_rn(d2 / len) / h0;
        const double mx = dmax(d1, d2);
        const double h1 = mx <= 1e-15 ? dmax(1e-6, h0 * 1e-3)
                                      : pow_f64(0.01 / mx, 1.0 / (double)ic[RI_ORDER]);
        h = dir * dmin(100.0 * h0, h1);
    }
    bool last = dir * (t0 + h - t_end) >= 0.0;
    if (last) h = t_end - t0;
    double t = t0;
    const double kexp = (double)(ic[RI_EMB_ORDER] + 1);
    for (;;) {
        if (!fsal) rk_rhs(rhs, t, y, k[0]);
        for (unsigned s = 1; s < ns; ++s) {
            combine(ytmp, y, h, k, A + s * ns, s, dim);
            rk_rhs(rhs, __fma_rn(C[s], h, t), ytmp, k[s]);
            if (fsal && s == ns - 1)
                for (unsigned i = 0; i < dim; ++i) y1[i] = ytmp[i];
        }
        if (!fsal) combine(y1, y, h, k, B, ns, dim);
        combine(w, zeros, h, k, E, ns, dim);
        for (unsigned i = 0; i < dim; ++i) w[i] = w[i] / __fma_rn(rtol, dmax(fabs(y[i]), fabs(y1[i])), atol);
        evals += ns - (fsal ? 1u : 0u);
        bool fin = true;
        for (unsigned i = 0; i < dim; ++i) fin = fin && is_fin(y1[i]);
        double ss = 0.0;
        for (unsigned i = 0; i < dim; ++i) ss = __fma_rn(w[i], w[i], ss);
        double ratio = __dsqrt_rn(ss / (double)dim);
        if (ratio < 0x1.0p-1022) ratio = 0x1.0p-1022;
        st_ratio = ratio;
        bool accept;
        double h_next;
        if (!is_fin(ratio)) {
            accept = false;
            h_next = from_bits(0x7ff8000000000000ull);
        } else {
            accept = ratio <= 1.0;
            double raw;
            if (ic[RI_PI]) {
                const double pc = fc[RF_PCOEFF], icf = fc[RF_ICOEFF];
                raw = fc[RF_SAFETY] * pow_f64(ratio, -(icf + pc) / kexp) * pow_f64(prev_ratio, pc / kexp);
            } else {
                raw = fc[RF_SAFETY] * pow_f64(ratio, -1.0 / kexp);
            }
            const double factor = dmin(dmax(raw, fc[RF_FMIN]), fc[RF_FMAX]);
            if (accept) prev_ratio = ratio;
            h_next = h * factor;
        }
        if (!is_fin(h_next) || (accept && !fin)) {
            st = 3;
            accepted += accept ? 1u : 0u;
            rejected += accept ? 0u : 1u;
            st_t = t;
            st_h = h_next;
            break;
        }
        if (accept) {
            accepted += 1;
            const double t_new = last ? t_end : t + h;
            while (next_out < n_out && dir * (t_eval[next_out] - t_new) <= 0.0) {
                const unsigned j = next_out;
                double *o = yo + j * dim;
                if (bits(t_eval[j]) == bits(t_new)) {
                    for (unsigned i = 0; i < dim; ++i) o[i] = y1[i];
                } else {
                    const double theta = (t_eval[j] - t) / h;
                    dense_weights(ic[RI_METHOD], theta, B, bw);
                    for (unsigned i = 0; i < dim; ++i) {
                        double acc = bw[0] * k[0][i];
                        for (unsigned s = 1; s < ns; ++s) acc = __fma_rn(bw[s], k[s][i], acc);
                        o[i] = __fma_rn(h, acc, y[i]);
                    }
                }
                next_out += 1;
            }
            for (unsigned i = 0; i < dim; ++i) y[i] = y1[i];
            if (fsal)
                for (unsigned i = 0; i < dim; ++i) k[0][i] = k[ns - 1][i];
            t = t_new;
            if (last) {
                st = 0;
                st_t = t_new;
                st_h = h_next;
                break;
            }
        } else {
            rejected += 1;
        }
        st_t = t;
        st_h = h_next;
        const double tiny = 4.0 * 0x1.0p-52 * dmax(fabs(t), 1.0);
        if (accepted + rejected >= ic[RI_MAX_STEPS]) {
            st = 1;
            break;
        } else if (fabs(h_next) <= tiny) {
            st = 2;
            break;
        }
        last = dir * (t + h_next - t_end) >= 0.0;
        h = last ? t_end - t : h_next;
    }
    status[m] = st;
    counts[3 * m] = accepted;
    counts[3 * m + 1] = rejected;
    counts[3 * m + 2] = evals;
    fstats[3 * m] = st_t;
    fstats[3 * m + 1] = st_h;
    fstats[3 * m + 2] = st_ratio;
}
