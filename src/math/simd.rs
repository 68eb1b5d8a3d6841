//! AVX2/FMA lane versions of the elementary functions.
//!
//! Each function runs the same generic body as its scalar twin in [`crate::math`], on
//! `F64x4`/`F32x8` (`__m256d`/`__m256` wrappers) instead of `f64`/`f32`; every operation of the body is correctly rounded
//! or exact in both, and `_mm256_fmadd_*` stands exactly where the scalar path calls `mul_add`.
//! So each lane equals the scalar function bit for bit, for every input, NaN payloads included.
//!
//! Call them only after checking [`has_avx2_fma`] (or `is_x86_feature_detected!`). They are
//! `#[inline]`, so a kernel that is itself `#[target_feature(enable = "avx2,fma")]` gets them
//! inlined into its loop.

use std::arch::x86_64::*;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::lane::Lane;

/// True when the running CPU has AVX2 and FMA, so the functions of this module may be called.
#[inline]
pub fn has_avx2_fma() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// Four f64 lanes. Only constructed inside `avx2,fma` functions.
#[derive(Clone, Copy)]
pub(crate) struct F64x4(pub(crate) __m256d);
/// Eight f32 lanes. Only constructed inside `avx2,fma` functions.
#[derive(Clone, Copy)]
pub(crate) struct F32x8(pub(crate) __m256);

// SAFETY (for every `unsafe` block below): these methods are `#[inline(always)]` and only
// reachable from the `#[target_feature(enable = "avx2,fma")]` functions at the end of this
// file, into which they are inlined; the intrinsics' feature requirements are therefore met.
macro_rules! vec_lane {
    ($V:ident, $E:ty, $U:ty, $I:ty,
     add = $add:ident, sub = $sub:ident, mul = $mul:ident, div = $div:ident,
     fmadd = $fmadd:ident, fnmadd = $fnmadd:ident, fmsub = $fmsub:ident,
     round = $round:ident, cmp = $cmp:ident,
     set1 = $set1:ident, blend = $blend:ident, min = $min:ident, and = $and:ident, or = $or:ident,
     xor = $xor:ident, to_i = $to_i:ident, from_i = $from_i:ident,
     set1_i = $set1_i:ident, add_i = $add_i:ident,
     sll = $sll:ident, srl = $srl:ident, signbit = $signbit:expr) => {
        impl Add for $V {
            type Output = $V;
            #[inline(always)]
            fn add(self, o: $V) -> $V {
                unsafe { $V($add(self.0, o.0)) }
            }
        }
        impl Sub for $V {
            type Output = $V;
            #[inline(always)]
            fn sub(self, o: $V) -> $V {
                unsafe { $V($sub(self.0, o.0)) }
            }
        }
        impl Mul for $V {
            type Output = $V;
            #[inline(always)]
            fn mul(self, o: $V) -> $V {
                unsafe { $V($mul(self.0, o.0)) }
            }
        }
        impl Div for $V {
            type Output = $V;
            #[inline(always)]
            fn div(self, o: $V) -> $V {
                unsafe { $V($div(self.0, o.0)) }
            }
        }
        impl Neg for $V {
            type Output = $V;
            /// Flips the sign bit, as scalar negation does.
            #[inline(always)]
            fn neg(self) -> $V {
                self.xor_bits(<$V>::splat_bits(1 << $signbit))
            }
        }
        impl Lane for $V {
            type E = $E;
            type U = $U;
            type M = $V;

            #[inline(always)]
            fn splat(c: $E) -> $V {
                unsafe { $V($set1(c)) }
            }
            #[inline(always)]
            fn splat_bits(b: $U) -> $V {
                unsafe { $V($from_i($set1_i(b as $I))) }
            }
            #[inline(always)]
            fn fma(self, b: $V, c: $V) -> $V {
                unsafe { $V($fmadd(self.0, b.0, c.0)) }
            }
            #[inline(always)]
            fn fnma(self, b: $V, c: $V) -> $V {
                unsafe { $V($fnmadd(self.0, b.0, c.0)) }
            }
            #[inline(always)]
            fn fms(self, b: $V, c: $V) -> $V {
                unsafe { $V($fmsub(self.0, b.0, c.0)) }
            }
            #[inline(always)]
            fn round_even(self) -> $V {
                unsafe {
                    $V($round::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                        self.0,
                    ))
                }
            }
            #[inline(always)]
            fn lt(self, o: $V) -> $V {
                unsafe { $V($cmp::<_CMP_LT_OQ>(self.0, o.0)) }
            }
            #[inline(always)]
            fn le(self, o: $V) -> $V {
                unsafe { $V($cmp::<_CMP_LE_OQ>(self.0, o.0)) }
            }
            #[inline(always)]
            fn eq(self, o: $V) -> $V {
                unsafe { $V($cmp::<_CMP_EQ_OQ>(self.0, o.0)) }
            }
            #[inline(always)]
            fn is_nan(self) -> $V {
                unsafe { $V($cmp::<_CMP_UNORD_Q>(self.0, self.0)) }
            }
            #[inline(always)]
            fn sign_mask(self) -> $V {
                // blendv looks only at the sign bit, so the value itself is the mask.
                self
            }
            #[inline(always)]
            fn select(m: $V, a: $V, b: $V) -> $V {
                unsafe { $V($blend(b.0, a.0, m.0)) }
            }
            #[inline(always)]
            fn min(self, o: $V) -> $V {
                // minps/minpd return the second operand unless the first is less.
                unsafe { $V($min(self.0, o.0)) }
            }
            #[inline(always)]
            fn and_m(a: $V, b: $V) -> $V {
                a.and_bits(b)
            }
            #[inline(always)]
            fn not_m(a: $V) -> $V {
                a.xor_bits(<$V>::splat_bits(!0))
            }
            #[inline(always)]
            fn and_bits(self, o: $V) -> $V {
                unsafe { $V($and(self.0, o.0)) }
            }
            #[inline(always)]
            fn or_bits(self, o: $V) -> $V {
                unsafe { $V($or(self.0, o.0)) }
            }
            #[inline(always)]
            fn xor_bits(self, o: $V) -> $V {
                unsafe { $V($xor(self.0, o.0)) }
            }
            #[inline(always)]
            fn add_bits(self, o: $V) -> $V {
                unsafe { $V($from_i($add_i($to_i(self.0), $to_i(o.0)))) }
            }
            #[inline(always)]
            fn shl_bits<const N: i32>(self) -> $V {
                unsafe { $V($from_i($sll::<N>($to_i(self.0)))) }
            }
            #[inline(always)]
            fn shr_bits<const N: i32>(self) -> $V {
                unsafe { $V($from_i($srl::<N>($to_i(self.0)))) }
            }
        }
    };
}

vec_lane!(
    F64x4,
    f64,
    u64,
    i64,
    add = _mm256_add_pd,
    sub = _mm256_sub_pd,
    mul = _mm256_mul_pd,
    div = _mm256_div_pd,
    fmadd = _mm256_fmadd_pd,
    fnmadd = _mm256_fnmadd_pd,
    fmsub = _mm256_fmsub_pd,
    round = _mm256_round_pd,
    cmp = _mm256_cmp_pd,
    set1 = _mm256_set1_pd,
    blend = _mm256_blendv_pd,
    min = _mm256_min_pd,
    and = _mm256_and_pd,
    or = _mm256_or_pd,
    xor = _mm256_xor_pd,
    to_i = _mm256_castpd_si256,
    from_i = _mm256_castsi256_pd,
    set1_i = _mm256_set1_epi64x,
    add_i = _mm256_add_epi64,
    sll = _mm256_slli_epi64,
    srl = _mm256_srli_epi64,
    signbit = 63
);
vec_lane!(
    F32x8,
    f32,
    u32,
    i32,
    add = _mm256_add_ps,
    sub = _mm256_sub_ps,
    mul = _mm256_mul_ps,
    div = _mm256_div_ps,
    fmadd = _mm256_fmadd_ps,
    fnmadd = _mm256_fnmadd_ps,
    fmsub = _mm256_fmsub_ps,
    round = _mm256_round_ps,
    cmp = _mm256_cmp_ps,
    set1 = _mm256_set1_ps,
    blend = _mm256_blendv_ps,
    min = _mm256_min_ps,
    and = _mm256_and_ps,
    or = _mm256_or_ps,
    xor = _mm256_xor_ps,
    to_i = _mm256_castps_si256,
    from_i = _mm256_castsi256_ps,
    set1_i = _mm256_set1_epi32,
    add_i = _mm256_add_epi32,
    sll = _mm256_slli_epi32,
    srl = _mm256_srli_epi32,
    signbit = 31
);

macro_rules! lane_fn {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $V:ident, |$x:ident| $body:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// The CPU must support AVX2 and FMA (check [`has_avx2_fma`]).
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        pub fn $name(x: $raw) -> $raw {
            let $x = $V(x);
            $body.0
        }
    };
}

lane_fn!(
    /// e^x on four lanes; each lane equals [`exp_f64`](super::exp_f64) bit for bit.
    exp_f64x4, __m256d, F64x4, |x| super::exp::exp64(x));
lane_fn!(
    /// ln x on four lanes; each lane equals [`ln_f64`](super::ln_f64) bit for bit.
    ln_f64x4, __m256d, F64x4, |x| super::log::ln64(x));
lane_fn!(
    /// tanh x on four lanes; each lane equals [`tanh_f64`](super::tanh_f64) bit for bit.
    tanh_f64x4, __m256d, F64x4, |x| super::exp::tanh64(x));
lane_fn!(
    /// sin x on four lanes; each lane equals [`sin_f64`](super::sin_f64) bit for bit.
    sin_f64x4, __m256d, F64x4, |x| super::trig::sincos64(x, 0));
lane_fn!(
    /// cos x on four lanes; each lane equals [`cos_f64`](super::cos_f64) bit for bit.
    cos_f64x4, __m256d, F64x4, |x| super::trig::sincos64(x, 1));
lane_fn!(
    /// e^x on eight lanes; each lane equals [`exp_f32`](super::exp_f32) bit for bit.
    exp_f32x8, __m256, F32x8, |x| super::exp::exp32(x));
lane_fn!(
    /// ln x on eight lanes; each lane equals [`ln_f32`](super::ln_f32) bit for bit.
    ln_f32x8, __m256, F32x8, |x| super::log::ln32(x));
lane_fn!(
    /// tanh x on eight lanes; each lane equals [`tanh_f32`](super::tanh_f32) bit for bit.
    tanh_f32x8, __m256, F32x8, |x| super::exp::tanh32(x));
lane_fn!(
    /// sin x on eight lanes; each lane equals [`sin_f32`](super::sin_f32) bit for bit.
    sin_f32x8, __m256, F32x8, |x| super::trig::sincos32(x, 0));
lane_fn!(
    /// cos x on eight lanes; each lane equals [`cos_f32`](super::cos_f32) bit for bit.
    cos_f32x8, __m256, F32x8, |x| super::trig::sincos32(x, 1));

/// x^y on four lanes; each lane equals [`pow_f64`](super::pow_f64) bit for bit.
///
/// # Safety
/// The CPU must support AVX2 and FMA (check [`has_avx2_fma`]).
#[inline]
#[target_feature(enable = "avx2,fma")]
pub fn pow_f64x4(x: __m256d, y: __m256d) -> __m256d {
    super::pow::pow64(F64x4(x), F64x4(y)).0
}

/// x^y on eight lanes; each lane equals [`pow_f32`](super::pow_f32) bit for bit (computed as
/// the f64 pow of the widened lanes, rounded once, like the scalar function).
///
/// # Safety
/// The CPU must support AVX2 and FMA (check [`has_avx2_fma`]).
#[inline]
#[target_feature(enable = "avx2,fma")]
pub fn pow_f32x8(x: __m256, y: __m256) -> __m256 {
    let lo = super::pow::pow64(
        F64x4(_mm256_cvtps_pd(_mm256_castps256_ps128(x))),
        F64x4(_mm256_cvtps_pd(_mm256_castps256_ps128(y))),
    );
    let hi = super::pow::pow64(
        F64x4(_mm256_cvtps_pd(_mm256_extractf128_ps::<1>(x))),
        F64x4(_mm256_cvtps_pd(_mm256_extractf128_ps::<1>(y))),
    );
    _mm256_set_m128(_mm256_cvtpd_ps(hi.0), _mm256_cvtpd_ps(lo.0))
}
