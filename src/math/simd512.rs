//! AVX-512 lane versions of the elementary functions the network kernels use (`tanh`, `sin`,
//! `cos`), on sixteen `f32` / eight `f64` lanes.
//!
//! Same contract as [`super::simd`]: each function runs the generic body of its scalar twin,
//! every operation is correctly rounded or exact, `_mm512_fmadd_*` (or its negated forms
//! `fnmadd`/`fmsub`) stands exactly where the scalar path calls `mul_add`, and `vscalef`
//! builds the exact powers of two the scalar path builds from exponent bits, so each lane
//! equals the scalar function bit for bit. Comparisons
//! give `__mmask16`/`__mmask8` masks and selection is a masked blend; only the mask
//! representation differs from the AVX2 path, not the arithmetic.
//!
//! Built with the cargo feature `avx512` (on by default). Call the functions only after
//! checking [`has_avx512f`].

use std::arch::x86_64::*;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::lane::Lane;

/// True when the running CPU has AVX-512F, so the functions of this module may be called.
#[inline]
pub fn has_avx512f() -> bool {
    is_x86_feature_detected!("avx512f")
}

/// Eight f64 lanes. Only constructed inside `avx512f` functions.
#[derive(Clone, Copy)]
pub(crate) struct F64x8(pub(crate) __m512d);
/// Sixteen f32 lanes. Only constructed inside `avx512f` functions.
#[derive(Clone, Copy)]
pub(crate) struct F32x16(pub(crate) __m512);

// SAFETY (for every `unsafe` block below): these methods are `#[inline(always)]` and only
// reachable from the `#[target_feature(enable = "avx512f")]` functions at the end of this
// file (and from the network kernels' `avx512f` entry points), into which they are inlined.
macro_rules! vec512_lane {
    ($V:ident, $E:ty, $U:ty, $I:ty, $M:ty,
     add = $add:ident, sub = $sub:ident, mul = $mul:ident, div = $div:ident,
     fmadd = $fmadd:ident, fnmadd = $fnmadd:ident, fmsub = $fmsub:ident,
     scalef = $scalef:ident, roundscale = $round:ident, cmp = $cmp:ident,
     set1 = $set1:ident, blend = $blend:ident, min = $min:ident,
     to_i = $to_i:ident, from_i = $from_i:ident, set1_i = $set1_i:ident,
     add_i = $add_i:ident, sllv = $sll:ident, srlv = $srl:ident, neg_i = $neg_i:ident,
     signbit = $signbit:expr) => {
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
            type M = $M;

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
            fn pow2i_native(n: $V) -> Option<$V> {
                // vscalef(1, n) = 2^floor(n), exact for an integral n with a normal power.
                unsafe { Some($V($scalef($set1(1.0), n.0))) }
            }
            #[inline(always)]
            fn round_even(self) -> $V {
                // Scale 0, round to nearest even, exceptions suppressed: `roundps` mode 8.
                unsafe {
                    $V($round::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                        self.0,
                    ))
                }
            }
            #[inline(always)]
            fn lt(self, o: $V) -> $M {
                unsafe { $cmp::<_CMP_LT_OQ>(self.0, o.0) }
            }
            #[inline(always)]
            fn le(self, o: $V) -> $M {
                unsafe { $cmp::<_CMP_LE_OQ>(self.0, o.0) }
            }
            #[inline(always)]
            fn eq(self, o: $V) -> $M {
                unsafe { $cmp::<_CMP_EQ_OQ>(self.0, o.0) }
            }
            #[inline(always)]
            fn is_nan(self) -> $M {
                unsafe { $cmp::<_CMP_UNORD_Q>(self.0, self.0) }
            }
            #[inline(always)]
            fn sign_mask(self) -> $M {
                // The sign bit set is a negative signed integer.
                unsafe { $neg_i($to_i(self.0), $set1_i(0)) }
            }
            #[inline(always)]
            fn select(m: $M, a: $V, b: $V) -> $V {
                // The masked blend takes its second operand where the mask is set.
                unsafe { $V($blend(m, b.0, a.0)) }
            }
            #[inline(always)]
            fn min(self, o: $V) -> $V {
                // vminps/vminpd return the second operand unless the first is less, as on AVX2.
                unsafe { $V($min(self.0, o.0)) }
            }
            #[inline(always)]
            fn and_m(a: $M, b: $M) -> $M {
                a & b
            }
            #[inline(always)]
            fn not_m(a: $M) -> $M {
                !a
            }
            #[inline(always)]
            fn and_bits(self, o: $V) -> $V {
                unsafe { $V($from_i(_mm512_and_si512($to_i(self.0), $to_i(o.0)))) }
            }
            #[inline(always)]
            fn or_bits(self, o: $V) -> $V {
                unsafe { $V($from_i(_mm512_or_si512($to_i(self.0), $to_i(o.0)))) }
            }
            #[inline(always)]
            fn xor_bits(self, o: $V) -> $V {
                unsafe { $V($from_i(_mm512_xor_si512($to_i(self.0), $to_i(o.0)))) }
            }
            #[inline(always)]
            fn add_bits(self, o: $V) -> $V {
                unsafe { $V($from_i($add_i($to_i(self.0), $to_i(o.0)))) }
            }
            #[inline(always)]
            fn shl_bits<const N: i32>(self) -> $V {
                // A per-lane count of the constant `N` (the immediate forms take a `u32`
                // constant, which a generic `i32` parameter cannot be turned into).
                unsafe { $V($from_i($sll($to_i(self.0), $set1_i(N as $I)))) }
            }
            #[inline(always)]
            fn shr_bits<const N: i32>(self) -> $V {
                unsafe { $V($from_i($srl($to_i(self.0), $set1_i(N as $I)))) }
            }
        }
    };
}

vec512_lane!(
    F64x8,
    f64,
    u64,
    i64,
    __mmask8,
    add = _mm512_add_pd,
    sub = _mm512_sub_pd,
    mul = _mm512_mul_pd,
    div = _mm512_div_pd,
    fmadd = _mm512_fmadd_pd,
    fnmadd = _mm512_fnmadd_pd,
    fmsub = _mm512_fmsub_pd,
    scalef = _mm512_scalef_pd,
    roundscale = _mm512_roundscale_pd,
    cmp = _mm512_cmp_pd_mask,
    set1 = _mm512_set1_pd,
    blend = _mm512_mask_blend_pd,
    min = _mm512_min_pd,
    to_i = _mm512_castpd_si512,
    from_i = _mm512_castsi512_pd,
    set1_i = _mm512_set1_epi64,
    add_i = _mm512_add_epi64,
    sllv = _mm512_sllv_epi64,
    srlv = _mm512_srlv_epi64,
    neg_i = _mm512_cmplt_epi64_mask,
    signbit = 63
);
vec512_lane!(
    F32x16,
    f32,
    u32,
    i32,
    __mmask16,
    add = _mm512_add_ps,
    sub = _mm512_sub_ps,
    mul = _mm512_mul_ps,
    div = _mm512_div_ps,
    fmadd = _mm512_fmadd_ps,
    fnmadd = _mm512_fnmadd_ps,
    fmsub = _mm512_fmsub_ps,
    scalef = _mm512_scalef_ps,
    roundscale = _mm512_roundscale_ps,
    cmp = _mm512_cmp_ps_mask,
    set1 = _mm512_set1_ps,
    blend = _mm512_mask_blend_ps,
    min = _mm512_min_ps,
    to_i = _mm512_castps_si512,
    from_i = _mm512_castsi512_ps,
    set1_i = _mm512_set1_epi32,
    add_i = _mm512_add_epi32,
    sllv = _mm512_sllv_epi32,
    srlv = _mm512_srlv_epi32,
    neg_i = _mm512_cmplt_epi32_mask,
    signbit = 31
);

macro_rules! lane_fn {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $V:ident, |$x:ident| $body:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// The CPU must support AVX-512F (check [`has_avx512f`]).
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub fn $name(x: $raw) -> $raw {
            let $x = $V(x);
            $body.0
        }
    };
}

lane_fn!(
    /// e^x on eight lanes; each lane equals [`exp_f64`](super::exp_f64) bit for bit.
    exp_f64x8, __m512d, F64x8, |x| super::exp::exp64(x));
lane_fn!(
    /// tanh x on eight lanes; each lane equals [`tanh_f64`](super::tanh_f64) bit for bit.
    tanh_f64x8, __m512d, F64x8, |x| super::exp::tanh64(x));
lane_fn!(
    /// sin x on eight lanes; each lane equals [`sin_f64`](super::sin_f64) bit for bit.
    sin_f64x8, __m512d, F64x8, |x| super::trig::sincos64(x, 0));
lane_fn!(
    /// cos x on eight lanes; each lane equals [`cos_f64`](super::cos_f64) bit for bit.
    cos_f64x8, __m512d, F64x8, |x| super::trig::sincos64(x, 1));
lane_fn!(
    /// e^x on sixteen lanes; each lane equals [`exp_f32`](super::exp_f32) bit for bit.
    exp_f32x16, __m512, F32x16, |x| super::exp::exp32(x));
lane_fn!(
    /// tanh x on sixteen lanes; each lane equals [`tanh_f32`](super::tanh_f32) bit for bit.
    tanh_f32x16, __m512, F32x16, |x| super::exp::tanh32(x));
lane_fn!(
    /// sin x on sixteen lanes; each lane equals [`sin_f32`](super::sin_f32) bit for bit.
    sin_f32x16, __m512, F32x16, |x| super::trig::sincos32(x, 0));
lane_fn!(
    /// cos x on sixteen lanes; each lane equals [`cos_f32`](super::cos_f32) bit for bit.
    cos_f32x16, __m512, F32x16, |x| super::trig::sincos32(x, 1));

/// x^y on eight lanes; each lane equals [`pow_f64`](super::pow_f64) bit for bit.
///
/// # Safety
/// The CPU must support AVX-512F (check [`has_avx512f`]).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn pow_f64x8(x: __m512d, y: __m512d) -> __m512d {
    super::pow::pow64(F64x8(x), F64x8(y)).0
}

/// x^y on eight lanes for `0 < x < ∞` and finite `y ∉ {0, 1}`; each lane equals
/// [`pow_f64`](super::pow_f64) bit for bit there (the special cases' selects left out).
///
/// # Safety
/// The CPU must support AVX-512F (check [`has_avx512f`]).
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn pow_positive_f64x8(x: __m512d, y: __m512d) -> __m512d {
    super::pow::pow64_positive(F64x8(x), F64x8(y)).0
}
