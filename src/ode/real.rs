//! The floating-point element type of a solve: `f64` (default) or `f32`.
//!
//! One small trait keeps the solver generic instead of duplicated. Fractional powers go through
//! [`crate::math`] so that a GPU twin built on the same elementary functions can match the
//! step-size decisions bit for bit.

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A floating-point type the ODE solver can run in.
pub trait Real:
    Copy
    + Send
    + Sync
    + Debug
    + Default
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Machine epsilon.
    const EPSILON: Self;
    /// Smallest positive normal number.
    const MIN_POSITIVE: Self;
    /// Not a number.
    const NAN: Self;
    /// Rounds an `f64` to this type.
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Fused `self * a + b` with one rounding (hardware FMA on the SIMD path, the correctly
    /// rounded software or hardware `fma` on the scalar path: the same bits either way).
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Correctly rounded square root.
    fn sqrt(self) -> Self;
    /// `self^e` through [`crate::math`].
    fn powf(self, e: Self) -> Self;
    /// `out[i] = x[i]^e` for every `i`: the bits of [`powf`](Self::powf) element by element,
    /// vectorised where the type has a vector twin (the solver's step-size controller raises
    /// every member's error ratio to the same power once per step).
    fn powf_each(x: &[Self], e: Self, out: &mut [Self]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v.powf(e);
        }
    }
    /// Hyperbolic tangent through [`crate::math`].
    fn tanh(self) -> Self;
    /// Whether the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// Raw bits widened to `u64`, for bitwise comparisons in tests.
    fn bits(self) -> u64;
}

macro_rules! impl_real {
    ($t:ty, $pow:path, $tanh:path, $pow_each:path) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const EPSILON: Self = <$t>::EPSILON;
            const MIN_POSITIVE: Self = <$t>::MIN_POSITIVE;
            const NAN: Self = <$t>::NAN;
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                $pow(self, e)
            }
            fn powf_each(x: &[Self], e: Self, out: &mut [Self]) {
                $pow_each(x, e, out)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
        }
    };
}

impl_real!(
    f64,
    crate::math::pow_f64,
    crate::math::tanh_f64,
    pow_each_f64
);
impl_real!(
    f32,
    crate::math::pow_f32,
    crate::math::tanh_f32,
    pow_each_f32
);

/// Defines `$name(x, e, out)`: `out[i] = x[i]^e`, `$w` lanes at a time through the AVX2 vector
/// twin `$vec` of the scalar `$pow` (bit for bit the same per lane), the tail and CPUs without
/// AVX2 through `$pow` itself.
macro_rules! pow_each {
    ($name:ident, $t:ty, $w:expr, $pow:path, $vec:ident, $load:ident, $store:ident, $set1:ident) => {
        fn $name(x: &[$t], e: $t, out: &mut [$t]) {
            let n = x.len().min(out.len());
            let mut i = 0;
            #[cfg(target_arch = "x86_64")]
            if crate::math::vector_lanes() && crate::math::simd::has_avx2_fma() {
                use std::arch::x86_64::*;
                /// # Safety
                /// AVX2 and FMA present; `x` and `out` hold `n` elements.
                #[target_feature(enable = "avx2,fma")]
                unsafe fn body(x: &[$t], e: $t, out: &mut [$t], n: usize) -> usize {
                    let ev = $set1(e);
                    let mut i = 0;
                    while i + $w <= n {
                        // SAFETY: `i + W ≤ n` elements of both slices; unaligned loads/stores.
                        unsafe {
                            let v = $load(x.as_ptr().add(i));
                            $store(out.as_mut_ptr().add(i), crate::math::simd::$vec(v, ev));
                        }
                        i += $w;
                    }
                    i
                }
                // SAFETY: the features were detected just above; `n` fits both slices.
                i = unsafe { body(x, e, out, n) };
            }
            for j in i..n {
                out[j] = $pow(x[j], e);
            }
        }
    };
}

pow_each!(
    pow_each_f64,
    f64,
    4,
    crate::math::pow_f64,
    pow_f64x4,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_set1_pd
);
pow_each!(
    pow_each_f32,
    f32,
    8,
    crate::math::pow_f32,
    pow_f32x8,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps
);

/// The larger of two values (the first if either is NaN, so NaN propagates from `a`).
#[inline(always)]
pub(crate) fn max<T: Real>(a: T, b: T) -> T {
    if b > a {
        b
    } else {
        a
    }
}

/// The smaller of two values.
#[inline(always)]
pub(crate) fn min<T: Real>(a: T, b: T) -> T {
    if b < a {
        b
    } else {
        a
    }
}
