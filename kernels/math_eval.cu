// math_eval: the device elementary functions of kernels/common/math.cuh, element-wise, so that
// a GPU run can compare them with src/math bit for bit.
//
// CPU twin: crate::math::{exp_f64, ln_f64, pow_f64, tanh_f64, sin_f64, cos_f64, exp_f32, ln_f32, pow_f32, tanh_f32, sin_f32, cos_f32}
//
// One thread per element: out[i] = fn(x[i]) (pow: fn(x[i], y[i])).
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"

#define PM_UNARY(NAME, T, FN)                                                                 \
    extern "C" __global__ void NAME(const T *x, T *out, unsigned n) {                         \
        unsigned i = blockIdx.x * blockDim.x + threadIdx.x;                                   \
        if (i < n) out[i] = FN(x[i]);                                                         \
    }
#define PM_BINARY(NAME, T, FN)                                                                \
    extern "C" __global__ void NAME(const T *x, const T *y, T *out, unsigned n) {             \
        unsigned i = blockIdx.x * blockDim.x + threadIdx.x;                                   \
        if (i < n) out[i] = FN(x[i], y[i]);                                                   \
    }

PM_UNARY(math_eval_exp_f64, double, exp_f64)
PM_UNARY(math_eval_ln_f64, double, ln_f64)
PM_BINARY(math_eval_pow_f64, double, pow_f64)
PM_UNARY(math_eval_tanh_f64, double, tanh_f64)
PM_UNARY(math_eval_sin_f64, double, sin_f64)
PM_UNARY(math_eval_cos_f64, double, cos_f64)
PM_UNARY(math_eval_exp_f32, float, exp_f32)
PM_UNARY(math_eval_ln_f32, float, ln_f32)
PM_BINARY(math_eval_pow_f32, float, pow_f32)
PM_UNARY(math_eval_tanh_f32, float, tanh_f32)
PM_UNARY(math_eval_sin_f32, float, sin_f32)
PM_UNARY(math_eval_cos_f32, float, cos_f32)
