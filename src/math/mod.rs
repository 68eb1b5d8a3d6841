//! Elementary functions of our own (exp, ln, pow, tanh, sin, cos) in f64 and f32, built only
//! from +, −, ×, fma, ÷, round-to-nearest-even and exact bit manipulation, so that the scalar
//! path, the AVX2/FMA path ([`simd`]) and the GPU kernels agree to the bit.
//!
//! # Why our own
//! The standard library forwards to the platform's libm, whose results differ between
//! platforms, versions and the CPU and GPU. Ours are one algorithm each, written once as a
//! generic body over a lane type (`f64`/`f32` or an AVX2 vector), with every operation either
//! exact or correctly rounded on every target: IEEE `+ − × ÷`, `fma` (`mul_add`,
//! `_mm256_fmadd_*`, PTX `fma.rn`), round to nearest even (`cvt.rni`), integer arithmetic on
//! the bits, and lane selects instead of branches (sqrt, correctly rounded everywhere, is allowed too but not needed). The algorithm, reduction constants and
//! polynomial coefficients are documented in each file (`exp.rs`, `log.rs`, `pow.rs`,
//! `trig.rs`) in the order the operations run, for transcription into PTX.
//!
//! # Accuracy
//! Each function's largest error in ULP against the standard library (for f32: against the
//! f64 standard-library result rounded to f32) is a documented constant (e.g.
//! [`EXP_F64_MAX_ULP`]), measured over dense sweeps, random samples of the main ranges and
//! random bit patterns of the whole domain stated there, and asserted by
//! `tests/math_accuracy.rs`. That reference is not exact: this machine's `f64::tanh` is up to
//! 2 ULP from the correctly rounded value. Against correctly rounded values (mpmath,
//! `tests/math_oracle.rs`) every function but tanh is within 1 ULP (faithfully rounded) on the
//! sampled arguments; tanh trades that for speed (one division, no double-word steps: it is
//! the inner loop of the MLP kernels) and is within [`TANH_MAX_ULP_CORRECTLY_ROUNDED`], so it
//! is monotone only up to twice that (`tanh(a)` may exceed `tanh(b)` for `a < b` by a few ULP).
//!
//! # Special values
//! A NaN argument is returned unchanged (same bits; pow: see [`pow_f64`]); an invalid
//! argument (ln of a negative, sin of ±∞) gives [`f64::NAN`]. exp overflows to +∞ and underflows
//! through the subnormals to +0 (rounded once); tanh(±∞) = ±1 and tanh keeps the sign of ±0;
//! ln(±0) = −∞, ln(+∞) = +∞.
//!
//! # Speed
//! The scalar functions run an FMA-enabled instance when the CPU has AVX2 and FMA (detected
//! once, cached) and otherwise the same body with the software `fma`, which gives the same
//! bits. For arrays, the [`simd`] functions process 4 (f64) or 8 (f32) lanes at a time.
//!
//! # Transcribing to PTX
//! Use `.rn` arithmetic without `.ftz` (subnormals matter), `fma.rn` exactly where the body
//! calls `fma`, `cvt.rni` for `round_even`, `setp` + `selp` for `select`, and `mov.b64`
//! (`mov.b32`) with integer `add`/`and`/`or`/`xor`/`shl`/`shr` for the bit steps; keep the
//! operation order (no reassociation). NaN results are either the argument NaN, selected
//! unchanged, or the explicit constant `f64::NAN` / `f32::NAN` (bits `0x7ff8…`/`0x7fc00000`),
//! never a NaN produced by arithmetic, so they too can agree to the bit.
//!
//! ```
//! use pareto_sciml::math::{exp_f64, ln_f64, tanh_f32, ulp_diff_f64};
//! assert!(ulp_diff_f64(exp_f64(1.0), std::f64::consts::E) <= 1);
//! assert_eq!(ln_f64(1.0).to_bits(), 0.0f64.to_bits());
//! assert_eq!(tanh_f32(f32::INFINITY).to_bits(), 1.0f32.to_bits());
//! ```

mod exp;
pub mod inverse_trig;
mod lane;
mod log;
mod pow;
#[cfg(target_arch = "x86_64")]
pub mod simd;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub mod simd512;
mod trig;
mod ulp;
mod vector_lanes;

pub use trig::{SIN_COS_F32_MAX_ARG, SIN_COS_F64_MAX_ARG};
pub use ulp::{ulp_diff_f32, ulp_diff_f64};
pub use vector_lanes::{set_vector_lanes, vector_lanes};

/// Largest error of [`exp_f64`] in ULP, over all of f64.
pub const EXP_F64_MAX_ULP: u64 = 1;
/// Largest error of [`ln_f64`] in ULP, over all of f64.
pub const LN_F64_MAX_ULP: u64 = 1;
/// Largest error of [`pow_f64`] in ULP, for x > 0 and any y (finite results included down
/// to the subnormals).
pub const POW_F64_MAX_ULP: u64 = 1;
/// Largest error of [`tanh_f64`] in ULP against the standard library, over all of f64 (ours
/// and std's own error, up to 2 ULP each, add up; 96 % of uniform arguments of [−1, 1] are within
/// 1).
pub const TANH_F64_MAX_ULP: u64 = 4;
/// Largest error of [`tanh_f64`] and [`tanh_f32`] in ULP against the correctly rounded value
/// (mpmath at 160 bits on 180 000 arguments of [−20, 20] weighted to the worst region
/// [0.17, 0.26] for f64, where `e^{2x} − 1` cancels most; every f32 argument against the
/// rounded f64 reference): the same as this machine's `f64::tanh`.
pub const TANH_MAX_ULP_CORRECTLY_ROUNDED: u64 = 2;
/// Largest error of [`sin_f64`] and [`cos_f64`] in ULP, for |x| ≤ 2^20·π/2 (measured beyond
/// it on random samples up to [`SIN_COS_F64_MAX_ARG`]).
pub const SIN_COS_F64_MAX_ULP: u64 = 1;
/// Largest error of [`exp_f32`] in ULP, over all of f32.
pub const EXP_F32_MAX_ULP: u64 = 1;
/// Largest error of [`ln_f32`] in ULP, over all of f32.
pub const LN_F32_MAX_ULP: u64 = 1;
/// Largest error of [`pow_f32`] in ULP, for x > 0 and any y.
pub const POW_F32_MAX_ULP: u64 = 1;
/// Largest error of [`tanh_f32`] in ULP, over all of f32 (checked on every argument of
/// [2^−12, 10), the range where it computes, by an ignored test of `math_accuracy.rs`; of all
/// arguments in [0, 10), against `f64::tanh` rounded to f32, 96.26 % are equal, 3.68 % 1 ULP off
/// and 0.060 % 2 ULP off; the Taylor polynomial used before the degree-4 minimax gave 96.28,
/// 3.67 and 0.056 %).
pub const TANH_F32_MAX_ULP: u64 = 2;
/// Largest error of [`sin_f32`] and [`cos_f32`] in ULP, for |x| ≤ [`SIN_COS_F32_MAX_ARG`].
pub const SIN_COS_F32_MAX_ULP: u64 = 1;

/// Defines a public scalar function that runs its generic body with FMA/AVX2 code generation
/// when the CPU has them; both instances give the same bits.
macro_rules! scalar_fn {
    ($(#[$doc:meta])* $name:ident($($arg:ident),+): $t:ty => $body:expr) => {
        $(#[$doc])*
        #[inline]
        pub fn $name($($arg: $t),+) -> $t {
            #[cfg(target_arch = "x86_64")]
            {
                // `unsafe fn` rather than a safe target-feature fn keeps this within Rust 1.85.
                #[target_feature(enable = "avx2,fma")]
                unsafe fn fast($($arg: $t),+) -> $t {
                    $body
                }
                if simd::has_avx2_fma() {
                    // SAFETY: the features `fast` is compiled for were detected just above.
                    return unsafe { fast($($arg),+) };
                }
            }
            $body
        }
    };
}

scalar_fn!(
    /// e^x in double precision, within [`EXP_F64_MAX_ULP`]. exp(x) = +∞ above
    /// 709.782712893384, +0 below −745.1332191019412, subnormal in between; exp(−∞) = +0.
    exp_f64(x): f64 => exp::exp64(x));
scalar_fn!(
    /// Natural logarithm in double precision, within [`LN_F64_MAX_ULP`]. ln(±0) = −∞,
    /// ln(x < 0) = NaN, ln(+∞) = +∞; subnormal arguments are exact inputs like any other.
    ln_f64(x): f64 => log::ln64(x));
scalar_fn!(
    /// x^y in double precision, within [`POW_F64_MAX_ULP`] for x > 0.
    ///
    /// Special cases follow C99/IEEE 754 `pow`: `pow(x, ±0) = 1` and `pow(1, y) = 1` even for
    /// NaN, `pow(±1, ±∞) = 1`, negative x with an integral y gives `±|x|^y` (negative for odd
    /// y), with a non-integral finite y NaN; `pow(±0, y)` and `pow(±∞, y)` are 0 or ∞ (signed
    /// for odd integral y). Otherwise a NaN argument is returned unchanged (x first).
    pow_f64(x, y): f64 => pow::pow64(x, y));
scalar_fn!(
    /// Hyperbolic tangent in double precision, within [`TANH_F64_MAX_ULP`]. tanh(±∞) = ±1,
    /// tanh(x) = x for |x| < 2^−27 (so ±0 and subnormals are returned unchanged), ±1 for
    /// |x| ≥ 20 (where the rounded result already is ±1).
    tanh_f64(x): f64 => exp::tanh64(x));
scalar_fn!(
    /// Sine in double precision, within [`SIN_COS_F64_MAX_ULP`] for |x| ≤ 2^20·π/2.
    /// sin(±∞) = NaN, and NaN for |x| > [`SIN_COS_F64_MAX_ARG`]; sin(±0) = ±0.
    sin_f64(x): f64 => trig::sincos64(x, 0));
scalar_fn!(
    /// Cosine in double precision, within [`SIN_COS_F64_MAX_ULP`] for |x| ≤ 2^20·π/2.
    /// cos(±∞) = NaN, and NaN for |x| > [`SIN_COS_F64_MAX_ARG`].
    cos_f64(x): f64 => trig::sincos64(x, 1));
scalar_fn!(
    /// e^x in single precision, within [`EXP_F32_MAX_ULP`]. +∞ above 88.72284, +0 below
    /// −103.97208, subnormal in between.
    exp_f32(x): f32 => exp::exp32(x));
scalar_fn!(
    /// Natural logarithm in single precision, within [`LN_F32_MAX_ULP`]. Special values as
    /// [`ln_f64`].
    ln_f32(x): f32 => log::ln32(x));
scalar_fn!(
    /// Hyperbolic tangent in single precision, within [`TANH_F32_MAX_ULP`]. tanh(x) = x for
    /// |x| < 2^−12, ±1 for |x| ≥ 10 and for ±∞.
    tanh_f32(x): f32 => exp::tanh32(x));
scalar_fn!(
    /// Sine in single precision, within [`SIN_COS_F32_MAX_ULP`] for
    /// |x| ≤ [`SIN_COS_F32_MAX_ARG`]; NaN above it and for ±∞.
    sin_f32(x): f32 => trig::sincos32(x, 0));
scalar_fn!(
    /// Cosine in single precision, within [`SIN_COS_F32_MAX_ULP`] for
    /// |x| ≤ [`SIN_COS_F32_MAX_ARG`]; NaN above it and for ±∞.
    cos_f32(x): f32 => trig::sincos32(x, 1));

/// x^y in single precision: [`pow_f64`] of the widened arguments, rounded once to f32, so
/// within [`POW_F32_MAX_ULP`] and with the same special cases.
#[inline]
pub fn pow_f32(x: f32, y: f32) -> f32 {
    pow_f64(x as f64, y as f64) as f32
}

#[cfg(test)]
mod tests {
    //! The dispatched scalar functions (FMA code generation where available) equal the
    //! generic bodies compiled for the baseline target, whose `mul_add` is the software fma.
    use super::*;

    #[test]
    fn fma_and_portable_instances_agree() {
        let mut s = crate::rng::stream(7, "math-portable", 0, 0);
        for i in 0..20_000 {
            let x = if i % 2 == 0 {
                f64::from_bits(s.next_u64())
            } else {
                (s.uniform_f64() - 0.5) * 60.0
            };
            let y = (s.uniform_f64() - 0.5) * 20.0;
            let xf = x as f32;
            let pairs64 = [
                (exp_f64(x), exp::exp64(x)),
                (ln_f64(x), log::ln64(x)),
                (tanh_f64(x), exp::tanh64(x)),
                (sin_f64(x), trig::sincos64(x, 0)),
                (cos_f64(x), trig::sincos64(x, 1)),
                (pow_f64(x.abs(), y), pow::pow64(x.abs(), y)),
            ];
            for (a, b) in pairs64 {
                assert_eq!(a.to_bits(), b.to_bits(), "x = {x:e}");
            }
            let pairs32 = [
                (exp_f32(xf), exp::exp32(xf)),
                (ln_f32(xf), log::ln32(xf)),
                (tanh_f32(xf), exp::tanh32(xf)),
                (sin_f32(xf), trig::sincos32(xf, 0)),
                (cos_f32(xf), trig::sincos32(xf, 1)),
            ];
            for (a, b) in pairs32 {
                assert_eq!(a.to_bits(), b.to_bits(), "x = {xf:e}");
            }
        }
    }
}
