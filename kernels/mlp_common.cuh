// Shared by the kernels that run the population MLPs (mlp_population.cu, rk_step.cu): the
// layout of the u32 plan built by src/backend/cuda/mlp_plan.rs, the activation codes, and the
// activation values (crate::nn::activation::value, with tanh/sin from common/math.cuh).
#pragma once

#include "common/math.cuh"

// ---- plan layout (keep in sync with src/backend/cuda/mlp_plan.rs) ---------------------------
#define PL_LAYERS 0
#define PL_N_IN 1
#define PL_N_OUT 2
#define PL_N_PARAMS 3
#define PL_C 4
#define PL_D_FIRST 5
#define PL_N_PAIRS 6
#define PL_MAX_WIDTH 7
#define PL_N_EXTRA 8
#define PL_AUX_WIDTH 9
#define PL_LOSS 10
#define PL_IXX 11
#define PL_LOSS_SLOTS 12
#define PL_JET_SLOTS 13
#define PL_OUT_ACTS 14
#define PL_G0 15
#define PL_G1 16
#define PL_GACC 17
#define PL_PAIR_BASE 18
#define PL_DIM 19
#define PL_HEADER 20
// Per layer: n_in, n_out, activation, genome offset, acts offset (the layer's input jets),
// zs offset (pre-activation jets), ss offset (sigma', sigma'', sigma'''), unused.
#define PL_LAYER_WORDS 8
#define ACT_TANH 0u
#define ACT_SIN 1u
#define ACT_IDENTITY 2u
#define LOSS_NONE 0u
#define LOSS_MSE 1u
#define LOSS_BURGERS_FIXED 2u
#define LOSS_BURGERS_NU 3u
// GivenAdjoints (src/pinn/problem.rs) with aux per member: P x N x components, the
// components listed after the jet pairs in the plan.
#define LOSS_ADJOINTS 4u
#define MAX_COMP 15

typedef unsigned long long u64;

__device__ __forceinline__ float act_value(float z, unsigned a) {
    return a == ACT_TANH ? tanh_f32(z) : (a == ACT_SIN ? sin_f32(z) : z);
}
__device__ __forceinline__ double act_value(double z, unsigned a) {
    return a == ACT_TANH ? tanh_f64(z) : (a == ACT_SIN ? sin_f64(z) : z);
}

// Widest layer mlp_value_local supports (its activations live in two local arrays).
#define MLP_LOCAL_WIDTH 64

// Values of one network at one point, entirely in thread-local memory: the per-member MLP of
// src/backend/cpu/member.rs (pre-activation b_o, then fma(W_ok, h_k, acc) for k ascending,
// then the activation). `g` is the member's genome, `x` its n_in inputs.
template <typename T> __device__ void mlp_value_local(const unsigned *pl, const T *g, const T *x, T *out) {
    T a[MLP_LOCAL_WIDTH], z[MLP_LOCAL_WIDTH];
    const unsigned L = pl[PL_LAYERS];
    for (unsigned i = 0; i < pl[PL_N_IN]; ++i) a[i] = x[i];
    for (unsigned l = 0; l < L; ++l) {
        const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
        const unsigned li = lw[0], lo = lw[1], act = lw[2];
        const T *w = g + lw[3];
        const T *b = w + (unsigned long long)li * lo;
        for (unsigned o = 0; o < lo; ++o) {
            T acc = b[o];
            for (unsigned i = 0; i < li; ++i) acc = fma_(w[o * li + i], a[i], acc);
            z[o] = act_value(acc, act);
        }
        for (unsigned o = 0; o < lo; ++o) a[o] = z[o];
    }
    for (unsigned k = 0; k < pl[PL_N_OUT]; ++k) out[k] = a[k];
}

// Slot-major per-thread memory.
template <typename T> struct Slots {
    T *base;
    u64 stride;
    __device__ __forceinline__ T &operator[](u64 s) const { return base[s * stride]; }
};

// Pointwise loss of one point (src/nn/loss.rs): returns l, writes d l / d out into adj
// (n_out x c, zeroed here) and d l / d theta into *ae.
template <typename T>
__device__ __forceinline__ T point_loss(const unsigned *pl, const T *auxp, Slots<T> out, T theta,
                                        T nu_fixed, Slots<T> adj, T *ae) {
    const unsigned c = pl[PL_C], n_out = pl[PL_N_OUT], kind = pl[PL_LOSS];
    for (unsigned q = 0; q < n_out * c; ++q) adj[q] = (T)0.0;
    *ae = (T)0.0;
    if (kind == LOSS_ADJOINTS) {
        // l = sum_k aux_k out[comp_k], adj[comp_k] += aux_k (GivenAdjoints::eval).
        const unsigned *comp = pl + PL_HEADER + PL_LAYER_WORDS * pl[PL_LAYERS] + 2 * pl[PL_N_PAIRS];
        T l = (T)0.0;
        for (unsigned k = 0; k < pl[PL_AUX_WIDTH]; ++k) {
            l = fma_(auxp[k], out[comp[k]], l);
            adj[comp[k]] = add(adj[comp[k]], auxp[k]);
        }
        return l;
    }
    if (kind == LOSS_MSE) {
        const T inv = dvd((T)1.0, (T)n_out);
        const T two_inv = add(inv, inv);
        T l = (T)0.0;
        for (unsigned o = 0; o < n_out; ++o) {
            T e = sub(out[o * c], auxp[o]);
            l = fma_(e, e, l);
            adj[o * c] = mul(two_inv, e);
        }
        return mul(l, inv);
    }
    // Burgers: r = u_t + u u_x - nu u_xx, l = r^2 (ResidualLoss).
    const unsigned ixx = pl[PL_IXX];
    const T nu = kind == LOSS_BURGERS_NU ? theta : nu_fixed;
    const T u = out[0], ux = out[1], ut = out[2], uxx = out[ixx];
    const T neg_nu = sub((T)0.0, nu);
    const T r = fma_(neg_nu, uxx, fma_(u, ux, ut));
    adj[0] = ux;
    adj[1] = u;
    adj[2] = (T)1.0;
    adj[ixx] = neg_nu;
    if (kind == LOSS_BURGERS_NU) *ae = sub((T)0.0, uxx);
    const T two_r = add(r, r);
    for (unsigned q = 0; q < n_out * c; ++q) adj[q] = mul(two_r, adj[q]);
    *ae = mul(two_r, *ae);
    return mul(r, r);
}
