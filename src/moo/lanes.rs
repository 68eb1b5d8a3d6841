//! In-place slice versions of the crate's elementary functions for the EMO kernels (SBX,
//! polynomial mutation, DTLZ/ZDT evaluation), eight values at a time with the AVX-512 lanes of
//! [`crate::math::simd512`] (cargo feature `avx512`) or four with the AVX2/FMA lanes of
//! [`crate::math::simd`], when the CPU has them. Slices of at most four values take the AVX2
//! lanes even on AVX-512 machines: one 8-lane call costs more than one 4-lane call, and the
//! packed slices of polynomial mutation usually hold one value.
//!
//! Each lane equals the scalar function ([`pow_f64`], [`cos_f64`]) bit for bit, so these give
//! exactly the values of a scalar loop; the scalar loop is the fallback on other CPUs. Callers
//! first gather the arguments that need the function (e.g. only the crossed variables), call
//! one of these on the packed slice, then finish element by element in the original order:
//! the operation sequence of every element is unchanged.

use crate::math::{cos_f64, pow_f64};

/// `x[i] = x[i]^y` for every element, bit-identical to [`pow_f64`].
#[inline]
pub(crate) fn pow_in_place(x: &mut [f64], y: f64) {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if x.len() > 4 && crate::math::vector_lanes() && crate::math::simd512::has_avx512f() {
        // SAFETY: the feature `avx512::pow` is compiled for was detected just above.
        unsafe { avx512::pow(x, y) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::math::vector_lanes() && crate::math::simd::has_avx2_fma() {
        // SAFETY: the features `avx2::pow` is compiled for were detected just above.
        unsafe { avx2::pow(x, y) };
        return;
    }
    pow_scalar(x, y);
}

/// The portable loop of [`pow_in_place`] (also its reference in tests).
pub(crate) fn pow_scalar(x: &mut [f64], y: f64) {
    for v in x {
        *v = pow_f64(*v, y);
    }
}

/// `x[i] = cos(x[i])` for every element, bit-identical to [`cos_f64`].
#[inline]
pub(crate) fn cos_in_place(x: &mut [f64]) {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if x.len() > 4 && crate::math::vector_lanes() && crate::math::simd512::has_avx512f() {
        // SAFETY: the feature `avx512::cos` is compiled for was detected just above.
        unsafe { avx512::cos(x) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::math::vector_lanes() && crate::math::simd::has_avx2_fma() {
        // SAFETY: the features `avx2::cos` is compiled for were detected just above.
        unsafe { avx2::cos(x) };
        return;
    }
    cos_scalar(x);
}

/// The portable loop of [`cos_in_place`].
pub(crate) fn cos_scalar(x: &mut [f64]) {
    for v in x {
        *v = cos_f64(*v);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::math::simd::{cos_f64x4, pow_f64x4};
    use std::arch::x86_64::*;

    /// Runs `f` on whole blocks of four and on the tail padded with `pad` (an argument for
    /// which the function is cheap and exact; the padded lanes are discarded).
    #[inline(always)]
    unsafe fn map4(x: &mut [f64], pad: f64, f: impl Fn(__m256d) -> __m256d) {
        let mut blocks = x.chunks_exact_mut(4);
        for b in &mut blocks {
            let v = _mm256_loadu_pd(b.as_ptr());
            _mm256_storeu_pd(b.as_mut_ptr(), f(v));
        }
        let tail = blocks.into_remainder();
        if !tail.is_empty() {
            let mut t = [pad; 4];
            t[..tail.len()].copy_from_slice(tail);
            let v = _mm256_loadu_pd(t.as_ptr());
            _mm256_storeu_pd(t.as_mut_ptr(), f(v));
            let n = tail.len();
            tail.copy_from_slice(&t[..n]);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn pow(x: &mut [f64], y: f64) {
        let yv = _mm256_set1_pd(y);
        map4(x, 1.0, |v| pow_f64x4(v, yv));
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn cos(x: &mut [f64]) {
        map4(x, 0.0, |v| cos_f64x4(v));
    }
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
mod avx512 {
    use crate::math::simd512::{cos_f64x8, pow_f64x8};
    use std::arch::x86_64::*;

    /// [`super::avx2`]'s `map4` on eight lanes.
    #[inline(always)]
    unsafe fn map8(x: &mut [f64], pad: f64, f: impl Fn(__m512d) -> __m512d) {
        let mut blocks = x.chunks_exact_mut(8);
        for b in &mut blocks {
            let v = _mm512_loadu_pd(b.as_ptr());
            _mm512_storeu_pd(b.as_mut_ptr(), f(v));
        }
        let tail = blocks.into_remainder();
        if !tail.is_empty() {
            let mut t = [pad; 8];
            t[..tail.len()].copy_from_slice(tail);
            let v = _mm512_loadu_pd(t.as_ptr());
            _mm512_storeu_pd(t.as_mut_ptr(), f(v));
            let n = tail.len();
            tail.copy_from_slice(&t[..n]);
        }
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn pow(x: &mut [f64], y: f64) {
        let yv = _mm512_set1_pd(y);
        map8(x, 1.0, |v| pow_f64x8(v, yv));
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn cos(x: &mut [f64]) {
        map8(x, 0.0, |v| cos_f64x8(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_equal_the_scalar_loop_for_every_length() {
        let mut s = crate::rng::stream(11, "lanes-test", 0, 0);
        for n in 0..21 {
            let x: Vec<f64> = (0..n).map(|_| s.uniform_f64() * 3.0 - 0.5).collect();
            for y in [-21.0, 1.0 / 21.0, 0.5, 7.25] {
                let (mut a, mut b) = (x.clone(), x.clone());
                pow_in_place(&mut a, y);
                pow_scalar(&mut b, y);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "pow n = {n}, y = {y}");
            }
            let (mut a, mut b) = (x.clone(), x.clone());
            cos_in_place(&mut a);
            cos_scalar(&mut b);
            for (p, q) in a.iter().zip(&b) {
                assert_eq!(p.to_bits(), q.to_bits(), "cos n = {n}");
            }
        }
    }
}
