// adam: one Adam / AdamW step for every parameter of every population member at once.
//
// CPU twin: crate::nn::Adam::step (src/nn/adam.rs)
//
// One thread per parameter of the P x n_params matrix. The per-step scalars are computed on
// the host exactly as Adam::step computes them (in f64, then rounded to T), per member because
// members may have taken different numbers of steps: `step = lr / (1 - beta1^t)` and
// `bc2s = sqrt(1 - beta2^t)`. The update is the CPU's expression operation by operation
// (no fused multiply-add, IEEE division and square root), so the bits agree:
//   g += wd p (mode 1, Adam's L2) | p *= decay (mode 2, AdamW's decoupled decay)
//   m = b1 m + c1 g;  v = b2 v + (c2 g) g;  p -= step (m / (sqrt(v) / bc2s + eps)).
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"

__device__ __forceinline__ float sqrt_rn(float a) { return __fsqrt_rn(a); }
__device__ __forceinline__ double sqrt_rn(double a) { return __dsqrt_rn(a); }

template <typename T>
__device__ void adam_body(T *params, const T *grad, T *m, T *v, const T *step, const T *bc2s,
                          unsigned n_params, unsigned members, T b1, T b2, T c1, T c2, T eps,
                          T wd, T decay, unsigned mode) {
    const unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned long long)n_params * members) return;
    const unsigned long long k = i / n_params;
    T g = grad[i];
    T p = params[i];
    if (mode == 2) p = mul(p, decay);
    if (mode == 1) g = add(g, mul(wd, p));
    const T mi = add(mul(b1, m[i]), mul(c1, g));
    const T vi = add(mul(b2, v[i]), mul(mul(c2, g), g));
    m[i] = mi;
    v[i] = vi;
    params[i] = sub(p, mul(step[k], dvd(mi, add(dvd(sqrt_rn(vi), bc2s[k]), eps))));
}

#define PM_ADAM(T, SUF)                                                                        \
    extern "C" __global__ void adam_step_##SUF(T *params, const T *grad, T *m, T *v,           \
                                               const T *step, const T *bc2s, unsigned n_params, \
                                               unsigned members, T b1, T b2, T c1, T c2, T eps, \
                                               T wd, T decay, unsigned mode) {                  \
        adam_body<T>(params, grad, m, v, step, bc2s, n_params, members, b1, b2, c1, c2, eps,   \
                     wd, decay, mode);                                                          \
    }

PM_ADAM(float, f32)
PM_ADAM(double, f64)
