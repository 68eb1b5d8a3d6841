//! Elementary functions of our own (exp, ln, pow, tanh, sin, cos), built from +, −, ×, fma, ÷
//! and sqrt only, so that the scalar path, the AVX2 path and the GPU kernels agree to the bit.
//!
//! PLACEHOLDER (session skeleton): these bodies forward to the standard library until the
//! elementary-function work replaces them with our own polynomial implementations. The
//! signatures are the contract other modules code against.

/// e^x in double precision.
#[inline]
pub fn exp_f64(x: f64) -> f64 {
    x.exp()
}
/// Natural logarithm in double precision.
#[inline]
pub fn ln_f64(x: f64) -> f64 {
    x.ln()
}
/// x^y in double precision.
#[inline]
pub fn pow_f64(x: f64, y: f64) -> f64 {
    x.powf(y)
}
/// Hyperbolic tangent in double precision.
#[inline]
pub fn tanh_f64(x: f64) -> f64 {
    x.tanh()
}
/// Sine in double precision.
#[inline]
pub fn sin_f64(x: f64) -> f64 {
    x.sin()
}
/// Cosine in double precision.
#[inline]
pub fn cos_f64(x: f64) -> f64 {
    x.cos()
}
/// e^x in single precision.
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    x.exp()
}
/// Natural logarithm in single precision.
#[inline]
pub fn ln_f32(x: f32) -> f32 {
    x.ln()
}
/// x^y in single precision.
#[inline]
pub fn pow_f32(x: f32, y: f32) -> f32 {
    x.powf(y)
}
/// Hyperbolic tangent in single precision.
#[inline]
pub fn tanh_f32(x: f32) -> f32 {
    x.tanh()
}
/// Sine in single precision.
#[inline]
pub fn sin_f32(x: f32) -> f32 {
    x.sin()
}
/// Cosine in single precision.
#[inline]
pub fn cos_f32(x: f32) -> f32 {
    x.cos()
}

/// AVX2/FMA lane versions of the elementary functions: each lane equals the scalar function of
/// the same name bit for bit.
///
/// PLACEHOLDER (session skeleton): lane-wise calls of the scalar functions until the
/// elementary-function work gives them real vector bodies with the same operation order.
#[cfg(target_arch = "x86_64")]
pub mod simd {
    use std::arch::x86_64::*;

    macro_rules! lanewise {
        ($name:ident, $scalar:path, $vec:ty, $elem:ty, $lanes:expr, $load:ident, $store:ident) => {
            /// Lane-wise version of the scalar function of the same stem.
            ///
            /// # Safety
            /// The CPU must support AVX2 and FMA (check `is_x86_feature_detected!`).
            #[target_feature(enable = "avx2,fma")]
            pub fn $name(x: $vec) -> $vec {
                let mut buf = [0 as $elem; $lanes];
                // SAFETY: `buf` holds exactly one vector of unaligned elements.
                unsafe { $store(buf.as_mut_ptr(), x) };
                for v in buf.iter_mut() {
                    *v = $scalar(*v);
                }
                // SAFETY: as above.
                unsafe { $load(buf.as_ptr()) }
            }
        };
    }

    lanewise!(
        exp_f64x4,
        super::exp_f64,
        __m256d,
        f64,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd
    );
    lanewise!(
        tanh_f64x4,
        super::tanh_f64,
        __m256d,
        f64,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd
    );
    lanewise!(
        sin_f64x4,
        super::sin_f64,
        __m256d,
        f64,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd
    );
    lanewise!(
        cos_f64x4,
        super::cos_f64,
        __m256d,
        f64,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd
    );
    lanewise!(
        exp_f32x8,
        super::exp_f32,
        __m256,
        f32,
        8,
        _mm256_loadu_ps,
        _mm256_storeu_ps
    );
    lanewise!(
        tanh_f32x8,
        super::tanh_f32,
        __m256,
        f32,
        8,
        _mm256_loadu_ps,
        _mm256_storeu_ps
    );
    lanewise!(
        sin_f32x8,
        super::sin_f32,
        __m256,
        f32,
        8,
        _mm256_loadu_ps,
        _mm256_storeu_ps
    );
    lanewise!(
        cos_f32x8,
        super::cos_f32,
        __m256,
        f32,
        8,
        _mm256_loadu_ps,
        _mm256_storeu_ps
    );
}
