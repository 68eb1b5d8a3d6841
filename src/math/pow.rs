//! x^y, double and single precision.
//!
//! # Algorithm
//! `|x|^y = exp(y·ln|x|)` with ln in double-double ([`super::log`]'s `ln_dd64`, relative error
//! near 2^−64), the product `y·(hi + lo)` carried as `ph + pl` (`pl = fma(y, hi, −ph) + y·lo`),
//! and exp's reduction applied to `ph` with `pl` added to the reduced argument:
//! `r = fma(−n, LN2_LO, fma(−n, LN2_HI, ph)) + pl`. So the error of y·ln|x| stays near 2^−64
//! relative even when |y·ln x| is in the hundreds, and pow is as accurate as exp.
//! f32 pow is the f64 pow of the widened arguments, rounded once to f32.
//!
//! # Special values (C99 / IEEE 754 `pow`)
//! `pow(x, ±0) = 1`, `pow(1, y) = 1` and `pow(x, 1) = x` for every x, y (NaN included);
//! otherwise a NaN argument is returned unchanged (x first). `pow(±1, ±∞) = 1`. For x < 0: integral y gives
//! `±|x|^y` (negative for odd y), non-integral finite y gives NaN. `pow(±0, y)` is +∞ for
//! y < 0 and +0 for y > 0 (signed ±0/±∞ for odd integral y); `pow(±∞, y)` likewise mirrored.
//! |y| = ∞ gives 0 or +∞ depending on whether |x| < 1. Overflow gives +∞, underflow 0 or a
//! subnormal, rounded once.

use super::exp::{exp_q64, scale2_64, LN2_HI_64, LN2_LO_64, LOG2E_64};
use super::lane::Lane;
use super::log::ln_dd64;

/// x^y, f64.
#[inline(always)]
pub(crate) fn pow64<V: Lane<E = f64, U = u64>>(x: V, y: V) -> V {
    let zero = V::splat(0.0);
    let one = V::splat(1.0);
    let inf = V::splat(f64::INFINITY);
    let sign = V::splat_bits(1 << 63);
    let ax = x.and_bits(V::splat_bits(!(1 << 63)));
    let ok = V::and_m(V::lt(zero, ax), V::lt(ax, inf));
    let (hi, lo) = ln_dd64(V::select(ok, ax, one));
    let ph = y * hi;
    let big = V::lt(V::splat(1000.0), ph.and_bits(V::splat_bits(!(1 << 63))));
    let pl = V::select(V::or_m(big, V::is_nan(ph)), zero, y.fms(hi, ph) + y * lo);
    let top = V::splat(710.0);
    let bot = V::splat(-746.0);
    let phc = V::select(V::lt(top, ph), top, ph);
    let phc = V::select(V::lt(phc, bot), bot, phc);
    // Same reduction as exp, plus the low part of the product.
    let n = (phc * V::splat(LOG2E_64)).round_even();
    let r = n.fnma(V::splat(LN2_HI_64), phc);
    let r = n.fnma(V::splat(LN2_LO_64), r) + pl;
    let p = exp_q64(r).fma(r, one);
    let mag = scale2_64(p, n);
    // |x| = 0 or ∞: 0 or ∞ by the sign of y (and of ln|x|).
    let y_neg = V::lt(y, zero);
    let at_zero = V::select(y_neg, inf, zero);
    let at_inf = V::select(y_neg, zero, inf);
    let mag = V::select(V::eq(ax, zero), at_zero, mag);
    let mag = V::select(V::eq(ax, inf), at_inf, mag);
    // Integral and odd y (±∞ and |y| ≥ 2^53 count as even integers).
    let y_int = V::eq(y.round_even(), y);
    let half = y * V::splat(0.5);
    let y_odd = V::and_m(y_int, V::not_m(V::eq(half.round_even(), half)));
    let neg_sign = V::select(y_odd, x.and_bits(sign), zero);
    let res = mag.or_bits(neg_sign);
    let x_neg_finite = V::and_m(V::lt(x, zero), V::lt(V::splat(f64::NEG_INFINITY), x));
    let res = V::select(
        V::and_m(x_neg_finite, V::not_m(y_int)),
        V::splat(f64::NAN),
        res,
    );
    let res = V::select(V::is_nan(y), y, res);
    let res = V::select(V::is_nan(x), x, res);
    let y_inf = V::eq(y.and_bits(V::splat_bits(!(1 << 63))), inf);
    let res = V::select(V::and_m(V::eq(ax, one), y_inf), one, res);
    let res = V::select(V::eq(x, one), one, res);
    // x^1 = x exactly (the exp·ln path is only within 1 ULP there).
    let res = V::select(V::eq(y, one), x, res);
    V::select(V::eq(y, zero), one, res)
}
