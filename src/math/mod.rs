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
