//! Flat element-wise kernels over `rows × dim` state buffers.
//!
//! Each kernel is one `#[inline(always)]` body. The solver's block loop is compiled twice around
//! them (plain, and under `#[target_feature(enable = "avx2,fma")]`, see `solve.rs`), so LLVM
//! vectorises the AVX2 copy into f64x4 / f32x8 lanes over the flattened state. Both copies
//! perform the same IEEE operations in the same order (`mul_add` is one fused rounding on
//! either path, and nothing is reassociated), so their results agree to the bit.

use super::real::{max, Real};

/// `out[i] = hh[i] · (Σ_j coef[j] · k[j][i]) + base[i]`, skipping zero coefficients, with the
/// sum accumulated left to right by fused multiply-adds and the last step fused as well.
#[inline(always)]
pub(crate) fn combine<T: Real>(out: &mut [T], base: &[T], hh: &[T], k: &[Vec<T>], coef: &[T]) {
    let n = out.len();
    let mut first = true;
    for (kj, &c) in k.iter().zip(coef) {
        if c.bits() == T::ZERO.bits() {
            continue;
        }
        let kj = &kj[..n];
        if first {
            for (o, &x) in out.iter_mut().zip(kj) {
                *o = c * x;
            }
            first = false;
        } else {
            for (o, &x) in out.iter_mut().zip(kj) {
                *o = c.mul_add(x, *o);
            }
        }
    }
    if first {
        out.copy_from_slice(&base[..n]);
        return;
    }
    for ((o, &b), &h) in out.iter_mut().zip(&base[..n]).zip(&hh[..n]) {
        *o = h.mul_add(*o, b);
    }
}

/// Scaled error `w[i] = err[i] / (atol + rtol · max(|y0[i]|, |y1[i]|))`, where `err` already
/// holds `h Σ e_s k_s` (computed by [`combine`] with a zero base).
#[inline(always)]
pub(crate) fn scale_error<T: Real>(w: &mut [T], y0: &[T], y1: &[T], atol: T, rtol: T) {
    let n = w.len();
    for ((e, &a), &b) in w.iter_mut().zip(&y0[..n]).zip(&y1[..n]) {
        *e = *e / rtol.mul_add(max(a.abs(), b.abs()), atol);
    }
}

/// RMS of one row, summed in index order (the same order on every path and backend).
#[inline(always)]
pub(crate) fn rms<T: Real>(row: &[T]) -> T {
    let mut s = T::ZERO;
    for &x in row {
        s = x.mul_add(x, s);
    }
    (s / T::from_f64(row.len() as f64)).sqrt()
}
